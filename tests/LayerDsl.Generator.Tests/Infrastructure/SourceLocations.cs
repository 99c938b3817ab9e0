using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace LayerDsl.Generator.Tests.Infrastructure;

/// <summary>Checks that a diagnostic points into one of the user's files, inside that file's text.</summary>
public static class SourceLocations
{
    /// <summary>
    /// True when <paramref name="location"/> is a source or file location (the generator reports its diagnostics
    /// from plain values, so they come back as file locations) in one of <paramref name="files"/>, whose span and
    /// line/column range lie inside that file and agree with each other.
    /// </summary>
    public static bool IsInFile(Location location, IReadOnlyDictionary<string, string> files)
    {
        if (location.Kind is not (LocationKind.SourceFile or LocationKind.ExternalFile))
        {
            return false;
        }

        var lines = location.GetLineSpan();
        if (!lines.IsValid || !files.TryGetValue(lines.Path, out var source))
        {
            return false;
        }

        var text = SourceText.From(source);
        var span = location.SourceSpan;
        if (span.Start < 0 || span.End > text.Length)
        {
            return false;
        }

        var expected = text.Lines.GetLinePositionSpan(span);
        return expected == lines.Span;
    }
}
