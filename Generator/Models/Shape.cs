using LayerDsl.Generator.Helpers;

namespace LayerDsl.Generator.Models;

/// <summary>
/// A tensor shape without the batch dimension: spatial <c>[C, H, W]</c> or flat <c>[F]</c> (stored in <see cref="Channels"/>).
/// </summary>
internal sealed record Shape(long Channels, long Height, long Width, bool IsFlat)
{
    public static Shape Spatial(long channels, long height, long width) => new(channels, height, width, false);

    public static Shape Flat(long features) => new(features, 1, 1, true);

    /// <summary>Number of elements per sample; inference keeps it within int.MaxValue.</summary>
    public long Size => IsFlat ? Channels : Channels * Height * Width;

    /// <summary>Dimensions in TorchSharp order, without the batch.</summary>
    public long[] Dims => IsFlat ? new[] { Channels } : new[] { Channels, Height, Width };

    /// <summary><c>[-1, C, H, W]</c> or <c>[-1, F]</c>, as summaries show shapes.</summary>
    public string ToTorchString() => IsFlat
        ? $"[-1, {Format.Number(Channels)}]"
        : $"[-1, {Format.Number(Channels)}, {Format.Number(Height)}, {Format.Number(Width)}]";

    /// <summary>How messages describe the size: <c>24 × 24 × 32 = 18432</c> (height × width × channels) or <c>18432</c>.</summary>
    public string Describe() => IsFlat
        ? Format.Number(Channels)
        : $"{Format.Number(Height)} × {Format.Number(Width)} × {Format.Number(Channels)} = {Format.Number(Size)}";

    /// <summary><c>24 × 24 × 32</c> (height × width × channels) or <c>F</c>.</summary>
    public string DescribeDims() => IsFlat
        ? Format.Number(Channels)
        : $"{Format.Number(Height)} × {Format.Number(Width)} × {Format.Number(Channels)}";
}
