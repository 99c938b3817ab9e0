using System;
using static TorchSharp.torch;

namespace LayerDsl;

/// <summary>Run-time input checks used by generated models, so a wrong shape never reaches libtorch.</summary>
public static class ShapeGuard
{
    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the expected NCHW shape and the actual one unless
    /// <paramref name="input"/> is <c>[batch, channels, height, width]</c>.
    /// </summary>
    public static void CheckInput(Tensor input, string model, long channels, long height, long width)
    {
        ArgumentNullException.ThrowIfNull(input);
        var shape = input.shape;
        if (shape.Length == 4 && shape[1] == channels && shape[2] == height && shape[3] == width)
        {
            return;
        }

        throw new ArgumentException(
            $"{model} expects input of shape [batch, {channels}, {height}, {width}] (NCHW: batch, channels, height, width), " +
            $"but got [{string.Join(", ", shape)}].",
            nameof(input));
    }
}
