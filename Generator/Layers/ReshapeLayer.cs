using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary><c>[Reshape(d1, d2, ...)]</c>: a new shape for each sample with the same element count; one dimension may be -1.</summary>
internal sealed record ReshapeLayer(string Display, int Index, EquatableArray<long> Target) : LayerSpec(Display, Index)
{
    public override string Kind => "Reshape";

    public override string NamePrefix => "reshape";

    public override bool PreservesSize => true;

    public static LayerSpec Parse(AttributeArgs a) => new ReshapeLayer(a.Display, a.Index, a.Longs("shape"));

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        if (Target.Count == 0)
        {
            yield return Invalid("shape", "at least one dimension", "empty");
        }
        else if (Target.Count(d => d == -1) > 1)
        {
            yield return Invalid("shape", "a list with at most one -1", string.Join(", ", Target));
        }
        else if (Target.Any(d => d == 0 || d < -1))
        {
            yield return Invalid("shape", "positive dimensions (and at most one -1)", string.Join(", ", Target));
        }
    }

    public override LayerOutcome Infer(LayerInput input)
    {
        var size = input.Shape.Size;
        var dims = Target.Where(d => d != -1).ToList();
        long? known = 1;
        foreach (var dim in dims)
        {
            // A product past 64 bits is far past any input's size: a mismatch to report, not an overflow.
            known = known is { } product && product <= long.MaxValue / dim ? product * dim : null;
        }

        var inferred = Target.Any(d => d == -1);
        var fits = known is { } count && (inferred ? size % count == 0 : size == count);
        if (!fits)
        {
            var needed = known.HasValue ? Format.Number(known.Value) : string.Join(" × ", dims.Select(Format.Number));
            return LayerOutcome.Fail(DiagnosticInfo.At(
                DiagnosticIds.ReshapeSizeMismatch,
                At("shape"),
                Display,
                input.ProducedBy,
                inferred ? $"a multiple of {needed}" : needed));
        }

        return LayerOutcome.Ok(Shape.Of(Target.Select(d => d == -1 ? size / known!.Value : d).ToArray()));
    }

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output) =>
        statements.Add($"x = x.reshape({string.Join(", ", new[] { "x.shape[0]" }.Concat(output.Dims.Select(Format.LongLiteral)))});");

    public override void EmitOnnx(List<string> statements, LayerTrace trace) =>
        statements.Add($"x = onnx.Reshape(x, new long[] {{ {string.Join(", ", trace.Output.Dims.Select(Format.LongLiteral))} }}, {OnnxCode.Name(trace.Name)});");

    public override void EmitPython(List<string> statements, LayerTrace trace) =>
        statements.Add($"x = x.reshape({string.Join(", ", new[] { "x.shape[0]" }.Concat(trace.Output.Dims.Select(Py.Int)))})");
}
