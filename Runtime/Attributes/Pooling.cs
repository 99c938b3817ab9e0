using System;

namespace LayerDsl;

/// <summary>Options shared by the 2-D pooling windows: the window and its step (valid pooling, no padding).</summary>
public abstract class Pooling2DAttribute : LayerAttribute
{
    private protected Pooling2DAttribute(int poolHeight, int poolWidth)
    {
        PoolHeight = poolHeight;
        PoolWidth = poolWidth;
    }

    /// <summary>Window height.</summary>
    public int PoolHeight { get; }

    /// <summary>Window width.</summary>
    public int PoolWidth { get; }

    /// <summary>Step between windows in both dimensions; 0 (the default) means the window size, as in Keras.</summary>
    public int Stride { get; set; }

    /// <summary>Vertical step; 0 (the default) means <see cref="Stride"/>.</summary>
    public int StrideHeight { get; set; }

    /// <summary>Horizontal step; 0 (the default) means <see cref="Stride"/>.</summary>
    public int StrideWidth { get; set; }
}

/// <summary>Max pooling over windows of <c>poolSize</c> x <c>poolSize</c> (or height x width) on <c>[C, H, W]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool2DAttribute : Pooling2DAttribute
{
    /// <summary>Declares max pooling over <paramref name="poolSize"/> x <paramref name="poolSize"/> windows.</summary>
    public MaxPool2DAttribute(int poolSize = 2)
        : base(poolSize, poolSize)
    {
    }

    /// <summary>Declares max pooling over <paramref name="poolHeight"/> x <paramref name="poolWidth"/> windows.</summary>
    public MaxPool2DAttribute(int poolHeight, int poolWidth)
        : base(poolHeight, poolWidth)
    {
    }
}

/// <summary>Average pooling over windows of <c>poolSize</c> x <c>poolSize</c> (or height x width) on <c>[C, H, W]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool2DAttribute : Pooling2DAttribute
{
    /// <summary>Declares average pooling over <paramref name="poolSize"/> x <paramref name="poolSize"/> windows.</summary>
    public AvgPool2DAttribute(int poolSize = 2)
        : base(poolSize, poolSize)
    {
    }

    /// <summary>Declares average pooling over <paramref name="poolHeight"/> x <paramref name="poolWidth"/> windows.</summary>
    public AvgPool2DAttribute(int poolHeight, int poolWidth)
        : base(poolHeight, poolWidth)
    {
    }
}

/// <summary>Max pooling over windows of <c>poolSize</c> along the length of <c>[C, L]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaxPool1DAttribute : LayerAttribute
{
    /// <summary>Declares max pooling over windows of <paramref name="poolSize"/>.</summary>
    public MaxPool1DAttribute(int poolSize = 2) => PoolSize = poolSize;

    /// <summary>Window length.</summary>
    public int PoolSize { get; }

    /// <summary>Step between windows; 0 (the default) means the pool size.</summary>
    public int Stride { get; set; }
}

/// <summary>Average pooling over windows of <c>poolSize</c> along the length of <c>[C, L]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class AvgPool1DAttribute : LayerAttribute
{
    /// <summary>Declares average pooling over windows of <paramref name="poolSize"/>.</summary>
    public AvgPool1DAttribute(int poolSize = 2) => PoolSize = poolSize;

    /// <summary>Window length.</summary>
    public int PoolSize { get; }

    /// <summary>Step between windows; 0 (the default) means the pool size.</summary>
    public int Stride { get; set; }
}

/// <summary>The mean over height and width: <c>[C, H, W]</c> to <c>[C]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPool2DAttribute : LayerAttribute
{
}

/// <summary>The maximum over height and width: <c>[C, H, W]</c> to <c>[C]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalMaxPool2DAttribute : LayerAttribute
{
}

/// <summary>The mean over the length: <c>[C, L]</c> to <c>[C]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAvgPool1DAttribute : LayerAttribute
{
}

/// <summary>The maximum over the length: <c>[C, L]</c> to <c>[C]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalMaxPool1DAttribute : LayerAttribute
{
}
