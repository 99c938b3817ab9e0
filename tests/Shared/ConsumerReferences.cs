using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace LayerDsl.Tests.Shared;

/// <summary>
/// The metadata references of a project that uses LayerDsl — the framework, TorchSharp and LayerDsl.Runtime — for
/// in-memory compilations. Linked into every test project that compiles user code.
/// </summary>
internal static class ConsumerReferences
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> Lazy = new(Load);

    public static ImmutableArray<MetadataReference> All => Lazy.Value;

    private static ImmutableArray<MetadataReference> Load()
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        var framework = trusted.Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)
            || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll");
        var libraries = new[] { typeof(LayerDsl.InputAttribute).Assembly.Location, typeof(TorchSharp.torch).Assembly.Location };
        return framework.Concat(libraries).Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }
}
