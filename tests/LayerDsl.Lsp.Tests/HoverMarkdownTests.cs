using LayerDsl.Lsp.Tests.Infrastructure;

namespace LayerDsl.Lsp.Tests;

/// <summary>The hover check itself, on markdown of known shape: it passes a fenced table and fails each way of breaking it.</summary>
public sealed class HoverMarkdownTests
{
    private const string Table = """
        Model: Net
        ______________________________________________
        Layer (type)          Output shape     Param #
        ==============================================
        input (Input)         [-1, 1, 4, 4]          0
        dense1 (Dense(2))     [-1, 2]               34
        ==============================================
        Total params: 34
        Input: [-1, 1, 4, 4] NCHW; output: [-1, 2]
        """;

    private const string Head = "```csharp\nNet\n```\n\nA model.\n\n";

    [Theory]
    [InlineData("Remarks:\n\n```csharp\n{0}\n```")]
    [InlineData("Remarks:\n\nLayers:\n```\n{0}\n```\n\nSee also: the README.")]
    [InlineData("Remarks:\n\n~~~~text\n{0}\n~~~~")]
    public void AFencedTablePasses(string remarks) =>
        Assert.Null(HoverMarkdown.FindProblem(Head + string.Format(remarks, Table), "Net"));

    [Theory]
    // What csharp-ls 0.28.0 renders for <remarks><code>...</code></remarks>.
    [InlineData("Remarks: ```csharp\n{0}\n```")]
    [InlineData("Remarks:  Layers: ```csharp\n{0}\n```")]
    [InlineData("Remarks:\n\n    {0}")]
    public void AFenceThatDoesNotOpenOnALineOfItsOwnFails(string remarks) =>
        Assert.StartsWith("no fenced code block holds the layer table", HoverMarkdown.FindProblem(Head + string.Format(remarks, Table), "Net"));

    [Fact]
    public void AnUnclosedFenceFails() =>
        Assert.Equal("the code fence around the layer table is never closed", HoverMarkdown.FindProblem(Head + "```csharp\n" + Table + "\n", "Net"));

    [Fact]
    public void APartOfTheTableInTheFenceFails() =>
        Assert.StartsWith(
            "the fenced block is not a whole layer table",
            HoverMarkdown.FindProblem(Head + "```\n" + Table.Replace("\ninput (Input)", "\n```\ninput (Input)") + "\n", "Net"));

    [Fact]
    public void ATableOfAnotherModelFails() =>
        Assert.StartsWith("no fenced code block holds the layer table", HoverMarkdown.FindProblem(Head + "```\n" + Table + "\n```", "Other"));

    [Fact]
    public void TableLinesOutsideTheFenceFail() =>
        Assert.StartsWith(
            "lines of the layer table stand outside its code block",
            HoverMarkdown.FindProblem(Head + "```\n" + Table + "\n```\n\nText\n==============================================", "Net"));
}
