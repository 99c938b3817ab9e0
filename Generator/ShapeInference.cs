using System;
using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Layers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator;

/// <summary>
/// The heart of the generator: a pure function from a model spec to each layer's shapes and parameter counts,
/// or the diagnostics that say why the model cannot run. No Roslyn types, no source positions: diagnostics name the
/// layer and argument at fault by <see cref="Site"/>.
/// </summary>
internal static class ShapeInference
{
    /// <summary>The largest number of values per sample a layer may produce (TorchSharp's tensors index with long, but a
    /// sample of more than 2^31 - 1 values is a mistake, and checking it keeps every size product in range).</summary>
    public const long MaxValuesPerSample = int.MaxValue;

    public static ModelResult Run(ModelSpec model)
    {
        // A stub's declaration is already in error (an attribute the compiler rejects, a second Input, layers split
        // across declarations): inferring shapes from what is left would report errors the user did not make.
        if (model.Mode != EmitMode.Full || model.Input is null)
        {
            return new ModelResult(model, null, EquatableArray<DiagnosticInfo>.Empty);
        }

        var diagnostics = new List<DiagnosticInfo>();
        ShapeTrace? trace;
        try
        {
            trace = Infer(model, model.Input, diagnostics);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A bug of ours: reported as an internal error on the class, never thrown out of the generator.
            diagnostics.Add(DiagnosticInfo.At(DiagnosticIds.InternalError, Site.Class, model.ClassName, exception.Message));
            trace = null;
        }

        // A model that cannot run gets its errors only: advice on a layer is noise until the model is valid.
        var failed = diagnostics.Any(d => DiagnosticDescriptors.IsError(d.Id));
        var reported = failed ? diagnostics.Where(d => DiagnosticDescriptors.IsError(d.Id)) : diagnostics;
        return new ModelResult(model, failed ? null : trace, reported.ToEquatableArray());
    }

    private static ShapeTrace? Infer(ModelSpec model, InputSpec input, List<DiagnosticInfo> diagnostics)
    {
        var errors = ValidateInput(input).ToList();
        if (model.Layers.Count == 0)
        {
            errors.Add(DiagnosticInfo.At(DiagnosticIds.NoLayers, Site.Input(), model.ClassName));
        }

        foreach (var layer in model.Layers)
        {
            errors.AddRange(layer.ValidateArguments());
        }

        diagnostics.AddRange(errors);
        if (errors.Count > 0)
        {
            return null;
        }

        var shape = input.Shape;
        var producedBy = shape.Describe() + " from " + input.Display;
        var source = input.Display;
        string? flattenedBy = null;
        var layers = new List<LayerTrace>();
        long parameters = 0;
        foreach (var layer in model.Layers)
        {
            if (!layer.Ranks.Accepts(shape.Rank))
            {
                var remedy = flattenedBy is not null
                    ? $"move {layer.Display} before {flattenedBy}, which flattened the tensor"
                    : "reshape the tensor before it, or declare the input with the rank it needs";
                diagnostics.Add(DiagnosticInfo.At(DiagnosticIds.WrongInputRank, layer.At(), layer.Display, layer.Ranks.Description, shape.ToString(), source, remedy));
                return null;
            }

            diagnostics.AddRange(layer.Advise(shape));
            LayerOutcome outcome;
            try
            {
                outcome = layer.Infer(new LayerInput(shape, producedBy));
                parameters = checked(parameters + outcome.Parameters);
            }
            catch (OverflowException)
            {
                diagnostics.Add(DiagnosticInfo.At(
                    DiagnosticIds.SizeOverflow, layer.At(), layer.Display, "its parameter count, or the model's, does not fit in 64 bits"));
                return null;
            }

            if (outcome.Error is not null)
            {
                diagnostics.Add(outcome.Error);
                return null;
            }

            var output = outcome.Output!;
            if (TooLarge(output) is { } size)
            {
                diagnostics.Add(DiagnosticInfo.At(
                    DiagnosticIds.SizeOverflow, layer.At(), layer.Display, $"it would produce {size} values per sample, more than {MaxValuesPerSample}"));
                return null;
            }

            layers.Add(new LayerTrace(layer, shape, output, outcome.Parameters));
            if (!layer.PreservesSize)
            {
                producedBy = output.Describe() + " from " + layer.Display;
            }

            if (output.Rank < shape.Rank && output.Rank == 1)
            {
                flattenedBy = layer.Display;
            }

            source = layer.Display;
            shape = output;
        }

        return new ShapeTrace(input.Shape, layers.ToEquatableArray(), parameters);
    }

    private static IEnumerable<DiagnosticInfo> ValidateInput(InputSpec input)
    {
        var valid = true;
        for (var i = 0; i < input.Shape.Rank; i++)
        {
            if (input.Shape[i] <= 0)
            {
                valid = false;
                var name = input.ArgumentNames[i];
                yield return DiagnosticInfo.At(DiagnosticIds.InvalidArgument, Site.Input(name), input.Display, name, "greater than 0", input.Shape[i]);
            }
        }

        if (valid && TooLarge(input.Shape) is { } size)
        {
            yield return DiagnosticInfo.At(
                DiagnosticIds.SizeOverflow, Site.Input(), input.Display, $"it has {size} values per sample, more than {MaxValuesPerSample}");
        }
    }

    /// <summary>The shape's size as text when it exceeds <see cref="MaxValuesPerSample"/>, else null.</summary>
    private static string? TooLarge(Shape shape)
    {
        if (shape.SizeUpTo(MaxValuesPerSample) is not null)
        {
            return null;
        }

        return shape.Rank == 1 ? Format.Number(shape[0]) : shape.Describe();
    }
}
