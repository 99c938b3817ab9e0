using System;

namespace LayerDsl;

/// <summary>A stand-alone ReLU layer: max(0, x).</summary>
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

/// <summary>A stand-alone softmax layer over the first dimension (features or channels).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SoftmaxAttribute : LayerAttribute
{
}

/// <summary>A stand-alone GELU layer (the exact, erf-based form).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GELUAttribute : LayerAttribute
{
}

/// <summary>A stand-alone SiLU (swish) layer: x * sigmoid(x).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SiLUAttribute : LayerAttribute
{
}

/// <summary>A stand-alone hard-swish layer, as MobileNetV3 uses.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class HardswishAttribute : LayerAttribute
{
}

/// <summary>A stand-alone leaky ReLU layer: x for x &gt; 0, slope * x otherwise.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LeakyReLUAttribute : LayerAttribute
{
    /// <summary>Declares a leaky ReLU with the given negative slope (default 0.01, PyTorch's).</summary>
    public LeakyReLUAttribute(double slope = 0.01) => Slope = slope;

    /// <summary>The slope for negative inputs.</summary>
    public double Slope { get; }
}

/// <summary>A stand-alone ELU layer: x for x &gt; 0, alpha * (exp(x) - 1) otherwise.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ELUAttribute : LayerAttribute
{
    /// <summary>Declares an ELU with the given alpha (default 1).</summary>
    public ELUAttribute(double alpha = 1.0) => Alpha = alpha;

    /// <summary>The saturation value for negative inputs.</summary>
    public double Alpha { get; }
}
