using System;
using LayerDsl.Generator.Helpers;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// A sliding window over one spatial dimension: kernel, stride, dilation, and either Same padding or an explicit
/// symmetric amount.
/// </summary>
internal sealed record Axis(long Kernel, long Stride, long Dilation, bool Same, long Pad)
{
    /// <summary>The span the dilated kernel covers: <c>dilation * (kernel - 1) + 1</c>.</summary>
    public long Extent => checked((Dilation * (Kernel - 1)) + 1);

    /// <summary>
    /// Output size and padding before and after. Valid: <c>floor((n + 2 * pad - extent) / stride) + 1</c> (not positive
    /// when the window does not fit). Same: <c>ceil(n / stride)</c>, padding <c>max((out - 1) * stride + extent - n, 0)</c>
    /// split as Keras does (the extra one after).
    /// </summary>
    public (long Out, long Before, long After) Apply(long size)
    {
        if (!Same)
        {
            return (FloorDiv(checked(size + (2 * Pad) - Extent), Stride) + 1, Pad, Pad);
        }

        var output = CeilDiv(size, Stride);
        var total = Math.Max(checked(((output - 1) * Stride) + Extent - size), 0);
        return (output, total / 2, total - (total / 2));
    }

    private static long FloorDiv(long a, long b) => (a >= 0 ? a : a - b + 1) / b;

    private static long CeilDiv(long a, long b) => (a + b - 1) / b;
}

/// <summary>Output size and padding of a 2-D sliding window (convolution or pooling) over H x W.</summary>
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

    /// <summary>True when top equals bottom and left equals right, so the module's own (per-dimension) padding can do it.</summary>
    public bool IsSymmetric => Top == Bottom && Left == Right;

    /// <summary>The padding the module itself applies (height, width): the amounts when symmetric, else 0 (see <see cref="PadStatement"/>).</summary>
    public (long Height, long Width) ModulePadding => IsSymmetric ? (Top, Left) : (0, 0);

    public static Window Compute(long height, long width, Axis vertical, Axis horizontal)
    {
        var (outHeight, top, bottom) = vertical.Apply(height);
        var (outWidth, left, right) = horizontal.Apply(width);
        return new Window(outHeight, outWidth, top, bottom, left, right);
    }

    /// <summary>A square window with the same settings in both dimensions.</summary>
    public static Window Compute(long height, long width, long kernel, long stride, bool same) =>
        Compute(height, width, new Axis(kernel, stride, 1, same, 0), new Axis(kernel, stride, 1, same, 0));

    /// <summary>True when all four sides are padded alike, for modules that take a single padding amount.</summary>
    public bool IsUniform => IsSymmetric && Top == Left;

    /// <summary>
    /// The explicit padding statement when the module cannot pad this way itself (the module pads nothing then), or null:
    /// asymmetric padding, or for a module with one amount for every side (<paramref name="uniformOnly"/>), any padding
    /// that differs between height and width.
    /// </summary>
    public string? PadStatement(bool uniformOnly = false) => (uniformOnly ? IsUniform : IsSymmetric)
        ? null
        : $"x = global::TorchSharp.torch.nn.functional.pad(x, new long[] {{ {Format.Number(Left)}, {Format.Number(Right)}, {Format.Number(Top)}, {Format.Number(Bottom)} }});";
}
