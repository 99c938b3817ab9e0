using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary><c>[Conv1D(filters, kernelSize)]</c> over <c>[C, L]</c> with stride, Valid, explicit or Same padding, dilation, groups and bias: TorchSharp's Conv1d.</summary>
internal sealed record Conv1DLayer(string Display, int Index, long Filters, Axis Axis, int Padding, long Groups, bool UseBias, int ActivationValue)
    : LayerSpec(Display, Index)
{
    public override string Kind => "Conv1D";

    public override string NamePrefix => "conv1d";

    public override bool OutputIsFresh => true;

    public override InputRanks Ranks => InputRanks.Sequence1D;

    public override string? ModuleType(Shape input) => "global::TorchSharp.Modules.Conv1d";

    public override ActivationKind Activation => (ActivationKind)ActivationValue;

    public override string Gloss => $"{Format.Number(Filters)} {(Filters == 1 ? "filter" : "filters")}, kernel {Format.Number(Axis.Kernel)}";

    public static LayerSpec Parse(AttributeArgs a)
    {
        var padding = a.Enum("Padding");
        return new Conv1DLayer(
            a.Display,
            a.Index,
            a.Long("filters"),
            new Axis(a.Long("kernelSize"), a.Long("Stride", 1), a.Long("Dilation", 1), padding == 1, a.Long("Pad")),
            padding,
            a.Long("Groups", 1),
            a.Bool("UseBias", true),
            a.Enum("Activation"));
    }

    public override IEnumerable<DiagnosticInfo> ValidateArguments()
    {
        var errors = Positive("filters", Filters)
            .Concat(Positive("kernelSize", Axis.Kernel))
            .Concat(Positive("Stride", Axis.Stride))
            .Concat(Positive("Dilation", Axis.Dilation))
            .Concat(Positive("Groups", Groups))
            .Concat(Defined("Padding", Padding, 1))
            .Concat(Defined("Activation", ActivationValue, Activations.MaxValue))
            .ToList();
        if (Axis.Pad < 0)
        {
            errors.Add(Invalid("Pad", "0 or greater", Axis.Pad));
        }
        else if (Axis.Same && Axis.Pad != 0)
        {
            errors.Add(Invalid("Pad", "0 with Padding = Same (Same computes the padding)", Axis.Pad));
        }

        if (errors.Count == 0 && Filters % Groups != 0)
        {
            errors.Add(Invalid("Groups", $"a divisor of the {Format.Number(Filters)} filters", Groups));
        }

        return errors;
    }

    public override LayerOutcome Infer(LayerInput input)
    {
        if (ChannelGroups.Check(this, input, Groups) is { } groups)
        {
            return LayerOutcome.Fail(groups);
        }

        var (length, _, _) = Axis.Apply(input.Shape[1]);
        if (length <= 0)
        {
            return LayerOutcome.Fail(DiagnosticInfo.At(
                DiagnosticIds.WindowLargerThanInput,
                At("kernelSize"),
                Display,
                $"length-{Format.Number(Axis.Extent)}",
                $"length-{Format.Number(input.Shape[1] + (2 * Axis.Pad))}",
                $"{Format.Number(length)} long",
                "use a smaller kernel, Padding = Padding.Same, or a longer input"));
        }

        var weights = checked(Filters * (input.Shape[0] / Groups) * Axis.Kernel);
        return LayerOutcome.Ok(Shape.Of(Filters, length), checked(weights + (UseBias ? Filters : 0)));
    }

    public override string EmitConstruction(Shape input, Shape output)
    {
        var (_, before, after) = Axis.Apply(input[1]);
        var text = $"global::TorchSharp.torch.nn.Conv1d({Format.LongLiteral(input[0])}, {Format.LongLiteral(Filters)}, {Format.LongLiteral(Axis.Kernel)}";
        text += Axis.Stride != 1 ? $", stride: {Format.LongLiteral(Axis.Stride)}" : string.Empty;
        text += before == after && before != 0 ? $", padding: {Format.LongLiteral(before)}" : string.Empty;
        text += Axis.Dilation != 1 ? $", dilation: {Format.LongLiteral(Axis.Dilation)}" : string.Empty;
        text += Groups != 1 ? $", groups: {Format.LongLiteral(Groups)}" : string.Empty;
        text += UseBias ? string.Empty : ", bias: false";
        return text + ")";
    }

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        var (_, before, after) = Axis.Apply(input[1]);
        if (before != after)
        {
            statements.Add($"x = global::TorchSharp.torch.nn.functional.pad(x, new long[] {{ {Format.Number(before)}, {Format.Number(after)} }});");
        }

        Call(statements, name);
    }

    public override void EmitOnnx(List<string> statements, LayerTrace trace)
    {
        var (_, before, after) = Axis.Apply(trace.Input[1]);
        if (before != after)
        {
            statements.Add($"x = onnx.Pad1d(x, {Format.LongLiteral(before)}, {Format.LongLiteral(after)}, {OnnxCode.Name(trace.Name, "pad")});");
        }

        OnnxCode.Module(statements, trace.Name);
    }

    public override string PythonConstruction(LayerTrace trace)
    {
        var (_, before, after) = Axis.Apply(trace.Input[1]);
        var text = $"nn.Conv1d({Py.Int(trace.Input[0])}, {Py.Int(Filters)}, {Py.Int(Axis.Kernel)}";
        text += Axis.Stride != 1 ? $", stride={Py.Int(Axis.Stride)}" : string.Empty;
        text += before == after && before != 0 ? $", padding={Py.Int(before)}" : string.Empty;
        text += Axis.Dilation != 1 ? $", dilation={Py.Int(Axis.Dilation)}" : string.Empty;
        text += Groups != 1 ? $", groups={Py.Int(Groups)}" : string.Empty;
        text += UseBias ? string.Empty : ", bias=False";
        return text + ")";
    }

    public override void EmitPython(List<string> statements, LayerTrace trace)
    {
        var (_, before, after) = Axis.Apply(trace.Input[1]);
        if (before != after)
        {
            statements.Add($"x = F.pad(x, {Py.List(new[] { before, after })})");
        }

        Py.Call(statements, trace.Name);
    }
}
