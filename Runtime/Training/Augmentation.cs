using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace LayerDsl.Training;

/// <summary>
/// Data augmentation of image batches <c>[N, C, H, W]</c> during training: random crop with zero padding, horizontal flip
/// and random erasing (Zhong et al., 2020), each off by default. <see cref="Trainer"/> applies it to every training batch
/// on the training device (never to the test set), with random numbers that depend only on (seed, epoch, batch), so a
/// resumed run augments exactly as an uninterrupted one.
/// </summary>
public sealed record Augmentation
{
    /// <summary>No augmentation (the default).</summary>
    public static Augmentation None { get; } = new();

    /// <summary>
    /// Random crop: each image is padded with this many zero pixels on every side and an <c>H x W</c> window is cut at a
    /// random position, so the content shifts by up to this many pixels each way. 0 (the default) turns it off.
    /// </summary>
    public int CropPadding { get; init; }

    /// <summary>Mirror each image left to right with probability 1/2.</summary>
    public bool HorizontalFlip { get; init; }

    /// <summary>
    /// Random erasing: the probability that an image gets one rectangle set to zero. 0 (the default) turns it off; Zhong et
    /// al. use 0.5.
    /// </summary>
    public double EraseProbability { get; init; }

    /// <summary>The smallest erased area, as a fraction of the image (Zhong et al.: 0.02).</summary>
    public double EraseMinArea { get; init; } = 0.02;

    /// <summary>The largest erased area, as a fraction of the image (Zhong et al.: 0.4).</summary>
    public double EraseMaxArea { get; init; } = 0.4;

    /// <summary>The smallest height-to-width ratio of the erased rectangle; the largest is its inverse (Zhong et al.: 0.3).</summary>
    public double EraseMinAspect { get; init; } = 0.3;

    /// <summary>Whether any operation is on.</summary>
    public bool IsNone => CropPadding == 0 && !HorizontalFlip && EraseProbability == 0;

    /// <summary>
    /// The operations that are on and their parameters, such as <c>crop(padding 4), flip, erase(p 0.5, area 0.02-0.4,
    /// aspect 0.3-3.33)</c>, or <c>none</c>. Checkpoints record it; a run resumes only with the same text.
    /// </summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (CropPadding != 0)
        {
            parts.Add(FormattableString.Invariant($"crop(padding {CropPadding})"));
        }

        if (HorizontalFlip)
        {
            parts.Add("flip");
        }

        if (EraseProbability != 0)
        {
            parts.Add(FormattableString.Invariant(
                $"erase(p {EraseProbability:G}, area {EraseMinArea:G}-{EraseMaxArea:G}, aspect {EraseMinAspect:G}-{1 / EraseMinAspect:0.##})"));
        }

        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting outside its range and the range.</summary>
    public void Validate()
    {
        if (CropPadding < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(CropPadding), CropPadding, "the crop padding cannot be negative; use 0 to turn the crop off");
        }

        if (EraseProbability is < 0 or > 1 || double.IsNaN(EraseProbability))
        {
            throw new ArgumentOutOfRangeException(nameof(EraseProbability), EraseProbability, "the erase probability must be between 0 and 1");
        }

        if (EraseMinArea is not > 0 || EraseMaxArea is not <= 1 || EraseMinArea > EraseMaxArea)
        {
            throw new ArgumentOutOfRangeException(nameof(EraseMinArea), $"{EraseMinArea}-{EraseMaxArea}", "the erased area must be a range of fractions with 0 < minimum <= maximum <= 1");
        }

