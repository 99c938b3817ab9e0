using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary><c>[Permute(a0, a1, ...)]</c>: reorders a sample's axes (counted from 0 without the batch), as Keras' Permute.</summary>
internal sealed record PermuteLayer(string Display, int Index, EquatableArray<long> Axes) : LayerSpec(Display, Index)
{
    public override string Kind => "Permute";

    public override string NamePrefix => "permute";

    public override bool PreservesSize => true;

    public override InputRanks Ranks => Axes.Count == 0 ? InputRanks.Any : new(Axes.Count, Axes.Count, $"a rank-{Axes.Count} input (one axis per argument)");

    public static LayerSpec Parse(AttributeArgs a) => new PermuteLayer(a.Display, a.Index, a.Longs("axes"));

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        if (Axes.Count == 0 || !Axes.OrderBy(a => a).SequenceEqual(Enumerable.Range(0, Axes.Count).Select(i => (long)i)))
        {
            yield return Invalid("axes", $"a permutation of 0..{Axes.Count - 1} (each axis once)", Axes.Count == 0 ? "empty" : string.Join(", ", Axes));
        }
    }

    public override LayerOutcome Infer(LayerInput input) => LayerOutcome.Ok(Shape.Of(Axes.Select(a => input.Shape[(int)a]).ToArray()));

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output) =>
        statements.Add($"x = x.permute({string.Join(", ", new[] { "0L" }.Concat(Axes.Select(a => Format.LongLiteral(a + 1))))});");

    public override void EmitOnnx(List<string> statements, LayerTrace trace) =>
        statements.Add($"x = onnx.Transpose(x, new int[] {{ {string.Join(", ", Axes.Select(a => Format.Number(a)))} }}, {OnnxCode.Name(trace.Name)});");

    public override void EmitPython(List<string> statements, LayerTrace trace) =>
        statements.Add($"x = x.permute({string.Join(", ", new[] { 0L }.Concat(Axes.Select(a => (long)a + 1)).Select(Py.Int))})");
}
