using System;
using System.Collections.Generic;
using System.Linq;
using Markdig;
using Markdig.Syntax;

namespace LayerDsl.Lsp.Tests.Infrastructure;

/// <summary>
/// Reads hover markdown as an editor renders it (CommonMark, parsed by Markdig) to check that a layer table sits in a
/// fenced code block: the fence opens on a line of its own before <c>Model: ...</c>, holds the table whole and
/// unchanged, and closes after it; no line of the table stands outside it.
/// </summary>
public static class HoverMarkdown
{
    /// <summary>The table's non-empty lines, trailing spaces removed.</summary>
    public static IReadOnlyList<string> TableLines(string summary) =>
        summary.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();

    /// <summary>Null when <paramref name="markdown"/> shows <paramref name="table"/> in a closed fenced code block; else what is wrong.</summary>
    public static string? FindProblem(string markdown, IReadOnlyList<string> table)
    {
        var blocks = Markdown.Parse(markdown, trackTrivia: true).Descendants<FencedCodeBlock>().ToList();
        var fence = blocks.FirstOrDefault(b => Lines(b).Contains(table[0]));
        if (fence is null)
        {
            return $"no fenced code block holds the layer table: a fence must open on a line of its own before '{table[0]}' " +
                $"({blocks.Count} fenced block(s) found, none with that line)";
        }

        var inside = Lines(fence).Where(l => l.Length > 0).ToList();
        if (!inside.SequenceEqual(table))
        {
            return "the fenced block is not the layer table:\n" + string.Join("\n", inside);
        }

        if (fence.ClosingFencedCharCount < fence.OpeningFencedCharCount)
        {
            return "the code fence around the layer table is never closed";
        }

        // Outside a code block, the table's '====' line would make the text above it a heading, and so on.
        var outside = markdown.Remove(fence.Span.Start, fence.Span.Length).Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd());
        var leaked = outside.Where(l => table.Contains(l)).ToList();
        return leaked.Count == 0 ? null : "lines of the layer table also stand outside the code block: " + string.Join(" | ", leaked);
    }

    private static List<string> Lines(FencedCodeBlock block) =>
        block.Lines.ToString().Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()).ToList();
}
