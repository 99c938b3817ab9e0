using System.Collections.Generic;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary><c>[ReLU]</c>, <c>[Tanh]</c>, <c>[Sigmoid]</c>, <c>[Softmax]</c>: a stand-alone activation.</summary>
internal sealed record ActivationLayer(string Display, int Index, ActivationKind Function) : LayerSpec(Display, Index)
{
    public override string Kind => Function.ToString();

    public override string NamePrefix => Function.ToString().ToLowerInvariant();

    public override ActivationKind Activation => Function;

    public override bool PreservesSize => true;

    public static LayerSpec ParseReLU(AttributeArgs a) => new ActivationLayer(a.Display, a.Index, ActivationKind.ReLU);

    public static LayerSpec ParseTanh(AttributeArgs a) => new ActivationLayer(a.Display, a.Index, ActivationKind.Tanh);

    public static LayerSpec ParseSigmoid(AttributeArgs a) => new ActivationLayer(a.Display, a.Index, ActivationKind.Sigmoid);

    public static LayerSpec ParseSoftmax(AttributeArgs a) => new ActivationLayer(a.Display, a.Index, ActivationKind.Softmax);

    public override LayerOutcome Infer(LayerInput input) => LayerOutcome.Ok(input.Shape);

    public override void EmitForward(List<string> statements, string name, Shape input, Shape output)
    {
        // The activation statement itself is emitted by the emitter, like every layer's activation.
    }
}
