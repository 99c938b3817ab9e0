namespace LayerDsl.Experiments.Data;

/// <summary>Where the dataset was looked for, in discovery order.</summary>
public enum DatasetSource
{
    /// <summary>The <c>--data</c> option.</summary>
    Option = 0,

    /// <summary>The <c>FASHION_MNIST_DIR</c> environment variable.</summary>
    EnvironmentVariable = 1,

    /// <summary>Debian's <c>dataset-fashion-mnist</c> package, <c>/usr/share/datasets/fashion-mnist</c>.</summary>
    SystemPackage = 2,

    /// <summary>The per-user cache directory (where downloads go).</summary>
    UserCache = 3,

    /// <summary>Downloaded just now into the per-user cache.</summary>
    Download = 4,
}

/// <summary>One place the dataset was looked for and what was missing there.</summary>
/// <param name="Source">Which rule of the discovery order this is.</param>
/// <param name="Directory">The folder.</param>
/// <param name="MissingFiles">Files of the dataset not found there (empty when it has them all).</param>
public sealed record DatasetCandidate(DatasetSource Source, string Directory, System.Collections.Generic.IReadOnlyList<string> MissingFiles)
{
    /// <summary>How a user would name this place.</summary>
    public string Describe() => Source switch
    {
        DatasetSource.Option => $"--data {Directory}",
        DatasetSource.EnvironmentVariable => $"FASHION_MNIST_DIR={Directory}",
        DatasetSource.SystemPackage => $"{Directory} (Debian package dataset-fashion-mnist)",
        DatasetSource.UserCache => $"{Directory} (download cache)",
        _ => Directory,
    };
}

/// <summary>The folder the dataset was found in, and by which rule.</summary>
/// <param name="Source">The rule that found it.</param>
/// <param name="Directory">The folder holding the four files.</param>
public sealed record DatasetLocation(DatasetSource Source, string Directory);
