using System;

namespace LayerDsl;

/// <summary>Flattens a sample to one dimension: <c>[C, H, W]</c> to <c>[C*H*W]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>A fully connected layer with <c>units</c> outputs; its input size is inferred (a shaped input is flattened).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>Declares a dense layer with <paramref name="units"/> outputs.</summary>
    public DenseAttribute(int units) => Units = units;

    /// <summary>Output features.</summary>
    public int Units { get; }

    /// <summary>Activation after the layer (default none).</summary>
    public Activation Activation { get; set; } = Activation.None;

    /// <summary>
    /// Optional pin of the input features, the way TorchSharp's Linear demands them; 0 (the default) means
    /// inferred. A pin that disagrees with the inferred size is a compile-time error.
    /// </summary>
    public int InFeatures { get; set; }

    /// <summary>Whether the layer has a learnable bias (default true).</summary>
    public bool UseBias { get; set; } = true;
}

/// <summary>Randomly zeroes a fraction <c>rate</c> of activations while training.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>Declares dropout with probability <paramref name="rate"/>, in [0, 1).</summary>
    public DropoutAttribute(double rate) => Rate = rate;

    /// <summary>Probability of zeroing an activation.</summary>
    public double Rate { get; }
}

/// <summary>Batch normalisation over the first (channel) dimension: after <c>[C, H, W]</c>, <c>[C, L]</c> or <c>[F]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute : LayerAttribute
{
    /// <summary>Added to the variance for numerical stability (default 1e-5).</summary>
    public double Epsilon { get; set; } = 1e-5;

    /// <summary>Weight of the new batch in the running statistics (default 0.1, PyTorch's convention).</summary>
    public double Momentum { get; set; } = 0.1;
}

/// <summary>Layer normalisation over the last dimension (Keras' default axis), with a learnable scale and shift.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LayerNormAttribute : LayerAttribute
{
    /// <summary>Added to the variance for numerical stability (default 1e-5).</summary>
    public double Epsilon { get; set; } = 1e-5;
}

/// <summary>
/// Reshapes a sample (the batch stays): <c>[Reshape(32, 7, 7)]</c>. One dimension may be -1, inferred from the others;
/// the element count must not change.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReshapeAttribute : LayerAttribute
{
    /// <summary>Declares the new shape of one sample, without the batch.</summary>
    public ReshapeAttribute(params int[] shape) => Shape = shape;

    /// <summary>The new shape of one sample.</summary>
    public int[] Shape { get; }
}

/// <summary>
/// Reorders a sample's dimensions (the batch stays first): <c>[Permute(1, 0)]</c> turns <c>[C, L]</c> into <c>[L, C]</c>.
/// Axes count from 0 without the batch and must be a permutation.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PermuteAttribute : LayerAttribute
{
    /// <summary>Declares the new order of the sample's axes.</summary>
    public PermuteAttribute(params int[] axes) => Axes = axes;

    /// <summary>The new order of the sample's axes.</summary>
    public int[] Axes { get; }
}

/// <summary>Enlarges <c>[C, H, W]</c> by an integer factor: nearest-neighbour (default) or bilinear.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Upsample2DAttribute : LayerAttribute
{
    /// <summary>Declares upsampling by <paramref name="scale"/> in height and width.</summary>
    public Upsample2DAttribute(int scale = 2) => Scale = scale;

    /// <summary>The factor for height and width.</summary>
    public int Scale { get; }

    /// <summary>Interpolation, with TorchSharp's own enum (<c>using static TorchSharp.torch;</c>): <c>UpsampleMode.Nearest</c> (the default) or <c>UpsampleMode.Bilinear</c>.</summary>
    public TorchSharp.torch.UpsampleMode Mode { get; set; } = TorchSharp.torch.UpsampleMode.Nearest;
}
