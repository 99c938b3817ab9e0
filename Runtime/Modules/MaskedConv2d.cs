using System;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Modules;

/// <summary>
/// The attention-masked ("deformable") convolution; see DESIGN.md for its semantics.
/// Placeholder signature: the real implementation replaces this body.
/// </summary>
public sealed class MaskedConv2d : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public MaskedConv2d(long inChannels, long filters, long kernelSize, long stride = 1, long padding = 0,
        MaskActivation maskActivation = MaskActivation.Tanh, Activation activation = Activation.ReLU,
        bool bias = false, Device? device = null, string name = "MaskedConv2d")
        : base(name)
    {
        throw new NotImplementedException();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => throw new NotImplementedException();
}
