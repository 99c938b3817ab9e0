using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace LayerDsl.Experiments.Data;

/// <summary>Progress of one file being downloaded.</summary>
/// <param name="FileName">The dataset file.</param>
/// <param name="BytesReceived">Bytes received so far.</param>
/// <param name="TotalBytes">The file's size, when the server said it.</param>
public sealed record DownloadProgress(string FileName, long BytesReceived, long? TotalBytes);

/// <summary>Downloads the four Fashion-MNIST files into a folder, each written to a temporary file, checked, then renamed.</summary>
public sealed class FashionMnistDownloader
{
    /// <summary>
    /// Where the dataset's authors publish the files (Zalando Research's own bucket, then the data folder of their
    /// GitHub repository).
    /// </summary>
    public static IReadOnlyList<Uri> OfficialMirrors { get; } = new[]
    {
        new Uri("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
        new Uri("https://github.com/zalandoresearch/fashion-mnist/raw/master/data/fashion/"),
    };

    private readonly HttpClient client;
    private readonly IReadOnlyList<Uri> mirrors;

    /// <summary>Creates a downloader using <paramref name="client"/> (inject a handler to test) and the given mirrors (default <see cref="OfficialMirrors"/>).</summary>
    public FashionMnistDownloader(HttpClient client, IReadOnlyList<Uri>? mirrors = null)
    {
        this.client = client;
        this.mirrors = mirrors ?? OfficialMirrors;
    }

    /// <summary>
    /// Downloads every file missing from <paramref name="directory"/>, trying each mirror in turn.
    /// Throws <see cref="DatasetDownloadException"/> saying what failed for which file and mirror.
    /// </summary>
    public async Task DownloadAsync(string directory, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(directory);
        foreach (string fileName in FashionMnistFiles.Missing(directory))
        {
            var failures = new List<string>();
            bool done = false;
            foreach (Uri mirror in mirrors)
            {
                var uri = new Uri(mirror, fileName);
                try
                {
                    await DownloadFileAsync(uri, Path.Combine(directory, fileName), fileName, progress, cancellationToken).ConfigureAwait(false);
                    done = true;
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or IOException or DataFormatException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    failures.Add($"{uri}: {e.Message}");
                }
            }

            if (!done)
            {
                throw new DatasetDownloadException($"could not download {fileName}: " + string.Join("; ", failures));
            }
        }
    }

    private async Task DownloadFileAsync(Uri uri, string destination, string fileName, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        string temporary = destination + $".{Environment.ProcessId}.part";
        try
        {
            using (var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
            {
                response.EnsureSuccessStatusCode();
                long? total = response.Content.Headers.ContentLength;
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                var buffer = new byte[1 << 16];
                long received = 0;
                progress?.Report(new DownloadProgress(fileName, 0, total));
                int n;
                while ((n = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                    received += n;
                    progress?.Report(new DownloadProgress(fileName, received, total));
                }

                if (total is long expected && received != expected)
                {
                    throw new IOException($"received {received} of {expected} bytes");
                }
            }

            // Never leave a file that would fail later: check it reads as what it claims to be, then publish it.
            if (fileName.Contains("images", StringComparison.Ordinal))
            {
                IdxReader.ReadImages(temporary, FashionMnist.ImageSize, FashionMnist.ImageSize, out _);
            }
            else
            {
                IdxReader.ReadLabels(temporary, FashionMnist.Classes);
            }

            File.Move(temporary, destination, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}

/// <summary>The dataset could not be downloaded.</summary>
public sealed class DatasetDownloadException : IOException
{
    /// <summary>Creates the exception.</summary>
    public DatasetDownloadException(string message)
        : base(message)
    {
    }
}
