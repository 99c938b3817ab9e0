using System;
using static TorchSharp.torch;

namespace LayerDsl.Modules;

/// <summary>Applies an <see cref="Activation"/> the way generated models do.</summary>
internal static class Activations
{
    public static Tensor Apply(Activation activation, Tensor x) => activation switch
    {
        Activation.None => x,
        Activation.ReLU => nn.functional.relu(x),
        Activation.Tanh => x.tanh(),
        Activation.Sigmoid => x.sigmoid(),
        Activation.Softmax => x.softmax(1),
        Activation.GELU => nn.functional.gelu(x),
        Activation.SiLU => nn.functional.silu(x),
        Activation.LeakyReLU => nn.functional.leaky_relu(x, 0.01),
        Activation.ELU => nn.functional.elu(x, 1.0),
        Activation.Hardswish => nn.functional.hardswish(x),
        _ => throw new InvalidOperationException($"Unknown activation {activation}."),
    };
}
