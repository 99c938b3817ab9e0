using System;
using System.Collections.Generic;
using System.IO;
using static TorchSharp.torch;

namespace LayerDsl.Experiments.Data;

/// <summary>Fashion-MNIST: 60,000 training and 10,000 test images of 28x28 grey pixels in 10 classes of clothing.</summary>
public sealed class FashionMnist
{
    /// <summary>Height and width of every image.</summary>
    public const int ImageSize = 28;

    /// <summary>Number of classes.</summary>
    public const int Classes = 10;

    private FashionMnist(string directory, ImageSet train, ImageSet test)
    {
        Directory = directory;
        Train = train;
        Test = test;
    }

    /// <summary>The class names, by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    };

    /// <summary>The class names shortened for narrow table columns, by label.</summary>
    public static IReadOnlyList<string> ShortClassNames { get; } = new[]
    {
        "T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Boot",
    };

    /// <summary>The shape of one image as a model takes it, <c>[channels, height, width]</c>.</summary>
    public static IReadOnlyList<long> ImageShape { get; } = new long[] { 1, ImageSize, ImageSize };

    /// <summary>The folder the files were read from.</summary>
    public string Directory { get; }

    /// <summary>The training images (the first <c>trainLimit</c> when a limit was given).</summary>
    public ImageSet Train { get; }

    /// <summary>The test images (the first <c>testLimit</c> when a limit was given).</summary>
    public ImageSet Test { get; }

    /// <summary>
    /// Reads and checks the four files in <paramref name="directory"/>; a limit keeps the first images of a split.
    /// Throws <see cref="DataFormatException"/> naming the file at fault, or <see cref="FileNotFoundException"/> naming the missing one.
    /// </summary>
    public static FashionMnist Load(string directory, int? trainLimit = null, int? testLimit = null)
    {
        var train = LoadSplit(directory, FashionMnistFiles.TrainImages, FashionMnistFiles.TrainLabels);
        var test = LoadSplit(directory, FashionMnistFiles.TestImages, FashionMnistFiles.TestLabels);
        return new FashionMnist(directory, train.Take(trainLimit), test.Take(testLimit));
    }

    /// <summary>Reads one split (an images file and its labels file) and checks they agree.</summary>
    public static ImageSet LoadSplit(string directory, string imagesFile, string labelsFile)
    {
        string imagesPath = FashionMnistFiles.Find(directory, imagesFile)
            ?? throw new FileNotFoundException($"{Path.Combine(directory, imagesFile)}: file not found", Path.Combine(directory, imagesFile));
        string labelsPath = FashionMnistFiles.Find(directory, labelsFile)
            ?? throw new FileNotFoundException($"{Path.Combine(directory, labelsFile)}: file not found", Path.Combine(directory, labelsFile));
        byte[] pixels = IdxReader.ReadImages(imagesPath, ImageSize, ImageSize, out int count);
        byte[] labels = IdxReader.ReadLabels(labelsPath, Classes);
        if (labels.Length != count)
        {
            throw new DataFormatException(labelsPath, $"has {labels.Length} labels but {imagesPath} has {count} images");
        }

        return new ImageSet(pixels, labels);
    }
}

/// <summary>Images and their labels, kept as bytes until turned into tensors.</summary>
public sealed class ImageSet
{
    /// <summary>Wraps <paramref name="pixels"/> (row-major 28x28 images, one byte per pixel) and one label per image.</summary>
    public ImageSet(byte[] pixels, byte[] labels)
    {
        if (pixels.Length != labels.Length * FashionMnist.ImageSize * FashionMnist.ImageSize)
        {
            throw new ArgumentException($"{pixels.Length} pixel bytes do not make {labels.Length} images of 28x28", nameof(pixels));
        }

        Pixels = pixels;
        Labels = labels;
    }

    /// <summary>Row-major pixels, 784 bytes per image.</summary>
    public byte[] Pixels { get; }

    /// <summary>One label (0-9) per image.</summary>
    public byte[] Labels { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>The first <paramref name="limit"/> images (all when null or not smaller than <see cref="Count"/>).</summary>
    public ImageSet Take(int? limit)
    {
        if (limit is not int n || n >= Count)
        {
            return this;
        }

        if (n < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "a limit cannot be negative");
        }

        const int size = FashionMnist.ImageSize * FashionMnist.ImageSize;
        return new ImageSet(Pixels.AsSpan(0, n * size).ToArray(), Labels.AsSpan(0, n).ToArray());
    }

    /// <summary>
    /// The images as float32 NCHW <c>[N, 1, 28, 28]</c> with pixels scaled to [0, 1], and the labels as int64 <c>[N]</c>,
    /// both on <paramref name="device"/> (the caller owns them).
    /// </summary>
    public (Tensor Images, Tensor Labels) ToTensors(Device? device = null)
    {
        using var scope = NewDisposeScope();
        var images = tensor(Pixels, new long[] { Count, 1, FashionMnist.ImageSize, FashionMnist.ImageSize })
            .to_type(ScalarType.Float32)
            .div_(255f)
            .to(device ?? CPU);
        var labels = tensor(Labels, new long[] { Count }).to_type(ScalarType.Int64).to(device ?? CPU);
        return (images.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }
}
