using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary><c>[Conv2D(filters, kernelSize, Stride, Padding, Activation)]</c>: TorchSharp's Conv2d.</summary>
internal sealed record Conv2DLayer(string Display, int Index, long Filters, long KernelSize, long Stride, int Padding, int ActivationValue)
    : LayerSpec(Display, Index)
{
    public override string Kind => "Conv2D";

    public override string NamePrefix => "conv";

    public override InputRanks Ranks => InputRanks.Spatial2D;

    public override string? ModuleType(Shape input) => "global::TorchSharp.Modules.Conv2d";

    public override ActivationKind Activation => (ActivationKind)ActivationValue;

    public override string Gloss => ConvolutionAdvice.Gloss(Filters, KernelSize);

    public static LayerSpec Parse(AttributeArgs a) => new Conv2DLayer(
        a.Display, a.Index, a.Long("filters"), a.Long("kernelSize"), a.Long("Stride", 1), a.Enum("Padding"), a.Enum("Activation"));

    public override IEnumerable<DiagnosticInfo> ValidateArguments() =>
        Positive("filters", Filters)
            .Concat(Positive("kernelSize", KernelSize))
            .Concat(Positive("Stride", Stride))
            .Concat(Defined("Padding", Padding, 1))
            .Concat(Defined("Activation", ActivationValue, Activations.MaxValue));

    public override IEnumerable<DiagnosticInfo> Advise(Shape input) =>
        ConvolutionAdvice.SwappedArguments(this, input, Filters, KernelSize, $"Conv2D({KernelSize}, {Filters})", "Conv2D takes (filters, kernelSize)");

    public override LayerOutcome Infer(LayerInput input) =>
        WindowRule.Apply(this, input.Shape, KernelSize, Stride, Padding == 1, "kernelSize", isPool: false, out var window) is { } error
            ? LayerOutcome.Fail(error)
            : LayerOutcome.Ok(
                Shape.Of(Filters, window.OutHeight, window.OutWidth),
                checked((Filters * input.Shape[0] * KernelSize * KernelSize) + Filters));

    public override string EmitConstruction(Shape input, Shape output)
    {
        var window = WindowRule.Of(input, KernelSize, Stride, Padding == 1);
        var padding = window.ModulePadding > 0 ? $", padding: {Format.LongLiteral(window.ModulePadding)}" : string.Empty;
        var stride = Stride != 1 ? $", stride: {Format.LongLiteral(Stride)}" : string.Empty;
        return $"global::TorchSharp.torch.nn.Conv2d({Format.LongLiteral(input[0])}, {Format.LongLiteral(Filters)}, {Format.LongLiteral(KernelSize)}{stride}{padding})";
    }

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        if (WindowRule.Of(input, KernelSize, Stride, Padding == 1).PadStatement() is { } pad)
        {
            statements.Add(pad);
        }

        Call(statements, name);
    }
}
