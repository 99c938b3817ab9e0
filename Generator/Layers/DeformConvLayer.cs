using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// <c>[DeformConv(kernelSize, filters, Stride, Padding, Dilation, Modulated, OffsetGroups, Activation, UseBias)]</c>: a
/// deformable convolution, run by <c>LayerDsl.Modules.DeformConv2d</c>.
/// </summary>
internal sealed record DeformConvLayer(string Display, int Index, long KernelSize, long Filters, long Stride, int Padding, long Dilation, bool Modulated, long OffsetGroups, int ActivationValue, bool UseBias)
    : LayerSpec(Display, Index)
{
    public override string Kind => "DeformConv";

    public override string NamePrefix => "deformConv";

    public override InputRanks Ranks => InputRanks.Spatial2D;

    public override string? ModuleType(Shape input) => "global::LayerDsl.Modules.DeformConv2d";

    public override ActivationKind Activation => (ActivationKind)ActivationValue;

    public override string Gloss => ConvolutionAdvice.Gloss(Filters, KernelSize);

    private Conv2DGeometry Geometry => Conv2DGeometry.Square(KernelSize, Stride, Padding) with { Dilation = Dilation };

    public static LayerSpec Parse(AttributeArgs a) => new DeformConvLayer(
        a.Display,
        a.Index,
        a.Long("kernelSize"),
        a.Long("filters"),
        a.Long("Stride", 1),
        a.Enum("Padding"),
        a.Long("Dilation", 1),
        a.Bool("Modulated", true),
        a.Long("OffsetGroups", 1),
        a.Enum("Activation", (int)ActivationKind.ReLU),
        a.Bool("UseBias", true));

    public override IEnumerable<DiagnosticInfo> ValidateArguments() =>
        Positive("kernelSize", KernelSize)
            .Concat(Positive("filters", Filters))
            .Concat(Positive("Stride", Stride))
            .Concat(Positive("Dilation", Dilation))
            .Concat(Positive("OffsetGroups", OffsetGroups))
            .Concat(Defined("Padding", Padding, 1))
            .Concat(Defined("Activation", ActivationValue, Activations.MaxValue));

    public override IEnumerable<DiagnosticInfo> Advise(Shape input) =>
        ConvolutionAdvice.SwappedArguments(this, input, Filters, Geometry, $"DeformConv({Filters}, {KernelSize})", "DeformConv takes (kernelSize, filters)");

    public override LayerOutcome Infer(LayerInput input)
    {
        if (OffsetGroups > 1 && input.Shape[0] % OffsetGroups != 0)
        {
            return LayerOutcome.Fail(DiagnosticInfo.At(
                DiagnosticIds.ChannelsNotDivisibleByGroups, At("OffsetGroups"), Display, Format.Number(input.Shape[0]), input.ProducedBy, Format.Number(OffsetGroups)));
        }

        if (Geometry.Fit(this, input.Shape, isPool: false, out var window) is { } error)
        {
            return LayerOutcome.Fail(error);
        }

        // Offsets: Conv2d(C -> 2·G·k², k) with bias; mask: Conv2d(C -> G·k², k) with bias; main weight [F, C, k, k] and bias.
        var taps = checked(KernelSize * KernelSize);
        var channels = input.Shape[0];
        var offsets = checked((2 * OffsetGroups * taps * channels * taps) + (2 * OffsetGroups * taps));
        var mask = Modulated ? checked((OffsetGroups * taps * channels * taps) + (OffsetGroups * taps)) : 0;
        var main = checked((Filters * channels * taps) + (UseBias ? Filters : 0));
        return LayerOutcome.Ok(Shape.Of(Filters, window.OutHeight, window.OutWidth), checked(offsets + mask + main));
    }

    public override string EmitConstruction(Shape input, Shape output)
    {
        var window = Geometry.Of(input);
        return $"new global::LayerDsl.Modules.DeformConv2d({Format.LongLiteral(input[0])}, {Format.LongLiteral(Filters)}, {Format.LongLiteral(KernelSize)}, " +
            $"stride: {Format.LongLiteral(Stride)}, padding: {Format.LongLiteral(window.IsUniform ? window.Top : 0)}, dilation: {Format.LongLiteral(Dilation)}, " +
            $"offsetGroups: {Format.LongLiteral(OffsetGroups)}, modulated: {(Modulated ? "true" : "false")}, activation: global::LayerDsl.Activation.None, bias: {(UseBias ? "true" : "false")})";
    }

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        if (Geometry.Of(input).PadStatement(uniformOnly: true) is { } pad)
        {
            statements.Add(pad);
        }

        Call(statements, name);
    }

    public override void EmitOnnx(List<string> statements, LayerTrace trace)
    {
        if (OnnxCode.Pad(Geometry.Of(trace.Input), uniformOnly: true, trace.Name) is { } pad)
        {
            statements.Add(pad);
        }

        OnnxCode.Module(statements, trace.Name);
    }

    public override string PythonConstruction(LayerTrace trace)
    {
        var window = Geometry.Of(trace.Input);
        return $"DeformConv2d({Py.Int(trace.Input[0])}, {Py.Int(Filters)}, {Py.Int(KernelSize)}, stride={Py.Int(Stride)}, padding={Py.Int(window.IsUniform ? window.Top : 0)}, " +
            $"dilation={Py.Int(Dilation)}, offsetGroups={Py.Int(OffsetGroups)}, modulated={Py.Bool(Modulated)}, activation=\"None\", bias={Py.Bool(UseBias)})";
    }

    public override IEnumerable<(string ClassName, string Source)> PythonClasses => new[] { PythonModules.Get("DeformConv2d") };

    public override void EmitPython(List<string> statements, LayerTrace trace)
    {
        if (Py.Pad(Geometry.Of(trace.Input), uniformOnly: true) is { } pad)
        {
            statements.Add(pad);
        }

        Py.Call(statements, trace.Name);
    }
}
