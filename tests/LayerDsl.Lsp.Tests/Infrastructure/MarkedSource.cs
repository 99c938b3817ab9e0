using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace LayerDsl.Lsp.Tests.Infrastructure;

/// <summary>An expected diagnostic: its ID and LSP range.</summary>
public sealed record ExpectedDiagnostic(string Id, LspRange Range, string MarkedText)
{
    public override string ToString() => $"{Id} at {Range} on '{MarkedText}'";
}

/// <summary>
/// Source text with diagnostics marked as the Roslyn testing library marks them, <c>{|LDSL0013:InFeatures = 784|}</c>
/// (parsed by its <see cref="TestFileMarkupParser"/>): the plain text, and each marked ID with its range.
/// </summary>
public sealed class MarkedSource
{
    private MarkedSource(string text, ImmutableArray<ExpectedDiagnostic> expected)
    {
        Text = text;
        Expected = expected;
    }

    /// <summary>The source without markup.</summary>
    public string Text { get; }

    /// <summary>The marked diagnostics, in source order.</summary>
    public ImmutableArray<ExpectedDiagnostic> Expected { get; }

    public static MarkedSource Parse(string markup)
    {
        TestFileMarkupParser.GetSpans(markup, out string text, out ImmutableDictionary<string, ImmutableArray<TextSpan>> spans);
        if (spans.TryGetValue(string.Empty, out var unnamed) && !unnamed.IsEmpty)
        {
            throw new System.ArgumentException("a span without an ID ([|...|]): mark each expected diagnostic as {|ID:text|}", nameof(markup));
        }

        var source = SourceText.From(text);
        var expected = spans
            .SelectMany(pair => pair.Value.Select(span => new ExpectedDiagnostic(pair.Key, RangeOf(source, span), source.ToString(span))))
            .OrderBy(e => e.Range.Start.Line)
            .ThenBy(e => e.Range.Start.Character)
            .ToImmutableArray();
        return new MarkedSource(text, expected);
    }

    /// <summary>The LSP position of <paramref name="offset"/> in <paramref name="text"/> (both count UTF-16 code units).</summary>
    public static LspPosition PositionOf(string text, int offset)
    {
        var position = SourceText.From(text).Lines.GetLinePosition(offset);
        return new LspPosition(position.Line, position.Character);
    }

    private static LspRange RangeOf(SourceText source, TextSpan span)
    {
        var lines = source.Lines.GetLinePositionSpan(span);
        return new LspRange(new LspPosition(lines.Start.Line, lines.Start.Character), new LspPosition(lines.End.Line, lines.End.Character));
    }
}
