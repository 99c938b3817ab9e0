namespace LayerDsl;

/// <summary>An activation applied after a layer, or as a layer of its own.</summary>
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

    /// <summary>Softmax over the feature (channel) dimension.</summary>
    Softmax = 4,
}

/// <summary>The activation that turns a masked convolution's mask logits into weights.</summary>
public enum MaskActivation
{
    /// <summary>tanh: weights in (-1, 1), the origin's choice.</summary>
    Tanh = 0,

    /// <summary>sigmoid: weights in (0, 1), as DCNv2's modulation mask.</summary>
    Sigmoid = 1,
}
