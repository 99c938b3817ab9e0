using System.Collections.Generic;
using System.Linq;
using System.Text;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator;

/// <summary>The Keras-style layer table of a model, shared by the generated XML doc comment and <c>Summary</c>.</summary>
internal static class Summary
{
    public static IReadOnlyList<string> Lines(string className, ShapeTrace trace)
    {
        var rows = new List<string[]> { new[] { "Layer (type)", "Output shape", "Param #" } };
        rows.Add(new[] { "input (Input)", trace.Input.ToTorchString(), "0" });
        rows.AddRange(trace.Layers.Select(l => new[] { $"{l.Name} ({Describe(l.Layer)})", l.Output.ToTorchString(), Format.Grouped(l.Parameters) }));

        var widths = Enumerable.Range(0, 3).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var total = widths.Sum() + 4;
        var lines = new List<string> { $"Model: {className}", new string('_', total) };
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            lines.Add((row[0].PadRight(widths[0] + 2) + row[1].PadRight(widths[1] + 2) + row[2].PadLeft(widths[2])).TrimEnd());
            lines.Add(i == 0 || i == rows.Count - 1 ? new string('=', total) : string.Empty);
        }

        lines.RemoveAll(l => l.Length == 0);
        lines.Add($"Total params: {Format.Grouped(trace.Parameters)}");
        var activation = trace.OutputActivation == Layers.ActivationKind.Softmax ? " (softmax probabilities; ForwardLogits gives logits)" : string.Empty;
        lines.Add($"Input: {trace.Input.ToTorchString()} {Layout(trace.Input)}; output: {trace.Output.ToTorchString()}{activation}");
        return lines;
    }

    /// <summary>The layer as declared, with its gloss where argument orders are easy to mix up: <c>Conv2D(3, 32): 3 filters, 32 × 32 kernel</c>.</summary>
    public static string Describe(Layers.LayerSpec layer) => layer.Gloss is { } gloss ? $"{layer.Display}: {gloss}" : layer.Display;

    /// <summary>What the input's dimensions mean, batch first.</summary>
    public static string Layout(Shape input) => input.Rank switch
    {
        1 => "(batch, features)",
        2 => "(batch, channels, length)",
        3 => "(batch, channels, height, width)",
        _ => "(batch first)",
    };

    public static string Text(string className, ShapeTrace trace)
    {
        var text = new StringBuilder();
        foreach (var line in Lines(className, trace))
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }
}
