using System;
using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Layers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator;

/// <summary>
/// The heart of the generator: a pure function from a model spec to each layer's shapes and parameter counts,
/// or the diagnostics that say why the model cannot run. No Roslyn types.
/// </summary>
internal static class ShapeInference
{
    /// <summary>The largest number of values per sample a layer may produce (TorchSharp's tensors index with long, but a
    /// sample of more than 2^31 - 1 values is a mistake, and checking it keeps every size product in range).</summary>
    public const long MaxValuesPerSample = int.MaxValue;

    public static ModelResult Run(ModelSpec model)
    {
        var diagnostics = new List<DiagnosticInfo>(model.Diagnostics);
        var trace = model.Mode == EmitMode.Nothing || model.Input is null ? null : Infer(model, diagnostics);
        return new ModelResult(model, diagnostics.Count == 0 ? trace : null, diagnostics.ToEquatableArray());
    }

    private static ShapeTrace? Infer(ModelSpec model, List<DiagnosticInfo> diagnostics)
    {
        var input = model.Input!;
        var errors = ValidateInput(input).ToList();
        if (model.Layers.Count == 0)
        {
            errors.Add(DiagnosticInfo.Create(DiagnosticIds.NoLayers, input.Location, model.ClassName));
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

        var shape = Shape.Spatial(input.Channels, input.Height, input.Width);
        var inputDisplay = $"Input({input.Height}, {input.Width}, {input.Channels})";
        var producedBy = shape.Describe() + " from " + inputDisplay;
        string? flattenedBy = null;
        var counters = new Dictionary<string, int>();
        var layers = new List<LayerTrace>();
        long parameters = 0;
        foreach (var layer in model.Layers)
        {
            if (layer.RequiresSpatialInput && shape.IsFlat)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticIds.SpatialLayerAfterFlatten, layer.Location, layer.Display, shape.Channels, flattenedBy ?? inputDisplay));
                return null;
            }

            LayerOutcome outcome;
            try
            {
                outcome = layer.Infer(new LayerInput(shape, producedBy, flattenedBy));
                parameters = checked(parameters + outcome.Parameters);
            }
            catch (OverflowException)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticIds.SizeOverflow, layer.Location, layer.Display, "its parameter count, or the model's, does not fit in 64 bits"));
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
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticIds.SizeOverflow, layer.Location, layer.Display, $"it would produce {size} values per sample, more than {MaxValuesPerSample}"));
                return null;
            }

            counters.TryGetValue(layer.NamePrefix, out var count);
            counters[layer.NamePrefix] = ++count;
            layers.Add(new LayerTrace(layer, layer.NamePrefix + Format.Number(count), shape, output, outcome.Parameters));

            if (!layer.PreservesSize)
            {
                producedBy = output.Describe() + " from " + layer.Display;
            }

            if (output.IsFlat && !shape.IsFlat)
            {
                flattenedBy = layer.Display;
            }

            shape = output;
        }

        return new ShapeTrace(Shape.Spatial(input.Channels, input.Height, input.Width), layers.ToEquatableArray(), parameters);
    }

    private static IEnumerable<DiagnosticInfo> ValidateInput(InputSpec input)
    {
        foreach (var (name, value) in new[] { ("height", input.Height), ("width", input.Width), ("channels", input.Channels) })
        {
            if (value <= 0)
            {
                yield return DiagnosticInfo.Create(
                    DiagnosticIds.InvalidArgument, input.ArgumentLocation(name), $"Input({input.Height}, {input.Width}, {input.Channels})", name, "greater than 0", value);
            }
        }

        if (input.Height > 0 && input.Width > 0 && input.Channels > 0 && TooLarge(Shape.Spatial(input.Channels, input.Height, input.Width)) is { } size)
        {
            yield return DiagnosticInfo.Create(
                DiagnosticIds.SizeOverflow, input.Location, $"Input({input.Height}, {input.Width}, {input.Channels})", $"it has {size} values per sample, more than {MaxValuesPerSample}");
        }
    }

    /// <summary>The shape's size as text when it exceeds <see cref="MaxValuesPerSample"/>, else null.</summary>
    private static string? TooLarge(Shape shape)
    {
        if (shape.IsFlat)
        {
            return shape.Channels > MaxValuesPerSample ? Format.Number(shape.Channels) : null;
        }

        // Each dimension is below 2^32 here, so the product of two fits; compare step by step to stay in range.
        var area = shape.Height * shape.Width;
        if (shape.Height > MaxValuesPerSample || shape.Width > MaxValuesPerSample || area > MaxValuesPerSample || area * shape.Channels > MaxValuesPerSample)
        {
            return shape.DescribeDims() + (shape.Channels < MaxValuesPerSample && area < MaxValuesPerSample ? " = " + Format.Number(area * shape.Channels) : string.Empty);
        }

        return null;
    }
}
