using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// <c>[MaskedConv(kernelSize, filters, Stride, Padding, MaskActivation, Activation, UseBias)]</c>: the
/// attention-masked convolution, run by <c>LayerDsl.Modules.MaskedConv2d</c>.
/// </summary>
internal sealed record MaskedConvLayer(
    string Display,
    int Index,
    long KernelSize,
    long Filters,
    long Stride,
    int Padding,
    int MaskActivation,
    int ActivationValue,
    bool UseBias)
    : LayerSpec(Display, Index)
{
    public override string Kind => "MaskedConv";

    public override string NamePrefix => "maskedConv";

    public override InputRanks Ranks => InputRanks.Spatial2D;

    public override string? ModuleType(Shape input) => "global::LayerDsl.Modules.MaskedConv2d";

    public override ActivationKind Activation => (ActivationKind)ActivationValue;

    public override string Gloss => ConvolutionAdvice.Gloss(Filters, KernelSize);

    public static LayerSpec Parse(AttributeArgs a) => new MaskedConvLayer(
        a.Display,
        a.Index,
        a.Long("kernelSize"),
        a.Long("filters"),
        a.Long("Stride", 1),
        a.Enum("Padding"),
        a.Enum("MaskActivation"),
        a.Enum("Activation", (int)ActivationKind.ReLU),
        a.Bool("UseBias"));

    public override IEnumerable<DiagnosticInfo> ValidateArguments() =>
        Positive("kernelSize", KernelSize)
            .Concat(Positive("filters", Filters))
            .Concat(Positive("Stride", Stride))
            .Concat(Defined("Padding", Padding, 1))
            .Concat(Defined("MaskActivation", MaskActivation, 1))
            .Concat(Defined("Activation", ActivationValue, Activations.MaxValue));

    public override IEnumerable<DiagnosticInfo> Advise(Shape input) =>
        ConvolutionAdvice.SwappedArguments(this, input, Filters, Geometry, $"MaskedConv({Filters}, {KernelSize})", "MaskedConv takes (kernelSize, filters)");

    private Conv2DGeometry Geometry => Conv2DGeometry.Square(KernelSize, Stride, Padding);

    public override LayerOutcome Infer(LayerInput input)
    {
        if (Geometry.Fit(this, input.Shape, isPool: false, out var window) is { } error)
        {
            return LayerOutcome.Fail(error);
        }

        // mask: Conv2d(C -> k*k, k) with bias; projection W: [F, C*k*k], optional bias [F].
        var taps = checked(KernelSize * KernelSize);
        var mask = checked((taps * input.Shape[0] * taps) + taps);
        var projection = checked((Filters * input.Shape[0] * taps) + (UseBias ? Filters : 0));
        return LayerOutcome.Ok(Shape.Of(Filters, window.OutHeight, window.OutWidth), checked(mask + projection));
    }

    public override string EmitConstruction(Shape input, Shape output)
    {
        var window = Geometry.Of(input);
        var maskActivation = MaskActivation == 1 ? "Sigmoid" : "Tanh";
        return $"new global::LayerDsl.Modules.MaskedConv2d({Format.LongLiteral(input[0])}, {Format.LongLiteral(Filters)}, {Format.LongLiteral(KernelSize)}, " +
            $"stride: {Format.LongLiteral(Stride)}, padding: {Format.LongLiteral(window.IsUniform ? window.Top : 0)}, maskActivation: global::LayerDsl.MaskActivation.{maskActivation}, " +
            $"activation: global::LayerDsl.Activation.None, bias: {(UseBias ? "true" : "false")})";
    }

    /// <summary>ReLU, tanh and sigmoid run inside the layer's slices (<c>MaskedConv2d.ForwardActivated</c>), not after it.</summary>
    private bool ActivatesInside => Activation is ActivationKind.ReLU or ActivationKind.Tanh or ActivationKind.Sigmoid;

    public override string? ActivationStatement => ActivatesInside ? null : base.ActivationStatement;

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        if (Geometry.Of(input).PadStatement(uniformOnly: true) is { } pad)
        {
            statements.Add(pad);
        }

        if (ActivatesInside)
        {
            statements.Add($"x = {name}.ForwardActivated(x, {Activations.RuntimeName(Activation)});");
        }
        else
        {
            Call(statements, name);
        }
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
        return $"MaskedConv2d({Py.Int(trace.Input[0])}, {Py.Int(Filters)}, {Py.Int(KernelSize)}, stride={Py.Int(Stride)}, padding={Py.Int(window.IsUniform ? window.Top : 0)}, " +
            $"maskActivation={Py.Str(MaskActivation == 1 ? "Sigmoid" : "Tanh")}, activation=\"None\", bias={Py.Bool(UseBias)})";
    }

    public override IEnumerable<(string ClassName, string Source)> PythonClasses => new[] { PythonModules.Get("MaskedConv2d") };

    public override void EmitPython(List<string> statements, LayerTrace trace)
    {
        if (Py.Pad(Geometry.Of(trace.Input), uniformOnly: true) is { } pad)
        {
            statements.Add(pad);
        }

        Py.Call(statements, trace.Name);
    }
}
