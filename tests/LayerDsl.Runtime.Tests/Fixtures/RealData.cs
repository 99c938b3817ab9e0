using System;
using LayerDsl.Experiments.Data;
using Xunit;

namespace LayerDsl.Runtime.Tests.Fixtures;

/// <summary>Where the real Fashion-MNIST is for the tests that need it (FASHION_MNIST_DIR, then Debian's package, then the cache).</summary>
public static class RealData
{
    public static bool InCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    public static string? Directory => new FashionMnistLocator().Locate(null)?.Directory;
}

/// <summary>
/// A fact that needs the real dataset: skipped with the reason when it is missing outside CI; under CI it runs and
/// fails, so a CI machine without the dataset cannot pass by skipping.
/// </summary>
public sealed class RealDataFactAttribute : FactAttribute
{
    public RealDataFactAttribute()
    {
        if (RealData.Directory is null && !RealData.InCi)
        {
            Skip = "Fashion-MNIST not found (install dataset-fashion-mnist or set FASHION_MNIST_DIR); this test fails instead of skipping when CI is set.";
        }
    }
}
