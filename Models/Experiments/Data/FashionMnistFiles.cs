using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace LayerDsl.Experiments.Data;

/// <summary>The four files of Fashion-MNIST and how to find them in a folder.</summary>
public static class FashionMnistFiles
{
    /// <summary>Training images (60,000 of 28x28).</summary>
    public const string TrainImages = "train-images-idx3-ubyte.gz";

    /// <summary>Training labels (60,000).</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte.gz";

    /// <summary>Test images (10,000 of 28x28).</summary>
    public const string TestImages = "t10k-images-idx3-ubyte.gz";

    /// <summary>Test labels (10,000).</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte.gz";

    /// <summary>The four file names, as the dataset publishes them.</summary>
    public static IReadOnlyList<string> All { get; } = new[] { TrainImages, TrainLabels, TestImages, TestLabels };

    /// <summary>
    /// The path of <paramref name="fileName"/> in <paramref name="directory"/>: the <c>.gz</c> file, or the same file
    /// already decompressed (without <c>.gz</c>); null when neither exists.
    /// </summary>
    public static string? Find(string directory, string fileName)
    {
        string gz = Path.Combine(directory, fileName);
        if (File.Exists(gz))
        {
            return gz;
        }

        string raw = Path.Combine(directory, Path.GetFileNameWithoutExtension(fileName));
        return File.Exists(raw) ? raw : null;
    }

    /// <summary>The files of the dataset missing from <paramref name="directory"/> (all four when it does not exist).</summary>
    public static IReadOnlyList<string> Missing(string directory) =>
        Directory.Exists(directory) ? All.Where(f => Find(directory, f) is null).ToArray() : All;
}
