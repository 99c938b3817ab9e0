using System.Collections.Generic;
using System.Linq;
using System.Text;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator;

/// <summary>
/// The Keras-style layer table of a model, shared by the generated XML doc comment and <c>Summary</c>: a composite's row
/// carries its block's parameter total, its layers follow indented below it.
/// </summary>
internal static class Summary
{
    public static IReadOnlyList<string> Lines(string className, ShapeTrace trace, bool block = false)
    {
        var rows = new List<string[]> { new[] { "Layer (type)", "Output shape", "Param #" } };
        rows.Add(new[] { "input (Input)", trace.Input.ToTorchString(), "0" });
        rows.AddRange(trace.Layers
            .SelectMany(l => l.Layer.SummaryRows(l, 0))
            .Select(r => new[] { new string(' ', 2 * r.Depth) + $"{r.Name} ({r.Description})", r.Output.ToTorchString(), r.Parameters < 0 ? "?" : Format.Grouped(r.Parameters) }));

        var widths = Enumerable.Range(0, 3).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var total = widths.Sum() + 4;
        var lines = new List<string> { $"{(block ? "Block" : "Model")}: {className}", new string('_', total) };
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            lines.Add((row[0].PadRight(widths[0] + 2) + row[1].PadRight(widths[1] + 2) + row[2].PadLeft(widths[2])).TrimEnd());
            lines.Add(i == 0 || i == rows.Count - 1 ? new string('=', total) : string.Empty);
        }

        lines.RemoveAll(l => l.Length == 0);
        lines.Add(trace.Parameters < 0
            ? "Total params: counted at run time (a layer's contract states no params)"
            : $"Total params: {Format.Grouped(trace.Parameters)}");
        var activation = trace.OutputActivation == Layers.ActivationKind.Softmax ? " (softmax probabilities; ForwardLogits gives logits)" : string.Empty;
        var layout = trace.Tokens > 0 ? $"(batch, tokens: int64 ids below {Format.Number(trace.Tokens)})" : Layout(trace.Input);
        lines.Add($"Input: {trace.Input.ToTorchString()} {layout}; output: {trace.Output.ToTorchString()}{activation}");
        return lines;
    }

    public static string Text(string className, ShapeTrace trace)
    {
        var text = new StringBuilder();
        foreach (var line in Lines(className, trace))
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>What the input's dimensions mean, batch first.</summary>
    public static string Layout(Shape input) => input.Rank switch
    {
        1 => "(batch, features)",
        2 => "(batch, channels, length)",
        3 => "(batch, channels, height, width)",
        _ => "(batch first)",
    };
}
