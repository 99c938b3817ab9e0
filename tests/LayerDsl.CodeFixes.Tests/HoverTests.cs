using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using System.Xml.Linq;
using LayerDsl.CodeFixes.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Xunit.Abstractions;

namespace LayerDsl.CodeFixes.Tests;

/// <summary>The layer table where the user looks: the generated class's doc comment (hover) and the run-time summary agree.</summary>
public class HoverTests
{
    private readonly ITestOutputHelper _output;

    public HoverTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task TheDocCommentTableOfMaskedConvNetEqualsTheRuntimeSummary()
    {
        var source = File.ReadAllText(RepoFile("Models/MaskedConvNet.cs"));
        var build = await Build.RunAsync(source);
        Assert.Empty(build.LayerDsl);
        Assert.Empty(build.CompilerProblems);

        // Models/MaskedConvNet.cs has its own <summary>, which an IDE's quick info shows (it shows only the first
        // <summary> of a partial class); the table is in <remarks>, which quick info shows beside it.
        var type = build.Output.GetTypeByMetadataName("LayerDsl.Models.MaskedConvNet")!;
        var xml = type.GetDocumentationCommentXml();
        _output.WriteLine(xml);
        var comment = XElement.Parse(xml!);
        Assert.StartsWith("The origin's attention-masked", comment.Elements("summary").First().Value.Trim());
        var table = comment.Elements("remarks").Single().Descendants("code").Single().Value;

        Assert.Equal(Normalize(LayerDsl.Models.MaskedConvNet.Summary), Normalize(table));
        Assert.Equal(LayerDsl.Models.MaskedConvNet.Summary, LayerDsl.Models.MaskedConvNet.Info.Summary);
        Assert.Contains("maskedConv1 (MaskedConv(5, 32): 32 filters, 5 × 5 kernel)  [-1, 32, 24, 24]    1,450", table);
        Assert.Contains("Total params: 185,780", table);
    }

    [Fact]
    public async Task AModelWithoutItsOwnDocCommentShowsTheGeneratedSummaryAndTheTable()
    {
        var source = "using LayerDsl;\nnamespace Demo;\n[Input(28, 28, 1)]\n[MaskedConv(5, 32)]\n[Flatten]\n[Dense(10, Activation = Activation.Softmax)]\npublic partial class MaskedConvNet { }\n";
        var build = await Build.RunAsync(source);
        var xml = build.Output.GetTypeByMetadataName("Demo.MaskedConvNet")!.GetDocumentationCommentXml();

        // An IDE's quick info shows the first <summary> of the class (Roslyn's DocumentationComment keeps only that one).
        var comment = XElement.Parse(xml!);
        var shown = QuickInfoText(comment.Elements("summary").First());
        _output.WriteLine(shown);
        Assert.Equal("LayerDsl model MaskedConvNet: input [-1, 1, 28, 28], output [-1, 10], 185,780 parameters.", shown);
        // The remarks: a paragraph (so that markdown renderers start the code block on its own line), then the table.
        var remarks = comment.Elements("remarks").Single();
        Assert.Equal("The layers as inferred at compile time:", QuickInfoText(remarks.Element("para")!));
        Assert.Equal(Normalize(LayerDsl.Models.MaskedConvNet.Summary), Normalize(QuickInfoText(remarks.Element("code")!)));
    }

    /// <summary>The summary as quick info renders it: element text, one line per source line, common indentation removed.</summary>
    private static string QuickInfoText(XElement summary) =>
        string.Join("\n", summary.Value.Replace("\r\n", "\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    private static string Normalize(string text) =>
        string.Join("\n", text.Replace("\r\n", "\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    private static string RepoFile(string relative, [CallerFilePath] string testFile = "") =>
        Path.Combine(Path.GetDirectoryName(testFile)!, "..", "..", relative);
}
