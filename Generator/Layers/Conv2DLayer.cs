using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// <c>[Conv2D(filters, kernelSize)]</c> and <c>[Conv2D(filters, kernelHeight, kernelWidth)]</c> with strides, Valid,
/// explicit or Same padding, dilation, groups and bias: TorchSharp's Conv2d.
/// </summary>
internal sealed record Conv2DLayer(string Display, int Index, long Filters, Conv2DGeometry Geometry, long Groups, bool UseBias, int ActivationValue)
    : LayerSpec(Display, Index)
{
    public override string Kind => "Conv2D";

    public override string NamePrefix => "conv";

    public override bool OutputIsFresh => true;

    public override InputRanks Ranks => InputRanks.Spatial2D;

    public override string? ModuleType(Shape input) => "global::TorchSharp.Modules.Conv2d";

    public override ActivationKind Activation => (ActivationKind)ActivationValue;

    public override string Gloss => ConvolutionAdvice.Gloss(Filters, Geometry.KernelText);

    public static LayerSpec Parse(AttributeArgs a) => new Conv2DLayer(
        a.Display, a.Index, a.Long("filters"), Conv2DGeometry.Parse(a), a.Long("Groups", 1), a.Bool("UseBias", true), a.Enum("Activation"));

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        var errors = Positive("filters", Filters)
            .Concat(Geometry.Validate(this))
            .Concat(Positive("Groups", Groups))
            .Concat(Defined("Activation", ActivationValue, Activations.MaxValue))
            .ToList();
        if (errors.Count == 0 && Filters % Groups != 0)
        {
            errors.Add(Invalid("Groups", $"a divisor of the {Format.Number(Filters)} filters", Groups));
        }

        return errors;
    }

    public override IEnumerable<DiagnosticInfo> Advise(Shape input) =>
        ConvolutionAdvice.SwappedArguments(this, input, Filters, Geometry, $"Conv2D({Format.Number(Geometry.KernelHeight)}, {Format.Number(Filters)})", "Conv2D takes (filters, kernelSize)");

    public override LayerOutcome Infer(LayerInput input)
    {
        if (ChannelGroups.Check(this, input, Groups) is { } groups)
        {
            return LayerOutcome.Fail(groups);
        }

        if (Geometry.Fit(this, input.Shape, isPool: false, out var window) is { } error)
        {
            return LayerOutcome.Fail(error);
        }

        var weights = checked(Filters * (input.Shape[0] / Groups) * Geometry.KernelHeight * Geometry.KernelWidth);
        return LayerOutcome.Ok(Shape.Of(Filters, window.OutHeight, window.OutWidth), checked(weights + (UseBias ? Filters : 0)));
    }

    public override string EmitConstruction(Shape input, Shape output)
    {
        var (padHeight, padWidth) = Geometry.Of(input).ModulePadding;
        var groups = Groups != 1 ? $", groups: {Format.LongLiteral(Groups)}" : string.Empty;
        var bias = UseBias ? string.Empty : ", bias: false";
        return $"global::TorchSharp.torch.nn.Conv2d({Format.LongLiteral(input[0])}, {Format.LongLiteral(Filters)}, {Geometry.ModuleArguments(padHeight, padWidth)}{groups}{bias})";
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
        var groups = Groups != 1 ? $", groups={Py.Int(Groups)}" : string.Empty;
        var bias = UseBias ? string.Empty : ", bias=False";
        return $"nn.Conv2d({Py.Int(trace.Input[0])}, {Py.Int(Filters)}, {Geometry.PythonArguments(padHeight, padWidth)}{groups}{bias})";
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
