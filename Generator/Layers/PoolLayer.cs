using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// <c>[MaxPool2D(poolSize)]</c>, <c>[AvgPool2D(poolSize)]</c> (or height and width): valid pooling over <c>[C, H, W]</c>,
/// the stride defaulting to the window.
/// </summary>
internal sealed record PoolLayer(string Display, int Index, bool IsMax, long PoolHeight, long PoolWidth, long StrideHeight, long StrideWidth, string PoolArgument)
    : LayerSpec(Display, Index)
{
    public override string Kind => IsMax ? "MaxPool2D" : "AvgPool2D";

    public override string NamePrefix => IsMax ? "maxPool" : "avgPool";

    public override InputRanks Ranks => InputRanks.Spatial2D;

    private Conv2DGeometry Geometry => new(PoolHeight, PoolWidth, StrideHeight == 0 ? PoolHeight : StrideHeight, StrideWidth == 0 ? PoolWidth : StrideWidth, 0, 0, 0, 1)
    {
        KernelArgument = PoolArgument,
    };

    public static LayerSpec ParseMax(AttributeArgs a) => Parse(a, isMax: true);

    public static LayerSpec ParseAvg(AttributeArgs a) => Parse(a, isMax: false);

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        var errors = Positive(PoolArgument, PoolHeight).ToList();
        if (PoolArgument != "poolSize")
        {
            errors.AddRange(Positive("poolWidth", PoolWidth));
        }

        if (System.Math.Min(StrideHeight, StrideWidth) < 0)
        {
            errors.Add(Invalid("Stride", "0 (the pool size) or greater", System.Math.Min(StrideHeight, StrideWidth)));
        }

        return errors;
    }

    public override LayerOutcome Infer(LayerInput input) =>
        Geometry.Fit(this, input.Shape, isPool: true, out var window) is { } error
            ? LayerOutcome.Fail(error)
            : LayerOutcome.Ok(Shape.Of(input.Shape[0], window.OutHeight, window.OutWidth));

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        var function = IsMax ? "max_pool2d" : "avg_pool2d";
        var geometry = Geometry;
        var arguments = geometry.KernelHeight == geometry.KernelWidth && geometry.StrideHeight == geometry.StrideWidth
            ? $"{Format.LongLiteral(geometry.KernelHeight)}, stride: {Format.LongLiteral(geometry.StrideHeight)}"
            : $"new long[] {{ {Format.LongLiteral(geometry.KernelHeight)}, {Format.LongLiteral(geometry.KernelWidth)} }}, new long[] {{ {Format.LongLiteral(geometry.StrideHeight)}, {Format.LongLiteral(geometry.StrideWidth)} }}";
        statements.Add($"x = global::TorchSharp.torch.nn.functional.{function}(x, {arguments});");
    }

    public override void EmitOnnx(List<string> statements, LayerTrace trace)
    {
        var geometry = Geometry;
        statements.Add($"x = onnx.{(IsMax ? "MaxPool2d" : "AvgPool2d")}(x, ({Format.LongLiteral(geometry.KernelHeight)}, {Format.LongLiteral(geometry.KernelWidth)}), " +
            $"({Format.LongLiteral(geometry.StrideHeight)}, {Format.LongLiteral(geometry.StrideWidth)}), name: {OnnxCode.Name(trace.Name)});");
    }

    public override void EmitPython(List<string> statements, LayerTrace trace)
    {
        var geometry = Geometry;
        statements.Add($"x = F.{(IsMax ? "max_pool2d" : "avg_pool2d")}(x, {Py.Pair(geometry.KernelHeight, geometry.KernelWidth)}, stride={Py.Pair(geometry.StrideHeight, geometry.StrideWidth)})");
    }

    private static LayerSpec Parse(AttributeArgs a, bool isMax)
    {
        var square = a.Has("poolSize");
        var stride = a.Long("Stride");
        return new PoolLayer(
            a.Display,
            a.Index,
            isMax,
            square ? a.Long("poolSize", 2) : a.Long("poolHeight"),
            square ? a.Long("poolSize", 2) : a.Long("poolWidth"),
            a.Long("StrideHeight") is var h && h != 0 ? h : stride,
            a.Long("StrideWidth") is var w && w != 0 ? w : stride,
            square ? "poolSize" : "poolHeight");
    }
}
