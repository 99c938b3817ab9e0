using System;
using System.Collections.Generic;
using System.IO;

namespace LayerDsl.Experiments.Data;

/// <summary>
/// Finds Fashion-MNIST, in this order: the <c>--data</c> folder, the <c>FASHION_MNIST_DIR</c> environment variable,
/// <c>/usr/share/datasets/fashion-mnist</c> (Debian's <c>dataset-fashion-mnist</c>), then the per-user cache.
/// </summary>
public sealed class FashionMnistLocator
{
    /// <summary>The environment variable that names a folder holding the dataset.</summary>
    public const string EnvironmentVariable = "FASHION_MNIST_DIR";

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the four files.</summary>
    public const string DebianDirectory = "/usr/share/datasets/fashion-mnist";

    private readonly Func<string, string?> getEnvironmentVariable;

    /// <summary>Creates a locator; every argument is replaceable so discovery can be tested without touching the machine.</summary>
    /// <param name="getEnvironmentVariable">Reads an environment variable (default: the process environment).</param>
    /// <param name="systemDirectory">The system-wide folder (default <see cref="DebianDirectory"/>).</param>
    /// <param name="cacheDirectory">The per-user cache folder (default <see cref="DefaultCacheDirectory"/>).</param>
    public FashionMnistLocator(Func<string, string?>? getEnvironmentVariable = null, string? systemDirectory = null, string? cacheDirectory = null)
    {
        this.getEnvironmentVariable = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;
        SystemDirectory = systemDirectory ?? DebianDirectory;
        CacheDirectory = cacheDirectory ?? DefaultCacheDirectory(this.getEnvironmentVariable);
    }

    /// <summary>The system-wide folder this locator checks.</summary>
    public string SystemDirectory { get; }

    /// <summary>The per-user cache folder this locator checks and downloads into.</summary>
    public string CacheDirectory { get; }

    /// <summary>
    /// The per-user cache: <c>$XDG_CACHE_HOME/layerdsl/fashion-mnist</c>, else <c>~/.cache/layerdsl/fashion-mnist</c>
    /// (on Windows, under the local application-data folder).
    /// </summary>
    public static string DefaultCacheDirectory(Func<string, string?>? getEnvironmentVariable = null)
    {
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;
        string? root = getEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(root))
        {
            root = OperatingSystem.IsWindows()
                ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        }

        return Path.Combine(root, "layerdsl", "fashion-mnist");
    }

    /// <summary>Every place to look, in discovery order, with what each one lacks.</summary>
    public IReadOnlyList<DatasetCandidate> Candidates(string? dataOption)
    {
        var candidates = new List<DatasetCandidate>();
        if (!string.IsNullOrWhiteSpace(dataOption))
        {
            candidates.Add(Candidate(DatasetSource.Option, dataOption));
        }

        string? fromEnvironment = getEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            candidates.Add(Candidate(DatasetSource.EnvironmentVariable, fromEnvironment));
        }

        candidates.Add(Candidate(DatasetSource.SystemPackage, SystemDirectory));
        candidates.Add(Candidate(DatasetSource.UserCache, CacheDirectory));
        return candidates;
    }

    /// <summary>
    /// The folder holding all four files. A folder named with <c>--data</c> (<paramref name="dataOption"/>) must hold them:
    /// when it does not, <see cref="DatasetNotFoundException"/> names what is missing there and nothing else is searched.
    /// Otherwise the first place in discovery order that holds them; an incomplete <c>FASHION_MNIST_DIR</c> is reported
    /// through <paramref name="warn"/> and skipped. Null when no place holds the files.
    /// </summary>
    public DatasetLocation? Locate(string? dataOption, Action<string>? warn = null)
    {
        if (!string.IsNullOrWhiteSpace(dataOption))
        {
            var named = Candidate(DatasetSource.Option, dataOption);
            return named.MissingFiles.Count == 0
                ? new DatasetLocation(named.Source, named.Directory)
                : throw DatasetNotFoundException.InNamedFolder(named);
        }

        foreach (var candidate in Candidates(null))
        {
            if (candidate.MissingFiles.Count == 0)
            {
                return new DatasetLocation(candidate.Source, candidate.Directory);
            }

            if (candidate.Source is DatasetSource.EnvironmentVariable)
            {
                warn?.Invoke($"{candidate.Describe()} lacks {string.Join(", ", candidate.MissingFiles)}; looking further.");
            }
        }

        return null;
    }

    private static DatasetCandidate Candidate(DatasetSource source, string directory)
    {
        string full = Path.GetFullPath(directory);
        return new DatasetCandidate(source, full, FashionMnistFiles.Missing(full));
    }
}
