using System;

namespace LayerDsl;

/// <summary>A 2-D convolution over <c>[C, H, W]</c> with <c>filters</c> output channels (TorchSharp's Conv2d).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : Convolution2DAttribute
{
    /// <summary>Declares <paramref name="filters"/> filters of <paramref name="kernelSize"/> x <paramref name="kernelSize"/> (Keras' order: filters first).</summary>
    public Conv2DAttribute(int filters, int kernelSize)
        : this(filters, kernelSize, kernelSize)
    {
    }

    /// <summary>Declares <paramref name="filters"/> filters of <paramref name="kernelHeight"/> x <paramref name="kernelWidth"/>.</summary>
    public Conv2DAttribute(int filters, int kernelHeight, int kernelWidth)
        : base(kernelHeight, kernelWidth) => Filters = filters;

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Splits the channels into groups convolved separately (default 1); must divide the input channels and the filters.</summary>
    public int Groups { get; set; } = 1;
}

/// <summary>
/// A depthwise 2-D convolution: each input channel convolved with its own <see cref="DepthMultiplier"/> filters
/// (Conv2d with <c>groups = channels</c>), as MobileNet uses.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DepthwiseConv2DAttribute : Convolution2DAttribute
{
    /// <summary>Declares a <paramref name="kernelSize"/> x <paramref name="kernelSize"/> depthwise convolution.</summary>
    public DepthwiseConv2DAttribute(int kernelSize)
        : base(kernelSize, kernelSize)
    {
    }

    /// <summary>Declares a <paramref name="kernelHeight"/> x <paramref name="kernelWidth"/> depthwise convolution.</summary>
    public DepthwiseConv2DAttribute(int kernelHeight, int kernelWidth)
        : base(kernelHeight, kernelWidth)
    {
    }

    /// <summary>Output channels per input channel (default 1).</summary>
    public int DepthMultiplier { get; set; } = 1;
}

/// <summary>
/// A transposed 2-D convolution (TorchSharp's ConvTranspose2d), which grows the image: with <c>Padding.Valid</c> the
/// output side is <c>(H - 1) * stride - 2 * pad + dilation * (kernel - 1) + OutputPadding + 1</c>; with
/// <c>Padding.Same</c> it is <c>H * stride</c>, as Keras' Conv2DTranspose.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ConvTranspose2DAttribute : Convolution2DAttribute
{
    /// <summary>Declares <paramref name="filters"/> filters of <paramref name="kernelSize"/> x <paramref name="kernelSize"/>.</summary>
    public ConvTranspose2DAttribute(int filters, int kernelSize)
        : this(filters, kernelSize, kernelSize)
    {
    }

    /// <summary>Declares <paramref name="filters"/> filters of <paramref name="kernelHeight"/> x <paramref name="kernelWidth"/>.</summary>
    public ConvTranspose2DAttribute(int filters, int kernelHeight, int kernelWidth)
        : base(kernelHeight, kernelWidth) => Filters = filters;

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Extra rows and columns added at the bottom and right (default 0); below the stride or the dilation.</summary>
    public int OutputPadding { get; set; }
}

/// <summary>
/// The attention-masked ("deformable") convolution: a convolution predicts one weight per kernel tap and output
/// position (tanh by default), the input patch is multiplied by it, then projected to <c>filters</c> channels and
/// passed through <see cref="Activation"/> (ReLU by default).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaskedConvAttribute : LayerAttribute
{
    /// <summary>Declares a masked convolution with a <paramref name="kernelSize"/> x <paramref name="kernelSize"/> kernel and <paramref name="filters"/> filters (the origin's order: kernel first).</summary>
    public MaskedConvAttribute(int kernelSize, int filters)
    {
        KernelSize = kernelSize;
        Filters = filters;
    }

    /// <summary>Kernel height and width.</summary>
    public int KernelSize { get; }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Step between kernel positions (default 1).</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Border handling, with TorchSharp's own enum: <c>Padding.Valid</c> (the default) or <c>Padding.Same</c>.</summary>
    public TorchSharp.Padding Padding { get; set; } = TorchSharp.Padding.Valid;

    /// <summary>Activation of the mask (default <see cref="LayerDsl.MaskActivation.Tanh"/>).</summary>
    public MaskActivation MaskActivation { get; set; } = MaskActivation.Tanh;

    /// <summary>Activation of the output (default <see cref="LayerDsl.Activation.ReLU"/>).</summary>
    public Activation Activation { get; set; } = Activation.ReLU;

    /// <summary>Whether the projection has a bias (default false, as in the origin's layer).</summary>
    public bool UseBias { get; set; }
}

