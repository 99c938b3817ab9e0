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
    LocationInfo? Location,
    EquatableArray<ArgumentInfo> Arguments,
    long KernelSize,
    long Filters,
    long Stride,
    int Padding,
    int MaskActivation,
    int ActivationValue,
    bool UseBias)
    : LayerSpec(Display, Location, Arguments)
{
    public override string Kind => "MaskedConv";

    public override string NamePrefix => "maskedConv";

    public override string? ModuleType(Shape input) => "global::LayerDsl.Modules.MaskedConv2d";

    public override ActivationKind Activation => (ActivationKind)ActivationValue;

    public override bool RequiresSpatialInput => true;

    public static LayerSpec Parse(AttributeArgs a) => new MaskedConvLayer(
        a.Display,
        a.Location,
        a.Arguments,
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

    public override LayerOutcome Infer(LayerInput input)
    {
        if (WindowRule.Apply(this, input.Shape, KernelSize, Stride, Padding == 1, "kernelSize", out var window) is { } error)
        {
            return LayerOutcome.Fail(error);
        }

        // mask: Conv2d(C -> k*k, k) with bias; projection W: [F, C*k*k], optional bias [F].
        var taps = checked(KernelSize * KernelSize);
        var mask = checked((taps * input.Shape.Channels * taps) + taps);
        var projection = checked((Filters * input.Shape.Channels * taps) + (UseBias ? Filters : 0));
        return LayerOutcome.Ok(Shape.Spatial(Filters, window.OutHeight, window.OutWidth), checked(mask + projection));
    }

    public override string EmitConstruction(Shape input, Shape output)
    {
        var window = Window.Compute(input.Height, input.Width, KernelSize, Stride, Padding == 1);
        var padding = window.IsSymmetric ? window.Top : 0;
        var maskActivation = MaskActivation == 1 ? "Sigmoid" : "Tanh";
        return $"new global::LayerDsl.Modules.MaskedConv2d({Format.LongLiteral(input.Channels)}, {Format.LongLiteral(Filters)}, {Format.LongLiteral(KernelSize)}, " +
            $"stride: {Format.LongLiteral(Stride)}, padding: {Format.LongLiteral(padding)}, maskActivation: global::LayerDsl.MaskActivation.{maskActivation}, " +
            $"activation: global::LayerDsl.Activation.None, bias: {(UseBias ? "true" : "false")})";
    }

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        Window.Compute(input.Height, input.Width, KernelSize, Stride, Padding == 1).EmitPadding(statements);
        statements.Add($"x = {name}.forward(x);");
    }
}
