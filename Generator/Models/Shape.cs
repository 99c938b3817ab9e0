using System.Linq;
using LayerDsl.Generator.Helpers;

namespace LayerDsl.Generator.Models;

/// <summary>
/// A tensor shape without the batch dimension, of any rank, in TorchSharp order: <c>[F]</c>, <c>[C, L]</c>,
/// <c>[C, H, W]</c>, ...
/// </summary>
internal sealed record Shape(EquatableArray<long> Dims)
{
    public static Shape Of(params long[] dims) => new(dims.ToEquatableArray());

    public int Rank => Dims.Count;

    public long this[int index] => Dims[index];

    /// <summary>Number of values per sample; inference keeps it within <see cref="ShapeInference.MaxValuesPerSample"/>.</summary>
    public long Size
    {
        get
        {
            long size = 1;
            foreach (var dim in Dims)
            {
                size = checked(size * dim);
            }

            return size;
        }
    }

    /// <summary>The number of values per sample, or null when it exceeds <paramref name="limit"/> (never overflows).</summary>
    public long? SizeUpTo(long limit)
    {
        long size = 1;
        foreach (var dim in Dims)
        {
            if (dim > limit || (dim > 0 && size > limit / dim))
            {
                return null;
            }

            size *= dim;
        }

        return size <= limit ? size : null;
    }

    public long[] ToArray() => Dims.ToArray();

    /// <summary><c>[-1, C, H, W]</c>, as summaries show shapes (the batch as -1).</summary>
    public string ToTorchString() => "[-1, " + string.Join(", ", Dims.Select(Format.Number)) + "]";

    /// <summary><c>[C, H, W]</c>, the shape without the batch, as messages show it.</summary>
    public override string ToString() => "[" + string.Join(", ", Dims.Select(Format.Number)) + "]";

    /// <summary>
    /// How messages describe the size: <c>24 × 24 × 32 = 18432</c> for <c>[C, H, W]</c> (height × width × channels, the
    /// order Keras users write), <c>32 × 100 = 3200</c> for other ranks, <c>18432</c> for a flat shape.
    /// </summary>
    public string Describe()
    {
        if (Rank == 1)
        {
            return Format.Number(Dims[0]);
        }

        var size = SizeUpTo(long.MaxValue);
        return DescribeDims() + (size is { } s ? " = " + Format.Number(s) : string.Empty);
    }

    /// <summary><c>24 × 24 × 32</c> (height × width × channels for <c>[C, H, W]</c>), or the dims in order.</summary>
    public string DescribeDims() => Rank == 3
        ? $"{Format.Number(Dims[1])} × {Format.Number(Dims[2])} × {Format.Number(Dims[0])}"
        : string.Join(" × ", Dims.Select(Format.Number));
}
