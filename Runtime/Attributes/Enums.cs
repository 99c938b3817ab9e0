namespace LayerDsl;

/// <summary>An activation applied after a layer (<c>Activation = ...</c>), or as a layer of its own.</summary>
public enum Activation
{
    /// <summary>No activation (identity).</summary>
    None = 0,

    /// <summary>max(0, x).</summary>
    ReLU = 1,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh = 2,

    /// <summary>Logistic sigmoid.</summary>
    Sigmoid = 3,

    /// <summary>Softmax over the first dimension (features or channels).</summary>
    Softmax = 4,

    /// <summary>GELU, the exact (erf) form.</summary>
    GELU = 5,

    /// <summary>SiLU (swish): x * sigmoid(x).</summary>
    SiLU = 6,

    /// <summary>Leaky ReLU with slope 0.01 (the <c>[LeakyReLU(slope)]</c> layer takes another slope).</summary>
    LeakyReLU = 7,

    /// <summary>ELU with alpha 1 (the <c>[ELU(alpha)]</c> layer takes another alpha).</summary>
    ELU = 8,

    /// <summary>Hard swish.</summary>
    Hardswish = 9,
}

/// <summary>The activation that turns a masked convolution's mask logits into weights.</summary>
public enum MaskActivation
{
    /// <summary>tanh: weights in (-1, 1), the origin's choice.</summary>
    Tanh = 0,

    /// <summary>sigmoid: weights in (0, 1), as DCNv2's modulation mask.</summary>
    Sigmoid = 1,
}
