using System;
using static TorchSharp.torch;

namespace LayerDsl;

/// <summary>Memory layouts generated models choose for their feature maps.</summary>
public static class MemoryLayout
{
    /// <summary>
    /// The same <c>[N, C, H, W]</c> tensor (shape and values) with channels-last strides: NHWC in memory, as
    /// PyTorch's <c>memory_format=torch.channels_last</c>. libtorch's 2-D convolutions, BatchNorm, pooling and
    /// element-wise operations keep that layout and run oneDNN's channels-last kernels on it. A tensor that already has
    /// it is returned as a view, without a copy; differentiable.
    /// </summary>
    /// <param name="x">A 4-D tensor.</param>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 4-D.</exception>
    public static Tensor ChannelsLast(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 4)
            throw new ArgumentException($"Channels-last needs a 4-D [N, C, H, W] tensor; got [{string.Join(", ", x.shape)}].", nameof(x));
        return x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
    }

    /// <summary>True when <paramref name="x"/>, a 4-D tensor, is laid out channels-last (NHWC in memory).</summary>
    /// <param name="x">A 4-D tensor.</param>
    public static bool IsChannelsLast(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.dim() == 4 && x.permute(0, 2, 3, 1).is_contiguous();
    }
}
