using System;
using System.IO;
using System.IO.Compression;

namespace LayerDsl.Experiments.Data;

/// <summary>Reads the IDX files Fashion-MNIST and MNIST ship in (optionally gzip-compressed), checking everything it reads.</summary>
public static class IdxReader
{
    /// <summary>Magic number of an IDX file of unsigned bytes with three dimensions (images).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned bytes with one dimension (labels).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>
    /// Reads an images file: returns the pixels, row-major, <c>count * rows * cols</c> bytes.
    /// Throws <see cref="DataFormatException"/> naming the file when the magic number, the dimensions
    /// or the length are wrong.
    /// </summary>
    public static byte[] ReadImages(string path, int expectedRows, int expectedCols, out int count)
    {
        using var stream = Open(path);
        int magic = ReadInt32BigEndian(stream, path, "magic number");
        if (magic != ImagesMagic)
        {
            throw new DataFormatException(path, $"not an IDX images file: magic number 0x{magic:X8}, expected 0x{ImagesMagic:X8}{LabelsHint(magic)}");
        }

        count = ReadInt32BigEndian(stream, path, "image count");
        int rows = ReadInt32BigEndian(stream, path, "row count");
        int cols = ReadInt32BigEndian(stream, path, "column count");
        if (count < 0)
        {
            throw new DataFormatException(path, $"negative image count {count}");
        }

        if (rows != expectedRows || cols != expectedCols)
        {
            throw new DataFormatException(path, $"images are {rows}x{cols}, expected {expectedRows}x{expectedCols}");
        }

        long length = (long)count * rows * cols;
        if (length > int.MaxValue)
        {
            throw new DataFormatException(path, $"{count} images of {rows}x{cols} do not fit in memory");
        }

        var pixels = new byte[length];
        ReadExactly(stream, pixels, path, $"{count} images of {rows}x{cols} = {length} bytes");
        ExpectEnd(stream, path, $"{count} images");
        return pixels;
    }

    /// <summary>
    /// Reads a labels file and checks every label is below <paramref name="classes"/>.
    /// Throws <see cref="DataFormatException"/> naming the file on any problem.
    /// </summary>
    public static byte[] ReadLabels(string path, int classes)
    {
        using var stream = Open(path);
        int magic = ReadInt32BigEndian(stream, path, "magic number");
        if (magic != LabelsMagic)
        {
            throw new DataFormatException(path, $"not an IDX labels file: magic number 0x{magic:X8}, expected 0x{LabelsMagic:X8}{ImagesHint(magic)}");
        }

        int count = ReadInt32BigEndian(stream, path, "label count");
        if (count < 0)
        {
            throw new DataFormatException(path, $"negative label count {count}");
        }

        var labels = new byte[count];
        ReadExactly(stream, labels, path, $"{count} labels");
        ExpectEnd(stream, path, $"{count} labels");
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classes)
            {
                throw new DataFormatException(path, $"label {labels[i]} at index {i} is outside 0-{classes - 1}");
            }
        }

        return labels;
    }

    /// <summary>More data than the header declares means the header or the file is wrong (a wrong count, two files joined).</summary>
    private static void ExpectEnd(Stream stream, string path, string what)
    {
        int next;
        try
        {
            next = stream.ReadByte();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"corrupt gzip data after {what}: {e.Message}");
        }

        if (next != -1)
        {
            throw new DataFormatException(path, $"more data follows the {what} the header declares");
        }
    }

    private static string LabelsHint(int magic) => magic == LabelsMagic ? " (this is a labels file)" : "";

    private static string ImagesHint(int magic) => magic == ImagesMagic ? " (this is an images file)" : "";

    private static Stream Open(string path)
    {
        Stream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFormatException(path, $"cannot be opened: {e.Message}");
        }

        // Gzip by content, not by name: a decompressed file renamed .gz (or the reverse) still reads.
        int b0 = file.ReadByte();
        int b1 = file.ReadByte();
        file.Position = 0;
        if (b0 == 0x1f && b1 == 0x8b)
        {
            return new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16);
        }

        return file;
    }

    private static int ReadInt32BigEndian(Stream stream, string path, string what)
    {
        Span<byte> buffer = stackalloc byte[4];
        int read = 0;
        try
        {
            while (read < 4)
            {
                int n = stream.Read(buffer[read..]);
                if (n == 0)
                {
                    throw new DataFormatException(path, $"file truncated: it ends inside the header ({what})");
                }

                read += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"corrupt gzip data: {e.Message}");
        }

        return (buffer[0] << 24) | (buffer[1] << 16) | (buffer[2] << 8) | buffer[3];
    }

    private static void ReadExactly(Stream stream, byte[] buffer, string path, string what)
    {
        int read = 0;
        try
        {
            while (read < buffer.Length)
            {
                int n = stream.Read(buffer, read, buffer.Length - read);
                if (n == 0)
                {
                    throw new DataFormatException(path, $"file truncated: the header promises {what} but only {read} bytes follow");
                }

                read += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"corrupt gzip data after {read} of {buffer.Length} bytes ({what}): {e.Message}");
        }
        catch (EndOfStreamException)
        {
            throw new DataFormatException(path, $"file truncated: the header promises {what} but only {read} bytes follow");
        }
    }
}
