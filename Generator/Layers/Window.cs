using System;

namespace LayerDsl.Generator.Layers;

/// <summary>Output size and padding of a square sliding window (convolution or pooling) over H x W.</summary>
internal readonly struct Window
{
    private Window(long outHeight, long outWidth, long top, long bottom, long left, long right)
    {
        OutHeight = outHeight;
        OutWidth = outWidth;
        Top = top;
        Bottom = bottom;
        Left = left;
        Right = right;
    }

    public long OutHeight { get; }

    public long OutWidth { get; }

    public long Top { get; }

    public long Bottom { get; }

    public long Left { get; }

    public long Right { get; }

    public bool Fits => OutHeight > 0 && OutWidth > 0;

    /// <summary>True when all four sides are padded alike, so the module's own padding argument can do it.</summary>
    public bool IsSymmetric => Top == Bottom && Left == Right && Top == Left;

    /// <summary>The padding the module itself applies: the common amount when symmetric, else 0 (see <see cref="PadStatement"/>).</summary>
    public long ModulePadding => IsSymmetric ? Top : 0;

    /// <summary>
    /// Valid: <c>floor((H - k) / s) + 1</c> (non-positive when the window does not fit).
    /// Same: <c>ceil(H / s)</c>, padding <c>max((out - 1) * s + k - H, 0)</c> split as Keras does (the extra row or
    /// column at the bottom or right).
    /// </summary>
    public static Window Compute(long height, long width, long kernel, long stride, bool same)
    {
        if (!same)
        {
            return new Window(FloorDiv(height - kernel, stride) + 1, FloorDiv(width - kernel, stride) + 1, 0, 0, 0, 0);
        }

        var outHeight = CeilDiv(height, stride);
        var outWidth = CeilDiv(width, stride);
        var padHeight = Math.Max(checked(((outHeight - 1) * stride) + kernel - height), 0);
        var padWidth = Math.Max(checked(((outWidth - 1) * stride) + kernel - width), 0);
        return new Window(outHeight, outWidth, padHeight / 2, padHeight - (padHeight / 2), padWidth / 2, padWidth - (padWidth / 2));
    }

    /// <summary>The explicit padding statement for asymmetric padding (the module pads nothing then), or null.</summary>
    public string? PadStatement() => IsSymmetric
        ? null
        : $"x = global::TorchSharp.torch.nn.functional.pad(x, new long[] {{ {Left}, {Right}, {Top}, {Bottom} }});";

    private static long FloorDiv(long a, long b) => (a >= 0 ? a : a - b + 1) / b;

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}