/// <summary>A 1-D convolution over <c>[C, L]</c> with <c>filters</c> output channels (TorchSharp's Conv1d).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv1DAttribute : LayerAttribute
{
    /// <summary>Declares <paramref name="filters"/> filters of length <paramref name="kernelSize"/>.</summary>
    public Conv1DAttribute(int filters, int kernelSize)
    {
        Filters = filters;
        KernelSize = kernelSize;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel length.</summary>
    public int KernelSize { get; }

    /// <summary>Step between kernel positions (default 1).</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Border handling, with TorchSharp's own enum: <c>Padding.Valid</c> (the default, or <see cref="Pad"/>) or <c>Padding.Same</c>.</summary>
    public TorchSharp.Padding Padding { get; set; } = TorchSharp.Padding.Valid;

    /// <summary>Explicit zero padding at both ends (default 0); not with <c>Padding.Same</c>.</summary>
    public int Pad { get; set; }

    /// <summary>Spacing between kernel taps (default 1).</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Splits the channels into groups convolved separately (default 1).</summary>
    public int Groups { get; set; } = 1;

    /// <summary>Whether the layer has a learnable bias per output channel (default true).</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Activation after the layer (default none).</summary>
    public Activation Activation { get; set; } = Activation.None;
}

/// <summary>
/// A deformable convolution (DCN; DCNv2 with <see cref="Modulated"/>, the default): an offset branch predicts, for every
/// output position and kernel tap, where to sample (bilinear, zero outside the image), a mask branch weighs each sample,
/// then a <c>filters</c>-channel convolution combines them (<c>LayerDsl.Modules.DeformConv2d</c>, torchvision's
/// <c>deform_conv2d</c> semantics). Both branches start at zero: at first it is a plain convolution with half-weighted taps.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DeformConvAttribute : LayerAttribute
{
    /// <summary>Declares a deformable convolution with a <paramref name="kernelSize"/> x <paramref name="kernelSize"/> kernel and <paramref name="filters"/> filters (the masked convolution's order: kernel first).</summary>
    public DeformConvAttribute(int kernelSize, int filters)
    {
        KernelSize = kernelSize;
        Filters = filters;
    }

    /// <summary>Kernel height and width.</summary>
    public int KernelSize { get; }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Step between kernel positions (default 1).</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Border handling, with TorchSharp's own enum: <c>Padding.Valid</c> (the default) or <c>Padding.Same</c>.</summary>
    public TorchSharp.Padding Padding { get; set; } = TorchSharp.Padding.Valid;

    /// <summary>Spacing between kernel taps (default 1).</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>True (the default) for DCNv2: a sigmoid mask per sample; false for DCNv1: offsets only.</summary>
    public bool Modulated { get; set; } = true;

    /// <summary>Groups of input channels that share offsets (default 1); must divide the input channels.</summary>
    public int OffsetGroups { get; set; } = 1;

    /// <summary>Activation of the output (default <see cref="LayerDsl.Activation.ReLU"/>, as the masked convolution).</summary>
    public Activation Activation { get; set; } = Activation.ReLU;

    /// <summary>Whether the main convolution has a bias (default true).</summary>
    public bool UseBias { get; set; } = true;
}
