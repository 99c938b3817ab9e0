using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace LayerDsl.Experiments.Data;

/// <summary>Finds Fashion-MNIST by the discovery order, downloading it into the per-user cache when no place has it.</summary>
public static class FashionMnistSource
{
    /// <summary>
    /// Returns the folder holding the dataset: found by <paramref name="locator"/>, or downloaded by <paramref name="downloader"/>
    /// into its cache (skipped when the downloader is null). Throws <see cref="DatasetNotFoundException"/>, whose message names
    /// the three remedies, when both fail, and at once when the folder named by <paramref name="dataOption"/> lacks a file.
    /// </summary>
    public static async Task<DatasetLocation> ResolveAsync(
        string? dataOption,
        FashionMnistLocator locator,
        FashionMnistDownloader? downloader,
        IProgress<DownloadProgress>? progress = null,
        Action<string>? warn = null,
        CancellationToken cancellationToken = default)
    {
        var found = locator.Locate(dataOption, warn);
        if (found is not null)
        {
            return found;
        }

        string? downloadError = "downloading is disabled";
        if (downloader is not null)
        {
            try
            {
                warn?.Invoke($"Fashion-MNIST not found; downloading it into {locator.CacheDirectory}");
                await downloader.DownloadAsync(locator.CacheDirectory, progress, cancellationToken).ConfigureAwait(false);
                return new DatasetLocation(DatasetSource.Download, locator.CacheDirectory);
            }
            catch (Exception e) when (e is DatasetDownloadException or System.IO.IOException or UnauthorizedAccessException or HttpRequestException)
            {
                downloadError = e.Message;
            }
        }

        throw new DatasetNotFoundException(locator.Candidates(null), locator.CacheDirectory, downloadError);
    }
}

/// <summary>Fashion-MNIST is nowhere to be found and could not be downloaded; the message says where it looked and the three remedies.</summary>
public sealed class DatasetNotFoundException : Exception
{
    /// <summary>Creates the exception from the places looked at and why the download failed.</summary>
    public DatasetNotFoundException(IReadOnlyList<DatasetCandidate> candidates, string cacheDirectory, string downloadError)
        : this(BuildMessage(candidates, cacheDirectory, downloadError), candidates)
    {
    }

    private DatasetNotFoundException(string message, IReadOnlyList<DatasetCandidate> candidates)
        : base(message)
    {
        Candidates = candidates;
    }

    /// <summary>The folder the user named (<c>--data</c>) does not hold the dataset: the message says what is missing there.</summary>
    public static DatasetNotFoundException InNamedFolder(DatasetCandidate folder)
    {
        string message = System.IO.Directory.Exists(folder.Directory)
            ? $"{folder.Describe()}: the folder lacks {string.Join(", ", folder.MissingFiles)} (each may also be there decompressed, without .gz); a folder given with --data must hold all four Fashion-MNIST files, and no other place is searched"
            : $"{folder.Describe()}: no such folder; --data must name a folder holding {string.Join(", ", FashionMnistFiles.All)}";
        return new DatasetNotFoundException(message, new[] { folder });
    }

    /// <summary>The places looked at, in order.</summary>
    public IReadOnlyList<DatasetCandidate> Candidates { get; }

    private static string BuildMessage(IReadOnlyList<DatasetCandidate> candidates, string cacheDirectory, string downloadError)
    {
        var lines = new List<string> { "Fashion-MNIST was not found. Looked in, in order:" };
        lines.AddRange(candidates.Select(c => $"  - {c.Describe()}: missing {string.Join(", ", c.MissingFiles)}"));
        lines.Add($"and the download into {cacheDirectory} failed: {downloadError}");
        lines.Add("Do one of these:");
        lines.Add($"  1. install Debian's package: sudo apt-get install dataset-fashion-mnist (it puts the files in {FashionMnistLocator.DebianDirectory});");
        lines.Add($"  2. point at a folder holding {string.Join(", ", FashionMnistFiles.All)}: --data DIR or {FashionMnistLocator.EnvironmentVariable}=DIR;");
        lines.Add($"  3. run once with network access, so the files download into {cacheDirectory}.");
        return string.Join(Environment.NewLine, lines);
    }
}
