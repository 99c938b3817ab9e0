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

    /// <summary>
    /// Infers a model; for a block (no input), checks what needs no shape: its arguments, and the blocks it uses.
    /// </summary>
    public static ModelResult Run(ModelSpec model)
    {
        // A stub's declaration is already in error (an attribute the compiler rejects, a second Input, layers split
        // across declarations): inferring shapes from what is left would report errors the user did not make.
        if (model.Mode != EmitMode.Full)
        {
            return new ModelResult(model, null, EquatableArray<DiagnosticInfo>.Empty);
        }

        var diagnostics = new List<DiagnosticInfo>();
        ShapeTrace? trace = null;
        try
        {
            if (model.Kind == DeclarationKind.Block)
            {
                diagnostics.AddRange(ValidateBlock(model));
            }
            else if (model.Input is { } input)
            {
                trace = Infer(model, input, diagnostics);
            }
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

    /// <summary>The layers of <paramref name="block"/> for one input shape, as emission needs them; null when they do not fit it.</summary>
    public static ShapeTrace? InferBlock(ModelSpec block, Shape input)
    {
        var context = new BlockContext(block.Blocks.Concat(new[] { block }));
        var outcome = context.Infer(new BlockRef(block.MetadataName, block.ClassName, string.Empty), input);
        return outcome.Layers is { } layers ? new ShapeTrace(input, layers, outcome.Parameters) : null;
    }

    /// <summary>
    /// Infers a list of layers from <paramref name="input"/>; returns null (with the diagnostics) at the first layer that
    /// does not fit. Shared by models and by the blocks they place.
    /// </summary>
    internal static EquatableArray<LayerTrace>? InferLayers(
        EquatableArray<LayerSpec> layers, Shape input, string inputDisplay, BlockContext blocks, List<DiagnosticInfo> diagnostics, out long parameters)
    {
        parameters = 0;
        var shape = input;
        var producedBy = shape.Describe() + " from " + inputDisplay;
        var source = inputDisplay;
        string? flattenedBy = null;
        var traces = new List<LayerTrace>();
        foreach (var layer in layers)
        {
            if (!layer.Ranks.Accepts(shape.Rank))
            {
                var remedy = flattenedBy is not null
                    ? $"move {layer.Display} before {flattenedBy}, which flattened the tensor"
                    : "reshape the tensor before it, or declare the input with the rank it needs";
                diagnostics.Add(DiagnosticInfo.At(DiagnosticIds.WrongInputRank, layer.At(), layer.Display, layer.Ranks.Description, shape.ToString(), source, remedy) with { LayerName = layer.Name });
                return null;
            }

            LayerOutcome outcome;
            try
            {
                outcome = layer.Infer(new LayerInput(shape, producedBy, blocks));
                parameters = ParameterCount.Add(parameters, outcome.Parameters);
            }
            catch (OverflowException)
            {
                diagnostics.Add(DiagnosticInfo.At(
                    DiagnosticIds.SizeOverflow, layer.At(), layer.Display, "its parameter count, or the model's, does not fit in 64 bits") with { LayerName = layer.Name });
                return null;
            }

            if (outcome.Error is not null)
            {
                diagnostics.Add(outcome.Error with { LayerName = outcome.Error.LayerName ?? layer.Name });
                return null;
            }

            var output = outcome.Output!;
            if (TooLarge(output) is { } size)
            {
                diagnostics.Add(DiagnosticInfo.At(
                    DiagnosticIds.SizeOverflow, layer.At(), layer.Display, $"it would produce {size} values per sample, more than {MaxValuesPerSample}") with { LayerName = layer.Name });
                return null;
            }

            diagnostics.AddRange(layer.Advise(shape));
            traces.Add(new LayerTrace(layer, shape, output, outcome.Parameters) { Branches = outcome.Branches, ProjectionStride = outcome.ProjectionStride });
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

        return traces.ToEquatableArray();
    }

    /// <summary>Argument errors of the layers, and what makes a list of layers unusable before any shape is known.</summary>
    internal static List<DiagnosticInfo> ValidateLayers(ModelSpec declaration)
    {
        var errors = new List<DiagnosticInfo>();
        if (declaration.Layers.Count == 0)
        {
            errors.Add(DiagnosticInfo.At(DiagnosticIds.NoLayers, declaration.Kind == DeclarationKind.Model ? Site.Input() : Site.Class, declaration.ClassName));
        }

        foreach (var layer in declaration.Layers)
        {
            errors.AddRange(layer.ValidateArguments());
        }

        return errors;
    }

    private static ShapeTrace? Infer(ModelSpec model, InputSpec input, List<DiagnosticInfo> diagnostics)
    {
        var errors = ValidateInput(input).Concat(ValidateLayers(model)).ToList();
        diagnostics.AddRange(errors);
        if (errors.Count > 0)
        {
            return null;
        }

        var context = new BlockContext(model.Blocks);
        var layers = InferLayers(model.Layers, input.Shape, input.Display, context, diagnostics, out var parameters);
        return layers is { } traced ? new ShapeTrace(input.Shape, traced, parameters) { Tokens = input.Tokens } : null;
    }

    /// <summary>A block on its own: its layers' arguments, and that every block it places exists, is usable and is not a cycle.</summary>
    private static IEnumerable<DiagnosticInfo> ValidateBlock(ModelSpec block)
    {
        var errors = ValidateLayers(block);
        var context = new BlockContext(block.Blocks.Concat(new[] { block }));

        // Once per attribute and class: the copies of a repeated Use, and a class named twice, are one placement to fix.
        foreach (var layer in block.Layers.OfType<CompositeLayer>().Where(l => l is not UseLayer { Copy: > 1 }))
        {
            foreach (var branch in layer.Blocks.Distinct())
            {
                if (context.Problem(branch, new[] { block.MetadataName }) is { } problem)
                {
                    errors.Add(layer.Report(problem));
                }
            }
        }

        return errors;
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

        if (input.Tokens < 0 || (input.Tokens > 0 && input.Shape.Rank != 1))
        {
            valid = false;
            yield return DiagnosticInfo.At(
                DiagnosticIds.InvalidArgument, Site.Input("Tokens"), input.Display, "Tokens", "a vocabulary size greater than 0 on an Input(length)", input.Tokens);
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
