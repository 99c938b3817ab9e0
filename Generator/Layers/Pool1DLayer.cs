using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary><c>[MaxPool1D(poolSize)]</c>, <c>[AvgPool1D(poolSize)]</c>: valid pooling along the length of <c>[C, L]</c>.</summary>
internal sealed record Pool1DLayer(string Display, int Index, bool IsMax, long PoolSize, long StrideValue) : LayerSpec(Display, Index)
{
    public override string Kind => IsMax ? "MaxPool1D" : "AvgPool1D";

    public override string NamePrefix => IsMax ? "maxPool1d" : "avgPool1d";

    public override InputRanks Ranks => InputRanks.Sequence1D;

    private long Stride => StrideValue == 0 ? PoolSize : StrideValue;

    public static LayerSpec ParseMax(AttributeArgs a) => new Pool1DLayer(a.Display, a.Index, true, a.Long("poolSize", 2), a.Long("Stride"));

    public static LayerSpec ParseAvg(AttributeArgs a) => new Pool1DLayer(a.Display, a.Index, false, a.Long("poolSize", 2), a.Long("Stride"));

    public override IEnumerable<DiagnosticInfo> ValidateArguments() =>
        Positive("poolSize", PoolSize).Concat(StrideValue < 0 ? new[] { Invalid("Stride", "0 (the pool size) or greater", StrideValue) } : Enumerable.Empty<DiagnosticInfo>());

    public override LayerOutcome Infer(LayerInput input)
    {
        var (length, _, _) = new Axis(PoolSize, Stride, 1, false, 0).Apply(input.Shape[1]);
        return length > 0
            ? LayerOutcome.Ok(Shape.Of(input.Shape[0], length))
            : LayerOutcome.Fail(DiagnosticInfo.At(
                DiagnosticIds.WindowLargerThanInput, At("poolSize"), Display, $"length-{Format.Number(PoolSize)}", $"length-{Format.Number(input.Shape[1])}", $"{Format.Number(length)} long", "use a smaller window or a longer input"));
    }

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output) =>
        statements.Add($"x = global::TorchSharp.torch.nn.functional.{(IsMax ? "max_pool1d" : "avg_pool1d")}(x, {Format.LongLiteral(PoolSize)}, stride: {Format.LongLiteral(Stride)});");

    public override void EmitOnnx(List<string> statements, LayerTrace trace) =>
        statements.Add($"x = onnx.{(IsMax ? "MaxPool1d" : "AvgPool1d")}(x, {Format.LongLiteral(PoolSize)}, {Format.LongLiteral(Stride)}, name: {OnnxCode.Name(trace.Name)});");

    public override void EmitPython(List<string> statements, LayerTrace trace) =>
        statements.Add($"x = F.{(IsMax ? "max_pool1d" : "avg_pool1d")}(x, {Py.Int(PoolSize)}, stride={Py.Int(Stride)})");
}
