using System;
using LayerDsl.Experiments.Data;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

public sealed class ImageTransformTests
{
    private const int Size = 28;

    /// <summary>One 28 x 28 image, ones in rows and columns [from, to), zeros elsewhere, as [1, 1, 28, 28].</summary>
    private static Tensor Square(int from, int to)
    {
        var image = zeros(1, 1, Size, Size);
        image[0, 0, from..to, from..to] = tensor(1f);
        return image;
    }

    private static TransformParameters One(double scale = 1, double degrees = 0, double dx = 0, double dy = 0) => new(
        tensor(new[] { scale }), tensor(new[] { degrees }), tensor(new[] { dx, dy }).view(1, 2));

    private static double Sum(Tensor image) => image.sum().to_type(ScalarType.Float64).item<double>();

    /// <summary>The brightness-weighted mean pixel position (x, y) of a [1, 1, H, W] image.</summary>
    private static (double X, double Y) Centroid(Tensor image)
    {
        var plane = image[0, 0].to_type(ScalarType.Float64);
        double total = plane.sum().item<double>();
        double x = plane.sum(dim: 0).mul(arange(Size, dtype: ScalarType.Float64)).sum().item<double>() / total;
        double y = plane.sum(dim: 1).mul(arange(Size, dtype: ScalarType.Float64)).sum().item<double>() / total;
        return (x, y);
    }