        if (EraseMinAspect is not > 0 || EraseMinAspect > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(EraseMinAspect), EraseMinAspect, "the smallest aspect ratio must be in (0, 1]; the largest is its inverse");
        }
    }

    /// <summary>
    /// Augments <paramref name="images"/> (<c>[N, C, H, W]</c>, on any device) with random numbers drawn from
    /// <paramref name="generator"/> (a CPU generator), returning a new tensor on the same device; with nothing on, the
    /// input itself. The same generator state gives the same result on every device.
    /// </summary>
    public Tensor Apply(Tensor images, Generator generator)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(generator);
        if (IsNone)
        {
            return images;
        }

        if (images.dim() != 4)
        {
            throw new DataMismatchException(
                $"augmentation ({Describe()}) works on image batches [N, C, H, W], but the training inputs have shape [{string.Join(", ", images.shape)}]; turn augmentation off for data that is not images");
        }

        Validate();
        using var scope = NewDisposeScope();
        var x = images;
        if (CropPadding != 0)
        {
            x = Crop(x, CropPadding, generator);
        }

        if (HorizontalFlip)
        {
            x = Flip(x, generator);
        }

        if (EraseProbability != 0)
        {
            x = Erase(x, generator);
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The generator for one training batch: its seed mixes (seed, epoch, batch), so every batch of every epoch draws its
    /// own numbers and a resumed run draws the same ones.
    /// </summary>
    public static Generator BatchGenerator(int seed, int epoch, int batch)
    {
        ulong state = unchecked(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)epoch * 0xC2B2AE3D27D4EB4FUL) ^ ((ulong)(uint)batch * 0x165667B19E3779F9UL) ^ 0x4155474DUL);

        // SplitMix64's finaliser: nearby (seed, epoch, batch) triples get unrelated seeds.
        state = unchecked((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9UL);
        state = unchecked((state ^ (state >> 27)) * 0x94D049BB133111EBUL);
        state ^= state >> 31;
        return new Generator(state);
    }

    private static Tensor Crop(Tensor x, int padding, Generator generator)
    {
        long n = x.shape[0];
        long c = x.shape[1];
        long h = x.shape[2];
        long w = x.shape[3];
        var device = x.device;
        var padded = nn.functional.pad(x, new long[] { padding, padding, padding, padding });

        // Window offsets in [0, 2 * padding], drawn on the CPU so every device sees the same numbers.
        var top = randint(0, (2 * padding) + 1, new long[] { n, 1 }, generator: generator).to(device);
        var left = randint(0, (2 * padding) + 1, new long[] { n, 1 }, generator: generator).to(device);
        var rows = top.add(arange(h, device: device).unsqueeze(0));
        var columns = left.add(arange(w, device: device).unsqueeze(0));

        // Two gathers cut each image's own window exactly: rows first, then columns.
        var byRows = padded.gather(2, rows.view(n, 1, h, 1).expand(n, c, h, w + (2 * padding)));
        return byRows.gather(3, columns.view(n, 1, 1, w).expand(n, c, h, w));
    }

    private static Tensor Flip(Tensor x, Generator generator)
    {
        long n = x.shape[0];
        var flip = rand(new long[] { n }, generator: generator).lt(0.5).to(x.device).view(n, 1, 1, 1);
        return where(flip, x.flip(3), x);
    }

    /// <summary>
    /// Random erasing as Zhong et al. describe it: with probability p, an area fraction in [min, max] and a log-uniform
    /// aspect ratio give a rectangle; up to ten draws are tried until one fits in the image (none fitting: no erasing),
    /// and it is placed uniformly at random and filled with zeros.
    /// </summary>
    private Tensor Erase(Tensor x, Generator generator)
    {
        const int Attempts = 10;
        long n = x.shape[0];
        long h = x.shape[2];
        long w = x.shape[3];
        var erase = rand(new long[] { n }, generator: generator).lt(EraseProbability);
        var area = rand(new long[] { n, Attempts }, generator: generator, dtype: ScalarType.Float64)
            .mul(EraseMaxArea - EraseMinArea).add(EraseMinArea).mul((double)(h * w));
        double logLow = Math.Log(EraseMinAspect);
        var aspect = rand(new long[] { n, Attempts }, generator: generator, dtype: ScalarType.Float64)
            .mul(-2 * logLow).add(logLow).exp();
        var heights = area.mul(aspect).sqrt().round().to_type(ScalarType.Int64);
        var widths = area.div(aspect).sqrt().round().to_type(ScalarType.Int64);
        var fits = heights.lt(h).logical_and(widths.lt(w)).logical_and(heights.gt(0)).logical_and(widths.gt(0));

        // The first attempt that fits: argmax of a boolean row finds the first true.
        var first = fits.to_type(ScalarType.Int32).argmax(1, keepdim: true);
        var height = heights.gather(1, first).squeeze(1);
        var width = widths.gather(1, first).squeeze(1);
        var apply = erase.logical_and(fits.any(1));
        var top = rand(new long[] { n }, generator: generator, dtype: ScalarType.Float64).mul(height.neg().add(h + 1)).floor().to_type(ScalarType.Int64);
        var left = rand(new long[] { n }, generator: generator, dtype: ScalarType.Float64).mul(width.neg().add(w + 1)).floor().to_type(ScalarType.Int64);

        var rows = arange(h).view(1, h, 1);
        var columns = arange(w).view(1, 1, w);
        var inside = rows.ge(top.view(n, 1, 1)).logical_and(rows.lt(top.add(height).view(n, 1, 1)))
            .logical_and(columns.ge(left.view(n, 1, 1))).logical_and(columns.lt(left.add(width).view(n, 1, 1)))
            .logical_and(apply.view(n, 1, 1));
        return x.masked_fill(inside.unsqueeze(1).to(x.device), 0);
    }
}
