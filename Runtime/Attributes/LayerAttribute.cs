using System;

namespace LayerDsl;

/// <summary>
/// Base of every layer attribute; layers run in the order their attributes appear in source. Only LayerDsl declares
/// layer attributes (each has a rule in the generator); bring your own module into a model with a shape contract instead.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class LayerAttribute : Attribute
{
    /// <summary>Only LayerDsl's own attributes derive from this class.</summary>
    private protected LayerAttribute()
    {
    }
}

/// <summary>
/// Options shared by the convolutions over <c>[C, H, W]</c>: stride, padding (Valid or Same, or explicit amounts),
/// dilation, bias and activation. A per-dimension value (<c>StrideHeight</c>, <c>PadWidth</c>, ...) overrides the value
/// for both dimensions; 0 means "not set".
/// </summary>
public abstract class Convolution2DAttribute : LayerAttribute
{
    private protected Convolution2DAttribute(int kernelHeight, int kernelWidth)
    {
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
    }

    /// <summary>Kernel height.</summary>
    public int KernelHeight { get; }

    /// <summary>Kernel width.</summary>
    public int KernelWidth { get; }

    /// <summary>Step between kernel positions in both dimensions (default 1).</summary>
    public int Stride { get; set; } = 1;

    /// <summary>Vertical step; 0 (the default) means <see cref="Stride"/>.</summary>
    public int StrideHeight { get; set; }

    /// <summary>Horizontal step; 0 (the default) means <see cref="Stride"/>.</summary>
    public int StrideWidth { get; set; }

    /// <summary>
    /// Border handling, with TorchSharp's own enum (<c>using TorchSharp;</c>): <see cref="TorchSharp.Padding.Valid"/>
    /// (the default: no padding, or the explicit <see cref="Pad"/> amounts) or <see cref="TorchSharp.Padding.Same"/>
    /// (zero padding so that the output is <c>ceil(input / stride)</c>, the extra row or column at the bottom or right,
    /// as Keras does).
    /// </summary>
    public TorchSharp.Padding Padding { get; set; } = TorchSharp.Padding.Valid;

    /// <summary>Explicit zero padding on every side (default 0); not with <c>Padding.Same</c>.</summary>
    public int Pad { get; set; }

    /// <summary>Explicit zero padding at the top and bottom; 0 (the default) means <see cref="Pad"/>.</summary>
    public int PadHeight { get; set; }

    /// <summary>Explicit zero padding at the left and right; 0 (the default) means <see cref="Pad"/>.</summary>
    public int PadWidth { get; set; }

    /// <summary>Spacing between kernel taps in both dimensions (default 1: adjacent).</summary>
    public int Dilation { get; set; } = 1;

    /// <summary>Whether the layer has a learnable bias per output channel (default true).</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Activation after the layer (default none).</summary>
    public Activation Activation { get; set; } = Activation.None;
}
