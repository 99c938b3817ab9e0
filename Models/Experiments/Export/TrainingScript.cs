using System.IO;
using LayerDsl.Experiments.Cli;

namespace LayerDsl.Experiments.Export;

/// <summary>
/// <c>train_ddp.py</c>: trains an exported model's PyTorch twin on Fashion-MNIST with PyTorch's DistributedDataParallel
/// (under <c>torchrun</c>, or one process per rank with the variables torchrun sets), embedded in this assembly.
/// </summary>
internal static class TrainingScript
{
    /// <summary>The script's file name in an export folder.</summary>
    public const string FileName = "train_ddp.py";

    private const string ResourceName = "LayerDsl.Experiments.Export.train_ddp.py";

    /// <summary>The script's text.</summary>
    public static string Text { get; } = Read();

    /// <summary>Writes the script to <paramref name="path"/> atomically.</summary>
    public static void Write(string path) => AtomicFile.WriteAllText(path, Text);

    private static string Read()
    {
        using var stream = typeof(TrainingScript).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidDataException($"{typeof(TrainingScript).Assembly.GetName().Name} lacks its embedded {ResourceName}; the assembly was built without Export/{FileName}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
