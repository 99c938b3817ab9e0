using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using LayerDsl.Experiments.Data;

namespace LayerDsl.Runtime.Tests.Fixtures;

/// <summary>Writes small IDX files, good or deliberately broken, for the data tests.</summary>
public static class IdxFiles
{
    public static byte[] Images(int count, int rows = 28, int cols = 28, int magic = IdxReader.ImagesMagic, int? declaredCount = null)
    {
        var bytes = new byte[16 + (count * rows * cols)];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), declaredCount ?? count);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), cols);
        for (int i = 16; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 7);
        }

        return bytes;
    }

    public static byte[] Labels(int count, int magic = IdxReader.LabelsMagic, byte? badLabelAt0 = null, int? declaredCount = null)
    {
        var bytes = new byte[8 + count];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(0), magic);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), declaredCount ?? count);
        for (int i = 0; i < count; i++)
        {
            bytes[8 + i] = (byte)(i % 10);
        }

        if (badLabelAt0 is byte bad && count > 0)
        {
            bytes[8] = bad;
        }

        return bytes;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(raw);
        }

        return output.ToArray();
    }

    /// <summary>Writes a complete, valid dataset of <paramref name="train"/> + <paramref name="test"/> images into <paramref name="directory"/>.</summary>
    public static void WriteDataset(string directory, int train = 20, int test = 10)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, FashionMnistFiles.TrainImages), Gzip(Images(train)));
        File.WriteAllBytes(Path.Combine(directory, FashionMnistFiles.TrainLabels), Gzip(Labels(train)));
        File.WriteAllBytes(Path.Combine(directory, FashionMnistFiles.TestImages), Gzip(Images(test)));
        File.WriteAllBytes(Path.Combine(directory, FashionMnistFiles.TestLabels), Gzip(Labels(test)));
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "layerdsl-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
