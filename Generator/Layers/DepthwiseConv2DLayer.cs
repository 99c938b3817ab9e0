using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// <c>[DepthwiseConv2D(kernelSize, DepthMultiplier)]</c>: each channel convolved with its own filters, TorchSharp's
/// Conv2d with <c>groups</c> equal to the input channels and <c>channels * DepthMultiplier</c> outputs.
/// </summary>
internal sealed record DepthwiseConv2DLayer(string Display, int Index, Conv2DGeometry Geometry, long DepthMultiplier, bool UseBias, int ActivationValue)
    : LayerSpec(Display, Index)
{
    public override string Kind => "DepthwiseConv2D";

    public override string NamePrefix => "depthwiseConv";

    public override bool OutputIsFresh => true;

    public override InputRanks Ranks => InputRanks.Spatial2D;

    public override string? ModuleType(Shape input) => "global::TorchSharp.Modules.Conv2d";

    public override ActivationKind Activation => (ActivationKind)ActivationValue;

    public override string Gloss => $"{Geometry.KernelText} kernel per channel";

    public static LayerSpec Parse(AttributeArgs a) => new DepthwiseConv2DLayer(
        a.Display, a.Index, Conv2DGeometry.Parse(a), a.Long("DepthMultiplier", 1), a.Bool("UseBias", true), a.Enum("Activation"));

    public override IEnumerable<DiagnosticInfo> ValidateArguments() =>
        Geometry.Validate(this)
            .Concat(Positive("DepthMultiplier", DepthMultiplier))
            .Concat(Defined("Activation", ActivationValue, Activations.MaxValue));

    public override LayerOutcome Infer(LayerInput input)
    {
        if (Geometry.Fit(this, input.Shape, isPool: false, out var window) is { } error)
        {
            return LayerOutcome.Fail(error);
        }

        var outputs = checked(input.Shape[0] * DepthMultiplier);
        var weights = checked(outputs * Geometry.KernelHeight * Geometry.KernelWidth);
        return LayerOutcome.Ok(Shape.Of(outputs, window.OutHeight, window.OutWidth), checked(weights + (UseBias ? outputs : 0)));
    }

    public override string EmitConstruction(Shape input, Shape output)
    {
        var (padHeight, padWidth) = Geometry.Of(input).ModulePadding;
        var bias = UseBias ? string.Empty : ", bias: false";
        return $"global::TorchSharp.torch.nn.Conv2d({Format.LongLiteral(input[0])}, {Format.LongLiteral(output[0])}, {Geometry.ModuleArguments(padHeight, padWidth)}, groups: {Format.LongLiteral(input[0])}{bias})";
    }

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        if (Geometry.Of(input).PadStatement() is { } pad)
        {
            statements.Add(pad);
        }

        Call(statements, name);
    }

    public override void EmitOnnx(List<string> statements, LayerTrace trace)
    {
        if (OnnxCode.Pad(Geometry.Of(trace.Input), uniformOnly: false, trace.Name) is { } pad)
        {
            statements.Add(pad);
        }

        OnnxCode.Module(statements, trace.Name);
    }

    public override string PythonConstruction(LayerTrace trace)
    {
        var (padHeight, padWidth) = Geometry.Of(trace.Input).ModulePadding;
        var bias = UseBias ? string.Empty : ", bias=False";
        return $"nn.Conv2d({Py.Int(trace.Input[0])}, {Py.Int(trace.Output[0])}, {Geometry.PythonArguments(padHeight, padWidth)}, groups={Py.Int(trace.Input[0])}{bias})";
    }

    public override void EmitPython(List<string> statements, LayerTrace trace)
    {
        if (Py.Pad(Geometry.Of(trace.Input), uniformOnly: false) is { } pad)
        {
            statements.Add(pad);
        }

        Py.Call(statements, trace.Name);
    }
}
