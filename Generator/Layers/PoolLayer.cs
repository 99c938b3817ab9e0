using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary><c>[MaxPool2D(poolSize, Stride)]</c> and <c>[AvgPool2D(poolSize, Stride)]</c>: valid pooling, stride defaulting to the window.</summary>
internal sealed record PoolLayer(string Display, int Index, bool IsMax, long PoolSize, long StrideValue)
    : LayerSpec(Display, Index)
{
    public override string Kind => IsMax ? "MaxPool2D" : "AvgPool2D";

    public override string NamePrefix => IsMax ? "maxPool" : "avgPool";

    public override InputRanks Ranks => InputRanks.Spatial2D;

    /// <summary>The effective stride: 0 means the pool size, as in Keras.</summary>
    public long Stride => StrideValue == 0 ? PoolSize : StrideValue;

    public static LayerSpec ParseMax(AttributeArgs a) => new PoolLayer(a.Display, a.Index, true, a.Long("poolSize", 2), a.Long("Stride"));

    public static LayerSpec ParseAvg(AttributeArgs a) => new PoolLayer(a.Display, a.Index, false, a.Long("poolSize", 2), a.Long("Stride"));

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        var stride = StrideValue < 0
            ? new[] { InvalidArgument("Stride", "0 (the pool size) or greater", StrideValue) }
            : Enumerable.Empty<DiagnosticInfo>();
        return Positive("poolSize", PoolSize).Concat(stride);
    }

    public override LayerOutcome Infer(LayerInput input) =>
        WindowRule.Apply(this, input.Shape, PoolSize, Stride, false, "poolSize", isPool: true, out var window) is { } error
            ? LayerOutcome.Fail(error)
            : LayerOutcome.Ok(Shape.Of(input.Shape[0], window.OutHeight, window.OutWidth));

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        var function = IsMax ? "max_pool2d" : "avg_pool2d";
        statements.Add($"x = global::TorchSharp.torch.nn.functional.{function}(x, {Format.LongLiteral(PoolSize)}, stride: {Format.LongLiteral(Stride)});");
    }
}