    [Theory]
    [InlineData(3.0, -2.0)]
    [InlineData(-6.0, 6.0)]
    [InlineData(2.5, 0.25)]
    public void Translation_inside_the_image_keeps_the_pixel_sum_and_moves_the_centroid_by_the_shift(double dx, double dy)
    {
        using var square = Square(11, 17);
        var before = Centroid(square);

        using var moved = ImageTransform.Warp(square, One(dx: dx, dy: dy));

        Assert.Equal(36, Sum(moved), 3);
        var after = Centroid(moved);
        Assert.Equal(before.X + dx, after.X, 4);
        Assert.Equal(before.Y + dy, after.Y, 4);
        if (dx == Math.Round(dx) && dy == Math.Round(dy))
        {
            // A whole-pixel shift is the square drawn elsewhere: exactly the pixels [11 + dy, 17 + dy) x [11 + dx, 17 + dx).
            using var expected = zeros(1, 1, Size, Size);
            expected[0, 0, (11 + (int)dy)..(17 + (int)dy), (11 + (int)dx)..(17 + (int)dx)] = tensor(1f);
            Assert.True(moved.allclose(expected, atol: 1e-5), "a whole-pixel shift moves the square exactly");
        }
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.75)]
    [InlineData(1.0)]
    public void Scaling_by_s_about_the_centre_scales_the_pixel_sum_by_about_s_squared(double s)
    {
        using var square = Square(4, 24);

        using var scaled = ImageTransform.Warp(square, One(scale: s));

        // 20 x 20 = 400 bright pixels become about (20 s)^2; bilinear sampling of the edges is off by under a pixel's rim.
        Assert.InRange(Sum(scaled), 400 * s * s * 0.9, 400 * s * s * 1.1);
        var centroid = Centroid(scaled);
        Assert.Equal(13.5, centroid.X, 4);
        Assert.Equal(13.5, centroid.Y, 4);
        if (s == 1.0)
        {
            Assert.True(scaled.allclose(square, atol: 1e-6));
        }
    }

    [Fact]
    public void Rotation_by_90_degrees_turns_an_asymmetric_pattern_a_quarter_turn_counter_clockwise()
    {
        // An L: a vertical bar on the left and a foot to the right along the bottom, plus one dot right of the centre.
        using var pattern = zeros(1, 1, Size, Size);
        pattern[0, 0, 6..22, 6..9] = tensor(1f);
        pattern[0, 0, 19..22, 9..18] = tensor(0.5f);
        pattern[0, 0, 13, 23] = tensor(0.75f);

        using var rotated = ImageTransform.Warp(pattern, One(degrees: 90));

        // A quarter turn counter-clockwise as displayed: the dot right of the centre (row 13, column 23) goes above it,
        // to row 27 - 23 = 4, column 13; the whole image is numpy's / torch's rot90 of it.
        Assert.Equal(0.75, rotated[0, 0, 4, 13].item<float>(), 5);
        Assert.Equal(0.0, rotated[0, 0, 13, 23].item<float>(), 5);
        Assert.True(rotated.allclose(pattern.rot90(1, (2, 3)), atol: 1e-5), "a 90-degree rotation of a square image lands on the pixel grid");
        Assert.Equal(Sum(pattern), Sum(rotated), 3);
    }

    [Fact]
    public void The_elastic_field_never_exceeds_alpha_and_displaces_a_dot_by_at_most_alpha()
    {
        const double Alpha = 3;
        using var generator = new Generator(7);
        using var field = ImageTransform.ElasticField(64, Size, Size, Alpha, 2, generator);
        Assert.Equal(new long[] { 64, 2, Size, Size }, field.shape);
        Assert.True(field.abs().max().item<float>() <= Alpha, "a Gaussian average of values in [-1, 1], times alpha");
        Assert.True(field.abs().max().item<float>() > 0.1 * Alpha, "the field is not trivially small");

        // A single bright pixel in each image ends up within alpha pixels (plus the bilinear pixel) of where it was.
        using var dots = zeros(64, 1, Size, Size);
        dots[.., 0, 14, 12] = tensor(1f);
        var identity = new TransformParameters(ones(64, dtype: ScalarType.Float64), zeros(64, dtype: ScalarType.Float64), zeros(64, 2, dtype: ScalarType.Float64));
        using var warped = ImageTransform.Warp(dots, identity, field);
        var rows = arange(Size).view(Size, 1).expand(Size, Size);
        var columns = arange(Size).view(1, Size).expand(Size, Size);
        var lit = warped.squeeze(1).gt(1e-6);
        var far = rows.sub(14).abs().gt(Alpha + 1).logical_or(columns.sub(12).abs().gt(Alpha + 1));
        Assert.False(lit.logical_and(far.unsqueeze(0)).any().item<bool>(), "a pixel moved further than alpha");
    }

    [Fact]
    public void The_elastic_field_is_the_noise_smoothed_by_a_zero_padded_gaussian_convolution_times_alpha()
    {
        const double Sigma = 2.5;
        const double Alpha = 5;
        using var generator = new Generator(11);
        using var field = ImageTransform.ElasticField(3, 20, 24, Alpha, Sigma, generator);

        // The same noise, smoothed the textbook way: a 2-D convolution with the outer product of the 1-D Gaussian taps
        // (offsets -10..10, four sigma), zeros beyond the border.
        using var again = new Generator(11);
        var noise = rand(new long[] { 6, 1, 20, 24 }, generator: again).mul(2).sub(1);
        var offsets = arange(-10, 11, dtype: ScalarType.Float64);
        var taps = offsets.pow(2).div(-2 * Sigma * Sigma).exp();
        taps = taps.div(taps.sum());
        var kernel = taps.view(-1, 1).mul(taps.view(1, -1)).to_type(ScalarType.Float32).view(1, 1, 21, 21);
        var expected = nn.functional.conv2d(noise, kernel, padding: new long[] { 10, 10 }).mul(Alpha).view(3, 2, 20, 24);

        Assert.True(field.allclose(expected, atol: 1e-5), $"largest difference {field.sub(expected).abs().max().item<float>()}");
    }

    /// <summary>
    /// An elastic field moves each edge of a shape its own way, so one image's sum moves (for a 12 x 12 square, Simard et
    /// al.'s alpha 34, sigma 4 moved it by 18 % (sd) over these 64 images; alpha 8 by 4 %), but on average it stays.
    /// </summary>
    [Theory]
    [InlineData(34.0, 0.05, 0.6)]
    [InlineData(8.0, 0.02, 0.2)]
    public void Elastic_distortion_keeps_the_pixel_sum_approximately_and_does_change_the_image(double alpha, double meanTolerance, double eachTolerance)
    {
        using var square = Square(8, 20).expand(64, 1, Size, Size).contiguous();
        var elastic = new ImageTransform { Kinds = ImageTransformKinds.Elastic, ElasticAlpha = alpha, ElasticSigma = 4 };

        using var distorted = elastic.Apply(square, 0, TransformTarget.Test);

        var sums = distorted.sum(new long[] { 1, 2, 3 }).to_type(ScalarType.Float64);
        Assert.InRange(sums.mean().item<double>(), 144 * (1 - meanTolerance), 144 * (1 + meanTolerance));
        Assert.InRange(sums.min().item<double>(), 144 * (1 - eachTolerance), 144);
        Assert.InRange(sums.max().item<double>(), 144, 144 * (1 + eachTolerance));
        Assert.False(distorted.allclose(square, atol: 1e-3));
    }

    [Fact]
    public void The_same_seed_gives_the_same_set_and_parameters_stay_in_their_ranges()
    {
        var all = new ImageTransform { Kinds = ImageTransformKinds.Scale | ImageTransformKinds.Rotate | ImageTransformKinds.Translate | ImageTransformKinds.Elastic };
        using var images = rand(300, 1, Size, Size);

        using var a = all.Apply(images, 3, TransformTarget.Test);
        using var b = all.Apply(images, 3, TransformTarget.Test);
        using var otherSeed = all.Apply(images, 4, TransformTarget.Test);
        using var otherSplit = all.Apply(images, 3, TransformTarget.Train);
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
        Assert.False(a.allclose(otherSeed, atol: 1e-3));
        Assert.False(a.allclose(otherSplit, atol: 1e-3));

        using var generator = new Generator(1);
        var drawn = all.Draw(2000, generator);
        Assert.InRange(drawn.Scale.min().item<double>(), 0.5, 0.51);
        Assert.InRange(drawn.Scale.max().item<double>(), 0.99, 1.0);
        Assert.InRange(drawn.Degrees.min().item<double>(), -45, -44);
        Assert.InRange(drawn.Degrees.max().item<double>(), 44, 45);
        Assert.InRange(drawn.Shift.min().item<double>(), -6, -5.9);
        Assert.InRange(drawn.Shift.max().item<double>(), 5.9, 6);

        // A transform left out is the identity, and leaving it out does not change the others' draws.
        using var again = new Generator(1);
        var rotateOnly = (all with { Kinds = ImageTransformKinds.Rotate }).Draw(2000, again);
        Assert.True(rotateOnly.Degrees.allclose(drawn.Degrees, rtol: 0, atol: 0));
        Assert.Equal(2000, rotateOnly.Scale.eq(1).sum().item<long>());
        Assert.Equal(0, rotateOnly.Shift.abs().sum().item<double>());
    }

    [Fact]
    public void Names_parse_in_any_case_and_an_unknown_name_is_refused_listing_the_known_ones()
    {
        Assert.Equal(ImageTransformKinds.Scale | ImageTransformKinds.Elastic, ImageTransform.Parse("Scale, elastic"));
        Assert.Equal(ImageTransformKinds.None, ImageTransform.Parse("none"));
        var e = Assert.Throws<ArgumentException>(() => ImageTransform.Parse("rotate,shear"));
        Assert.StartsWith("unknown transform 'shear'; use scale, rotate, translate, elastic (comma-separated) or none", e.Message);
        Assert.Equal("scale(0.5-1), rotate(±45°), translate(±6 px), elastic(alpha 34 px, sigma 4 px)", new ImageTransform { Kinds = ImageTransform.Parse("elastic,translate,rotate,scale") }.Describe());
        Assert.Equal("none", ImageTransform.None.Describe());
    }

    [Fact]
    public void No_transform_is_a_copy_of_the_images()
    {
        using var images = rand(5, 1, Size, Size);
        using var copy = ImageTransform.None.Apply(images, 0, TransformTarget.Train);
        Assert.True(copy.allclose(images, rtol: 0, atol: 0));
        Assert.NotEqual(images.Handle, copy.Handle);
    }
}
