using System;
using System.Collections.Generic;
using System.Linq;
using Markdig;
using Markdig.Syntax;

namespace LayerDsl.Lsp.Tests.Infrastructure;

/// <summary>
/// Reads hover markdown as an editor renders it (CommonMark, parsed by Markdig) to check that a model's Keras-style
/// layer table sits in a fenced code block: the fence opens on a line of its own before <c>Model: Name</c>, holds the
/// table's <c>____</c>, <c>Layer (type)</c>, <c>====</c> and <c>Total params:</c> lines, and closes after them; no such
/// line stands outside a code block (where a <c>====</c> line would turn the text above it into a heading).
/// </summary>
public static class HoverMarkdown
{
    /// <summary>Null when <paramref name="markdown"/> shows the layer table of <paramref name="model"/> fenced; else what is wrong.</summary>
    public static string? FindProblem(string markdown, string model)
    {
        var title = "Model: " + model;
        var blocks = Markdown.Parse(markdown, trackTrivia: true).Descendants<FencedCodeBlock>().ToList();
        var fence = blocks.FirstOrDefault(b => Lines(b).Contains(title));
        if (fence is null)
        {
            return $"no fenced code block holds the layer table: a fence must open on a line of its own before '{title}' " +
                $"({blocks.Count} fenced block(s) found, none with that line)";
        }

        var inside = Lines(fence).Where(l => l.Length > 0).ToList();
        var rules = inside.Select((line, i) => (line, i)).Where(x => IsRule(x.line, '=')).Select(x => x.i).ToList();
        var wellFormed = inside.Count >= 7
            && inside[0] == title
            && IsRule(inside[1], '_')
            && inside[2].StartsWith("Layer (type)", StringComparison.Ordinal)
            && rules.Count == 2 && rules[0] == 3 && rules[1] > 4
            && inside[rules[1] + 1].StartsWith("Total params: ", StringComparison.Ordinal);
        if (!wellFormed)
        {
            return "the fenced block is not a whole layer table (Model:, ____, Layer (type), ====, rows, ====, Total params:):\n" + string.Join("\n", inside);
        }

        if (fence.ClosingFencedCharCount < fence.OpeningFencedCharCount)
        {
            return "the code fence around the layer table is never closed";
        }

        var outside = markdown.Remove(fence.Span.Start, fence.Span.Length).Replace("\r\n", "\n").Split('\n').Select(l => l.Trim());
        var leaked = outside.Where(l => l == title || IsRule(l, '_') || IsRule(l, '=')
            || l.StartsWith("Layer (type)", StringComparison.Ordinal) || l.StartsWith("Total params: ", StringComparison.Ordinal)).ToList();
        return leaked.Count == 0 ? null : "lines of the layer table stand outside its code block: " + string.Join(" | ", leaked);
    }

    /// <summary>A line of the table's rules: ten or more of <paramref name="c"/> and nothing else.</summary>
    private static bool IsRule(string line, char c) => line.Length >= 10 && line.All(x => x == c);

    private static List<string> Lines(FencedCodeBlock block) =>
        block.Lines.ToString().Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()).ToList();
}
