using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Experiments.Data;

/// <summary>The geometric transforms <see cref="ImageTransform"/> combines; any set of them.</summary>
[Flags]
public enum ImageTransformKinds
{
    /// <summary>No transform.</summary>
    None = 0,

    /// <summary>Scale about the image centre by a factor drawn from a range (below 1 shrinks).</summary>
    Scale = 1,

    /// <summary>Rotate about the image centre by an angle drawn from ± a bound (positive: counter-clockwise as displayed).</summary>
    Rotate = 2,

    /// <summary>Shift by a distance drawn from ± a bound, independently along each axis.</summary>
    Translate = 4,

    /// <summary>Elastic distortion (Simard et al., 2003): a random displacement field smoothed by a Gaussian and scaled.</summary>
    Elastic = 8,
}

/// <summary>Which split a transform is drawn for: the same seed gives the two splits different draws.</summary>
public enum TransformTarget
{
    /// <summary>The training set.</summary>
    Train = 1,

    /// <summary>The test set.</summary>
    Test = 2,
}

/// <summary>
/// One image's transform: scale factor, rotation in degrees, shift in pixels; the elastic field is drawn per chunk when
/// the transform is applied.
/// </summary>
/// <param name="Scale">The scale factor of every image, <c>[N]</c>.</param>
/// <param name="Degrees">The rotation of every image in degrees, counter-clockwise as displayed, <c>[N]</c>.</param>
/// <param name="Shift">The shift of every image in pixels, <c>[N, 2]</c> as (x to the right, y down).</param>
public sealed record TransformParameters(Tensor Scale, Tensor Degrees, Tensor Shift);

/// <summary>
/// Random geometric transforms of image batches <c>[N, C, H, W]</c> — scale and rotation about the centre, translation,
/// elastic distortion — with per-image parameters drawn from a seed, so the same seed gives the same transformed set.
/// All chosen transforms are combined into one resampling: an affine map (scale, rotation, shift) through
/// <c>affine_grid</c>, the elastic field added to its sampling grid, then bilinear <c>grid_sample</c> with zeros outside
/// the image.
/// </summary>
public sealed record ImageTransform
{
    /// <summary>No transform.</summary>
    public static ImageTransform None { get; } = new();

    /// <summary>Images handled at once (memory only; the result does not depend on it).</summary>
    internal const int Chunk = 2048;

    /// <summary>The transforms applied.</summary>
    public ImageTransformKinds Kinds { get; init; }

    /// <summary>The smallest scale factor (default 0.5).</summary>
    public double ScaleMin { get; init; } = 0.5;

    /// <summary>The largest scale factor (default 1.0).</summary>
    public double ScaleMax { get; init; } = 1.0;

    /// <summary>The largest rotation in degrees either way (default 45).</summary>
    public double RotateDegrees { get; init; } = 45;

    /// <summary>The largest shift in pixels either way along each axis (default 6).</summary>
    public double TranslatePixels { get; init; } = 6;

    /// <summary>The elastic field's scale in pixels: no pixel is displaced by more than this (default 34, Simard et al.'s).</summary>
    public double ElasticAlpha { get; init; } = 34;

    /// <summary>The standard deviation in pixels of the Gaussian that smooths the elastic field (default 4, Simard et al.'s).</summary>
    public double ElasticSigma { get; init; } = 4;

    /// <summary>Whether no transform is chosen.</summary>
    public bool IsNone => Kinds == ImageTransformKinds.None;

    /// <summary>The names <see cref="Parse"/> takes, in the order they are listed.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "scale", "rotate", "translate", "elastic" };

    /// <summary>
    /// The transforms named in <paramref name="text"/> (comma-separated, any case; <c>none</c> or empty for none). Throws
    /// <see cref="ArgumentException"/> naming an unknown transform and listing the known ones.
    /// </summary>
    public static ImageTransformKinds Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var kinds = ImageTransformKinds.None;
        foreach (string word in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            kinds |= word.ToLowerInvariant() switch
            {
                "none" => ImageTransformKinds.None,
                "scale" => ImageTransformKinds.Scale,
                "rotate" => ImageTransformKinds.Rotate,
                "translate" => ImageTransformKinds.Translate,
                "elastic" => ImageTransformKinds.Elastic,
                _ => throw new ArgumentException($"unknown transform '{word}'; use {string.Join(", ", Names)} (comma-separated) or none", nameof(text)),
            };
        }

