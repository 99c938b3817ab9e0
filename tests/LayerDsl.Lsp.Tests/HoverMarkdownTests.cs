using LayerDsl.Lsp.Tests.Infrastructure;

namespace LayerDsl.Lsp.Tests;

/// <summary>The hover check itself, on markdown of known shape: it passes a fenced table and fails each way of breaking it.</summary>
public sealed class HoverMarkdownTests
{
    private static readonly string Table = LayerDsl.Models.MaskedConvNet.Summary.Replace("\r\n", "\n").TrimEnd('\n');

    private static readonly string Head = "```csharp\nMaskedConvNet\n```\n\nThe origin's model.\n\n";

    [Theory]
    [InlineData("Remarks:\n\n```csharp\n{0}\n```")]
    [InlineData("Remarks:\n\n```\n{0}\n```\n\nSee also: the README.")]
    [InlineData("Remarks:\n\n~~~~text\n{0}\n~~~~")]
    public void AFencedTablePasses(string remarks) =>
        Assert.Null(HoverMarkdown.FindProblem(Head + string.Format(remarks, Table), HoverMarkdown.TableLines(Table)));

    [Fact]
    public void AFenceOpenedOnTheRemarksLineFails()
    {
        // What csharp-ls 0.28.0 renders for <remarks><code>...</code></remarks>.
        var problem = HoverMarkdown.FindProblem(Head + "Remarks: ```csharp\n" + Table + "\n```", HoverMarkdown.TableLines(Table));

        Assert.StartsWith("no fenced code block holds the layer table", problem);
    }

    [Fact]
    public void AnUnclosedFenceFails() =>
        Assert.Equal(
            "the code fence around the layer table is never closed",
            HoverMarkdown.FindProblem(Head + "```csharp\n" + Table + "\n", HoverMarkdown.TableLines(Table)));

    [Fact]
    public void APartOfTheTableInTheFenceFails() =>
        Assert.StartsWith(
            "the fenced block is not the layer table",
            HoverMarkdown.FindProblem(Head + "```\n" + Table.Replace("\nTotal params", "\n```\nTotal params") + "\n", HoverMarkdown.TableLines(Table)));

    [Fact]
    public void TableLinesOutsideTheFenceFail() =>
        Assert.StartsWith(
            "lines of the layer table also stand outside the code block",
            HoverMarkdown.FindProblem(Head + "```\n" + Table + "\n```\n\n" + HoverMarkdown.TableLines(Table)[2], HoverMarkdown.TableLines(Table)));
}
