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

/// <summary>A 2-D convolution with <c>filters</c> output channels and a square kernel.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class Conv2DAttribute : LayerAttribute
{
    /// <summary>Declares a convolution with <paramref name="filters"/> filters of size <paramref name="kernelSize"/> x <paramref name="kernelSize"/>.</summary>
    public Conv2DAttribute(int filters, int kernelSize)
    {
        Filters = filters;
        KernelSize = kernelSize;
    }

    /// <summary>Output channels.</summary>
    public int Filters { get; }

    /// <summary>Kernel height and width.</summary>
    public int KernelSize { get; }

    /// <summary>Step between kernel positions (default 1).</summary>
    public int Stride { get; set; } = 1;

    /// <summary>
    /// Border handling, with TorchSharp's own enum (<c>using TorchSharp;</c>): <see cref="TorchSharp.Padding.Valid"/>
    /// (the default, no padding) or <see cref="TorchSharp.Padding.Same"/> (zero padding so that the output is
    /// <c>ceil(input / stride)</c>, split as Keras does).
    /// </summary>
    public TorchSharp.Padding Padding { get; set; } = TorchSharp.Padding.Valid;

    /// <summary>Activation after the convolution (default none).</summary>
    public Activation Activation { get; set; } = Activation.None;
}

/// <summary>
/// The attention-masked ("deformable") convolution: a tanh-activated convolution predicts one weight per
/// kernel tap and output position, the input patch is multiplied by it, then projected to
/// <c>filters</c> channels and passed through <see cref="Activation"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaskedConvAttribute : LayerAttribute
{
    /// <summary>Declares a masked convolution with a <paramref name="kernelSize"/> x <paramref name="kernelSize"/> kernel and <paramref name="filters"/> filters.</summary>
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

    /// <summary>
    /// Border handling, with TorchSharp's own enum (<c>using TorchSharp;</c>): <see cref="TorchSharp.Padding.Valid"/>
    /// (the default, no padding) or <see cref="TorchSharp.Padding.Same"/> (zero padding so that the output is
    /// <c>ceil(input / stride)</c>, split as Keras does).
    /// </summary>
    public TorchSharp.Padding Padding { get; set; } = TorchSharp.Padding.Valid;

    /// <summary>Activation of the mask (default <see cref="LayerDsl.MaskActivation.Tanh"/>).</summary>
    public MaskActivation MaskActivation { get; set; } = MaskActivation.Tanh;

    /// <summary>Activation of the output (default <see cref="LayerDsl.Activation.ReLU"/>).</summary>
    public Activation Activation { get; set; } = Activation.ReLU;

    /// <summary>Whether the projection has a bias (default false, as in the origin's layer).</summary>
    public bool UseBias { get; set; }
}

/// <summary>Max pooling over square windows of <c>poolSize</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute : LayerAttribute
{
    /// <summary>Declares max pooling over <paramref name="poolSize"/> x <paramref name="poolSize"/> windows.</summary>
    public MaxPool2DAttribute(int poolSize = 2) => PoolSize = poolSize;

    /// <summary>Window height and width.</summary>
    public int PoolSize { get; }

    /// <summary>Step between windows; 0 (the default) means the pool size, as in Keras.</summary>
    public int Stride { get; set; }
}

/// <summary>Average pooling over square windows of <c>poolSize</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2DAttribute : LayerAttribute
{
    /// <summary>Declares average pooling over <paramref name="poolSize"/> x <paramref name="poolSize"/> windows.</summary>
    public AvgPool2DAttribute(int poolSize = 2) => PoolSize = poolSize;

    /// <summary>Window height and width.</summary>
    public int PoolSize { get; }

    /// <summary>Step between windows; 0 (the default) means the pool size, as in Keras.</summary>
    public int Stride { get; set; }
}

/// <summary>Flattens <c>[N, C, H, W]</c> to <c>[N, C*H*W]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>A fully connected layer with <c>units</c> outputs; its input size is inferred (any rank &gt; 1 input is flattened).</summary>
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

/// <summary>Batch normalisation over channels (after a spatial layer) or features (after a flat one).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BatchNormAttribute : LayerAttribute
{
    /// <summary>Added to the variance for numerical stability (default 1e-5).</summary>
    public double Epsilon { get; set; } = 1e-5;

    /// <summary>Weight of the new batch in the running statistics (default 0.1, PyTorch's convention).</summary>
    public double Momentum { get; set; } = 0.1;
}

/// <summary>A stand-alone ReLU layer.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ReLUAttribute : LayerAttribute
{
}

/// <summary>A stand-alone tanh layer.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TanhAttribute : LayerAttribute
{
}

/// <summary>A stand-alone sigmoid layer.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SigmoidAttribute : LayerAttribute
{
}

/// <summary>A stand-alone softmax layer over the feature (channel) dimension.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : LayerAttribute
{
}
