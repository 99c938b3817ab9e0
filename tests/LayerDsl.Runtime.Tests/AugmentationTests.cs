using System;
using System.IO;
using System.Linq;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// Alone, after the parallel tests (<see cref="RunsAlone"/>): its resume tests compare a resumed training with an
/// uninterrupted one for exact equality, which a parallel test can break by changing the intra-op thread count or drawing
/// from TorchSharp's process-wide generator between a seed and its use.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class AugmentationTests
{
    /// <summary>Images whose every pixel holds a value unique in the batch element: channel * 1000 + row * width + column + 1.</summary>
    private static Tensor Numbered(int n, int channels, int height, int width)
    {
        var one = arange(channels).view(channels, 1, 1).mul(1000)
            .add(arange(height).view(1, height, 1).mul(width))
            .add(arange(width).view(1, 1, width))
            .add(1)
            .to_type(ScalarType.Float32);
        return one.unsqueeze(0).expand(n, channels, height, width).contiguous();
    }

    private static bool Same(Tensor a, Tensor b) => a.allclose(b, rtol: 0, atol: 0);

    private static Tensor Apply(Augmentation augmentation, Tensor images, int seed = 0, int epoch = 1, int batch = 0)
    {
        using var generator = Augmentation.BatchGenerator(seed, epoch, batch);
        return augmentation.Apply(images, generator);
    }

    [Fact]
    public void Off_by_default_and_off_means_the_batch_itself()
    {
        Assert.True(new TrainingOptions().Augmentation.IsNone);
        Assert.Equal("none", new TrainingOptions().Augmentation.Describe());
        using var images = rand(4, 1, 28, 28);
        Assert.Same(images, Apply(Augmentation.None, images));
        Assert.Same(images, Apply(new Augmentation { CropPadding = 0, HorizontalFlip = false, EraseProbability = 0 }, images));
    }

    [Fact]
    public void Crop_shifts_each_whole_image_by_one_offset_within_the_padding_and_fills_with_zeros()
    {
        const int Padding = 3;
        using var images = Numbered(200, 2, 8, 10);
        using var cropped = Apply(new Augmentation { CropPadding = Padding }, images);

        Assert.Equal(images.shape, cropped.shape);
        var source = images[0].data<float>().ToArray();
        var dys = new System.Collections.Generic.HashSet<int>();
        var dxs = new System.Collections.Generic.HashSet<int>();
        var pairs = new System.Collections.Generic.HashSet<(int, int)>();
        for (int i = 0; i < 200; i++)
        {
            float[] pixels = cropped[i].data<float>().ToArray();

            // The value at output (0, 0) of channel 0, or any non-zero one, names the source pixel and so the shift.
            int at = Array.FindIndex(pixels, v => v != 0);
            int value = (int)pixels[at] - 1;
            int dy = (value / 10) - ((at / 10) % 8);
            int dx = (value % 10) - (at % 10);
            Assert.InRange(dy, -Padding, Padding);
            Assert.InRange(dx, -Padding, Padding);
            dys.Add(dy);
            dxs.Add(dx);
            pairs.Add((dy, dx));
            for (int c = 0; c < 2; c++)
            {
                for (int y = 0; y < 8; y++)
                {
                    for (int x = 0; x < 10; x++)
                    {
                        int sy = y + dy;
                        int sx = x + dx;
                        float expected = sy is >= 0 and < 8 && sx is >= 0 and < 10 ? source[(c * 80) + (sy * 10) + sx] : 0;
                        Assert.Equal(expected, pixels[(c * 80) + (y * 10) + x]);
                    }
                }
            }
        }

        // 200 images: every vertical and horizontal offset from -3 to 3 occurs.
        Assert.Equal(2 * Padding + 1, dys.Count);
        Assert.Equal(2 * Padding + 1, dxs.Count);
        Assert.True(pairs.Count > 30, $"the vertical and horizontal offsets are drawn independently: {pairs.Count} of 49 pairs seen");
    }

    [Fact]
    public void Flip_mirrors_about_half_of_the_images_left_to_right_and_leaves_the_rest()
    {
        using var images = rand(400, 3, 6, 7);
        using var flipped = Apply(new Augmentation { HorizontalFlip = true }, images);

        int mirrored = 0;
        for (int i = 0; i < 400; i++)
        {
            bool same = Same(flipped[i], images[i]);
            bool mirror = Same(flipped[i], images[i].flip(2));
            Assert.True(same ^ mirror, $"image {i} is neither itself nor its mirror image");
            mirrored += mirror ? 1 : 0;
        }

        // Binomial(400, 1/2): sd 10, so 140-260 is six standard deviations each way.
        Assert.InRange(mirrored, 140, 260);
    }

    [Fact]
    public void Erase_zeros_one_rectangle_per_image_across_channels_within_the_area_and_aspect_ranges()
    {
        const int H = 20;
        const int W = 24;
        var augmentation = new Augmentation { EraseProbability = 1 };
        using var images = ones(300, 2, H, W);
        using var erased = Apply(augmentation, images);

        for (int i = 0; i < 300; i++)
        {
            Assert.True(Same(erased[i, 0], erased[i, 1]), "the rectangle is the same in every channel");
            var zero = erased[i, 0].eq(0);
            long rows = zero.any(1).sum().item<long>();
            long columns = zero.any(0).sum().item<long>();
            long count = zero.sum().item<long>();

            // One filled, axis-aligned rectangle: its zeros are exactly rows x columns, in contiguous rows and columns.
            Assert.True(count > 0, $"image {i} was not erased although p = 1 and a rectangle always fits in {H} x {W}");
            Assert.Equal(rows * columns, count);
            Assert.Equal(rows, zero.any(1).nonzero().max().item<long>() - zero.any(1).nonzero().min().item<long>() + 1);
            Assert.Equal(columns, zero.any(0).nonzero().max().item<long>() - zero.any(0).nonzero().min().item<long>() + 1);

            // Area 2-40 % and aspect 0.3-3.33 before each side was rounded to whole pixels (by at most half a pixel).
            Assert.True((rows + 0.5) * (columns + 0.5) >= 0.02 * H * W, $"image {i}: {rows} x {columns} is below 2 % of the image");
            Assert.True((rows - 0.5) * (columns - 0.5) <= 0.4 * H * W, $"image {i}: {rows} x {columns} is above 40 % of the image");
            Assert.True((rows + 0.5) / (columns - 0.5) >= 0.3, $"image {i}: {rows} x {columns} is flatter than 0.3");
            Assert.True((rows - 0.5) / (columns + 0.5) <= 1 / 0.3, $"image {i}: {rows} x {columns} is taller than 3.33");
        }

        using var half = Apply(augmentation with { EraseProbability = 0.5 }, images);
        long touched = half.eq(0).flatten(1).any(1).sum().item<long>();
        Assert.InRange(touched, 105, 195);
    }

    [Fact]
    public void The_same_seed_epoch_and_batch_give_the_same_batch_and_another_batch_differs()
    {
        var all = new Augmentation { CropPadding = 2, HorizontalFlip = true, EraseProbability = 0.5 };
        using var images = rand(64, 1, 28, 28);

        Assert.True(Same(Apply(all, images, 3, 2, 7), Apply(all, images, 3, 2, 7)));
        Assert.False(Same(Apply(all, images, 3, 2, 7), Apply(all, images, 3, 2, 8)));
        Assert.False(Same(Apply(all, images, 3, 2, 7), Apply(all, images, 3, 3, 7)));
        Assert.False(Same(Apply(all, images, 3, 2, 7), Apply(all, images, 4, 2, 7)));
    }

    [Fact]
    public void Training_with_augmentation_changes_the_run_and_resuming_it_repeats_the_uninterrupted_run()
    {
        var train = TrainingTests.Synthetic(256, 1);
        var test = TrainingTests.Synthetic(128, 2);
        using var dir = new TempDir();
        var plain = new TrainingOptions { Epochs = 3, BatchSize = 32, Seed = 5 };
        var augmented = plain with { Augmentation = new Augmentation { CropPadding = 2, HorizontalFlip = true, EraseProbability = 0.5 } };

        TrainingResult Run(TrainingOptions options, int seed = 5)
        {
            Trainer.Seed(seed);
            using var model = new TinyConvNet(4, 3);
            return Trainer.Train(model, train, test, options);
        }

        var withoutAugmentation = Run(plain);
        var explicitlyOff = Run(plain with { Augmentation = new Augmentation() });
        var uninterrupted = Run(augmented);
        Assert.Equal(withoutAugmentation.History.Select(h => h.TrainLoss), explicitlyOff.History.Select(h => h.TrainLoss));
        Assert.NotEqual(withoutAugmentation.History[0].TrainLoss, uninterrupted.History[0].TrainLoss);

        Run(augmented with { Epochs = 2, CheckpointDirectory = dir.Path });
        var resumed = Run(augmented with { CheckpointDirectory = dir.Path, Resume = true }, seed: 99);

        Assert.Equal(2, resumed.ResumedFromEpoch);
        Assert.Equal(uninterrupted.History.Select(h => h.TestAccuracy), resumed.History.Select(h => h.TestAccuracy));
        Assert.Equal(uninterrupted.History[2].TrainLoss, resumed.History[2].TrainLoss, 5);
        Assert.Equal("crop(padding 2), flip, erase(p 0.5, area 0.02-0.4, aspect 0.3-3.33)", Checkpoint.ReadMetadata(Checkpoint.PathFor(dir.Path, "TinyConvNet", 3)).Augmentation);
    }

    [Fact]
    public void Augmenting_data_that_is_not_images_is_refused_before_training()
    {
        using var inputs = rand(32, 784);
        using var labels = zeros(32, dtype: ScalarType.Int64);
        using var model = new PlainClassifier(10);
        var options = new TrainingOptions { Augmentation = new Augmentation { HorizontalFlip = true } };

        var e = Assert.Throws<DataMismatchException>(() => Trainer.Train(model, (inputs, labels), (inputs, labels), options));

        Assert.Equal("augmentation (flip) works on images [N, C, H, W], but the training inputs have shape [32, 784]; turn augmentation off for data that is not images", e.Message);
    }

    [Theory]
    [InlineData(-1, 0.0, "CropPadding")]
    [InlineData(0, 1.5, "EraseProbability")]
    public void Settings_out_of_range_are_refused_naming_the_setting(int padding, double probability, string setting)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Augmentation { CropPadding = padding, EraseProbability = probability }.Validate());
        Assert.Equal(setting, e.ParamName);
    }
}