        return kinds;
    }

    /// <summary>
    /// The chosen transforms with their ranges, such as <c>scale(0.5-1), rotate(±45°)</c>, or <c>none</c>. Checkpoints
    /// record it, so a run resumes only with the same transforms.
    /// </summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Kinds.HasFlag(ImageTransformKinds.Scale))
        {
            parts.Add(FormattableString.Invariant($"scale({ScaleMin:G}-{ScaleMax:G})"));
        }

        if (Kinds.HasFlag(ImageTransformKinds.Rotate))
        {
            parts.Add(FormattableString.Invariant($"rotate(±{RotateDegrees:G}°)"));
        }

        if (Kinds.HasFlag(ImageTransformKinds.Translate))
        {
            parts.Add(FormattableString.Invariant($"translate(±{TranslatePixels:G} px)"));
        }

        if (Kinds.HasFlag(ImageTransformKinds.Elastic))
        {
            parts.Add(FormattableString.Invariant($"elastic(alpha {ElasticAlpha:G} px, sigma {ElasticSigma:G} px)"));
        }

        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first range that is not usable, and why.</summary>
    public void Validate()
    {
        if (!(ScaleMin > 0) || !(ScaleMax >= ScaleMin) || double.IsInfinity(ScaleMax))
        {
            throw new ArgumentOutOfRangeException(nameof(ScaleMin), FormattableString.Invariant($"{ScaleMin},{ScaleMax}"), "the scale range must be MIN,MAX with 0 < MIN <= MAX");
        }

        if (!(RotateDegrees >= 0 && RotateDegrees <= 180))
        {
            throw new ArgumentOutOfRangeException(nameof(RotateDegrees), RotateDegrees, "the rotation bound must be between 0 and 180 degrees");
        }

        if (!(TranslatePixels >= 0) || double.IsInfinity(TranslatePixels))
        {
            throw new ArgumentOutOfRangeException(nameof(TranslatePixels), TranslatePixels, "the translation bound must be a number of pixels of at least 0");
        }

        if (!(ElasticAlpha >= 0) || double.IsInfinity(ElasticAlpha))
        {
            throw new ArgumentOutOfRangeException(nameof(ElasticAlpha), ElasticAlpha, "the elastic alpha must be a number of pixels of at least 0");
        }

        if (!(ElasticSigma > 0) || double.IsInfinity(ElasticSigma))
        {
            throw new ArgumentOutOfRangeException(nameof(ElasticSigma), ElasticSigma, "the elastic sigma must be a positive number of pixels");
        }
    }

    /// <summary>
    /// Transforms <paramref name="images"/> (<c>[N, C, H, W]</c>, float) with parameters drawn from
    /// <paramref name="seed"/> for <paramref name="target"/>: the same arguments give the same images on every run and
    /// device. Returns a new tensor on the images' device (the caller owns it); with no transform chosen, a copy.
    /// </summary>
    public Tensor Apply(Tensor images, int seed, TransformTarget target)
    {
        ArgumentNullException.ThrowIfNull(images);
        Validate();
        if (images.dim() != 4)
        {
            throw new ArgumentException($"image transforms take image batches [N, C, H, W], not shape [{string.Join(", ", images.shape)}]", nameof(images));
        }

        if (IsNone)
        {
            return images.clone();
        }

        long n = images.shape[0];
        using var generator = new Generator(GeneratorSeed(seed, target));
        using var scope = NewDisposeScope();
        var parameters = Draw(n, generator);
        var chunks = new List<Tensor>();
        for (long start = 0; start < n; start += Chunk)
        {
            using var inner = NewDisposeScope();
            long length = Math.Min(Chunk, n - start);
            var part = new TransformParameters(parameters.Scale.narrow(0, start, length), parameters.Degrees.narrow(0, start, length), parameters.Shift.narrow(0, start, length));
            var batch = images.narrow(0, start, length);
            Tensor? displacement = Kinds.HasFlag(ImageTransformKinds.Elastic)
                ? ElasticField(length, batch.shape[2], batch.shape[3], ElasticAlpha, ElasticSigma, generator)
                : null;
            chunks.Add(Warp(batch, part, displacement).MoveToOuterDisposeScope());
        }

        return cat(chunks, 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Draws every image's scale, angle and shift (on the CPU, in float64): uniform in each chosen range, identity for a
    /// transform not chosen. Every draw is made whether or not its transform is chosen, so adding one transform does not
    /// change the others' parameters.
    /// </summary>
    internal TransformParameters Draw(long n, Generator generator)
    {
        var scale = rand(new long[] { n }, generator: generator, dtype: ScalarType.Float64).mul(ScaleMax - ScaleMin).add(ScaleMin);
        var degrees = rand(new long[] { n }, generator: generator, dtype: ScalarType.Float64).mul(2 * RotateDegrees).sub(RotateDegrees);
        var shift = rand(new long[] { n, 2 }, generator: generator, dtype: ScalarType.Float64).mul(2 * TranslatePixels).sub(TranslatePixels);
        return new TransformParameters(
            Kinds.HasFlag(ImageTransformKinds.Scale) ? scale : ones(n, dtype: ScalarType.Float64),
            Kinds.HasFlag(ImageTransformKinds.Rotate) ? degrees : zeros(n, dtype: ScalarType.Float64),
            Kinds.HasFlag(ImageTransformKinds.Translate) ? shift : zeros(n, 2, dtype: ScalarType.Float64));
    }

    /// <summary>
    /// Resamples <paramref name="images"/> <c>[N, C, H, W]</c>: each image scaled and rotated about its centre and shifted
    /// as <paramref name="parameters"/> say, then displaced by <paramref name="displacement"/> (<c>[N, 2, H, W]</c>, in
    /// pixels, x then y; the output pixel p shows the input at the affine map's preimage of p plus the displacement at p),
    /// bilinearly with zeros outside the image.
    /// </summary>
    public static Tensor Warp(Tensor images, TransformParameters parameters, Tensor? displacement = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(parameters);
        using var scope = NewDisposeScope();
        long n = images.shape[0];
        long h = images.shape[2];
        long w = images.shape[3];
        var device = images.device;

        // The output pixel at centred position p shows the input at A (p - t), A = R(-angle) / s, in pixels. affine_grid
        // works in normalised coordinates, x = 2 u / W and y = 2 v / H with align_corners false, so
        // theta = [D^-1 A D | -D^-1 A t] with D = diag(W / 2, H / 2).
        var radians = parameters.Degrees.cpu().to_type(ScalarType.Float64).mul(Math.PI / 180);
        var cos = radians.cos().div(parameters.Scale.cpu().to_type(ScalarType.Float64));
        var sin = radians.sin().div(parameters.Scale.cpu().to_type(ScalarType.Float64));
        var tx = parameters.Shift.cpu().to_type(ScalarType.Float64).select(1, 0);
        var ty = parameters.Shift.cpu().to_type(ScalarType.Float64).select(1, 1);
        double ratio = (double)h / w;

        // A = [[cos, -sin], [sin, cos]] / s (the inverse of a counter-clockwise rotation on a y-down image).
        var row0 = stack(new[] { cos, sin.neg().mul(ratio), cos.mul(tx).neg().add(sin.mul(ty)).mul(2.0 / w) }, 1);
        var row1 = stack(new[] { sin.div(ratio), cos, sin.mul(tx).add(cos.mul(ty)).neg().mul(2.0 / h) }, 1);
        var theta = stack(new[] { row0, row1 }, 1).to_type(images.dtype).to(device);
        var grid = nn.functional.affine_grid(theta, new long[] { n, images.shape[1], h, w }, align_corners: false);
        if (displacement is not null)
        {
            var shift = stack(new[] { displacement.select(1, 0).mul(2.0 / w), displacement.select(1, 1).mul(2.0 / h) }, -1);
            grid = grid.add(shift.to_type(grid.dtype).to(device));
        }

        return nn.functional.grid_sample(images, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false)
            .MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Simard et al.'s elastic field for <paramref name="n"/> images of <paramref name="h"/> x <paramref name="w"/>: uniform
    /// noise in [-1, 1] per pixel and axis, smoothed by a normalised Gaussian of standard deviation <paramref name="sigma"/>
    /// (truncated at four sigma, zeros beyond the border) and multiplied by <paramref name="alpha"/>; <c>[n, 2, h, w]</c> in
    /// pixels. As the smoothing averages values within [-1, 1], no displacement exceeds alpha.
    /// </summary>
    internal static Tensor ElasticField(long n, long h, long w, double alpha, double sigma, Generator generator)
    {
        using var scope = NewDisposeScope();
        var noise = rand(new long[] { n * 2, h, w }, generator: generator, dtype: ScalarType.Float32).mul(2).sub(1);

        // Separable smoothing as two matrix products, G_h noise G_w^T, where G[i, j] is the Gaussian tap for j - i: the
        // same numbers as a zero-padded convolution, at matrix-multiply speed.
        var smooth = GaussianMatrix(h, sigma).matmul(noise).matmul(GaussianMatrix(w, sigma).t());
        return smooth.view(n, 2, h, w).mul(alpha).MoveToOuterDisposeScope();
    }

    /// <summary>The <paramref name="size"/> x <paramref name="size"/> matrix that smooths along one axis: taps of a normalised Gaussian truncated at four sigma, by offset.</summary>
    private static Tensor GaussianMatrix(long size, double sigma)
    {
        int radius = (int)Math.Ceiling(4 * sigma);
        double total = 0;
        for (int d = -radius; d <= radius; d++)
        {
            total += Math.Exp(-0.5 * d * d / (sigma * sigma));
        }

        var offset = arange(size, dtype: ScalarType.Float32).view(1, size).sub(arange(size, dtype: ScalarType.Float32).view(size, 1));
        var taps = offset.div(sigma).pow(2).mul(-0.5).exp().div(total);
        return taps.masked_fill(offset.abs().gt(radius), 0);
    }

    private static ulong GeneratorSeed(int seed, TransformTarget target)
    {
        ulong state = unchecked(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)target * 0xD1B54A32D192ED03UL) ^ 0x5452414E53UL);
        state = unchecked((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9UL);
        state = unchecked((state ^ (state >> 27)) * 0x94D049BB133111EBUL);
        return state ^ (state >> 31);
    }
}
