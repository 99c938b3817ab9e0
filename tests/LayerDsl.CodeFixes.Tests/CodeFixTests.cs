using System.Linq;
using System.Threading.Tasks;
using LayerDsl.CodeFixes.Tests.Infrastructure;

namespace LayerDsl.CodeFixes.Tests;

/// <summary>Each code fix: the source before and after, and that the fixed project builds without LayerDsl diagnostics.</summary>
public class CodeFixTests
{
    [Fact]
    public async Task InFeaturesMismatchOffersBothFixes()
    {
        var offered = await FixHarness.OfferedAsync(FixHarness.CreateDocument(Sources.Origin), new InFeaturesCodeFixProvider(), "LDSL0013");

        Assert.Equal(new[] { "Use the inferred size (18432)", "Remove the InFeatures pin" }, offered);
    }

    [Fact]
    public async Task UseTheInferredSizeWritesTheRealNumber()
    {
        var fixedText = await FixHarness.ApplyToTextAsync(
            FixHarness.CreateDocument(Sources.Origin), new InFeaturesCodeFixProvider(), "LDSL0013", InFeaturesCodeFixProvider.UseInferredTitle);

        Assert.Equal(Sources.Origin.Replace("[Dense(10, InFeatures = 784)]", "[Dense(10, InFeatures = 18432)]"), fixedText);
        await AssertBuildsCleanAsync(fixedText);
    }

    [Fact]
    public async Task RemoveThePinLeavesTheInferredSize()
    {
        var fixedText = await FixHarness.ApplyToTextAsync(
            FixHarness.CreateDocument(Sources.Origin), new InFeaturesCodeFixProvider(), "LDSL0013", InFeaturesCodeFixProvider.RemovePinTitle);

        Assert.Equal(Sources.Origin.Replace("[Dense(10, InFeatures = 784)]", "[Dense(10)]"), fixedText);
        await AssertBuildsCleanAsync(fixedText);
    }

    [Fact]
    public async Task RemoveThePinKeepsTheOtherArguments()
    {
        var source = Sources.Origin.Replace("[Dense(10, InFeatures = 784)]", "[Dense(10, InFeatures = 784, Activation = Activation.Softmax)]");

        var fixedText = await FixHarness.ApplyToTextAsync(
            FixHarness.CreateDocument(source), new InFeaturesCodeFixProvider(), "LDSL0013", InFeaturesCodeFixProvider.RemovePinTitle);

        Assert.Equal(Sources.Origin.Replace("[Dense(10, InFeatures = 784)]", "[Dense(10, Activation = Activation.Softmax)]"), fixedText);
        await AssertBuildsCleanAsync(fixedText);
    }

    [Fact]
    public async Task MakePartialAddsTheModifierBeforeClass()
    {
        var fixedText = await FixHarness.ApplyToTextAsync(
            FixHarness.CreateDocument(Sources.NotPartial), new MakePartialCodeFixProvider(), "LDSL0001", MakePartialCodeFixProvider.Title);

        Assert.Equal(Sources.NotPartial.Replace("public class Baseline", "public partial class Baseline"), fixedText);
        await AssertBuildsCleanAsync(fixedText);
    }

    [Theory]
    [InlineData("internal sealed class Baseline", "internal sealed partial class Baseline")]
    [InlineData("class Baseline", "partial class Baseline")]
    public async Task MakePartialKeepsTheOtherModifiersAndTheLayout(string declaration, string expected)
    {
        var source = Sources.NotPartial.Replace("public class Baseline", declaration);

        var fixedText = await FixHarness.ApplyToTextAsync(
            FixHarness.CreateDocument(source), new MakePartialCodeFixProvider(), "LDSL0001", MakePartialCodeFixProvider.Title);

        Assert.Equal(source.Replace(declaration, expected), fixedText);
        await AssertBuildsCleanAsync(fixedText);
    }

    [Fact]
    public async Task PaddingSameIsAddedToAConvolution()
    {
        var fixedText = await FixHarness.ApplyToTextAsync(
            FixHarness.CreateDocument(Sources.ConvTooLarge), new PaddingSameCodeFixProvider(), "LDSL0011", PaddingSameCodeFixProvider.Title);

        Assert.Equal(Sources.ConvTooLarge.Replace("[Conv2D(8, 5)]", "[Conv2D(8, 5, Padding = Padding.Same)]"), fixedText);
        await AssertBuildsCleanAsync(fixedText);
    }

    [Fact]
    public async Task PaddingValidIsReplacedOnAMaskedConvolution()
    {
        var source = Sources.ConvTooLarge.Replace("[Conv2D(8, 5)]", "[MaskedConv(5, 4, Padding = Padding.Valid, UseBias = true)]");

        var fixedText = await FixHarness.ApplyToTextAsync(
            FixHarness.CreateDocument(source), new PaddingSameCodeFixProvider(), "LDSL0011", PaddingSameCodeFixProvider.Title);

        Assert.Equal(source.Replace("Padding = Padding.Valid", "Padding = Padding.Same"), fixedText);
        await AssertBuildsCleanAsync(fixedText);
    }

    [Fact]
    public async Task PaddingSameIsFullyQualifiedWithoutAUsing()
    {
        var source = "[LayerDsl.Input(3, 3, 1)]\n[LayerDsl.Conv2D(8, 5)]\npublic partial class Tiny { }\n";

        var fixedText = await FixHarness.ApplyToTextAsync(
            FixHarness.CreateDocument(source), new PaddingSameCodeFixProvider(), "LDSL0011", PaddingSameCodeFixProvider.Title);

        Assert.Equal(source.Replace("[LayerDsl.Conv2D(8, 5)]", "[LayerDsl.Conv2D(8, 5, Padding = LayerDsl.Padding.Same)]"), fixedText);
        await AssertBuildsCleanAsync(fixedText);
    }

    [Fact]
    public async Task PoolsGetNoPaddingFix()
    {
        var document = FixHarness.CreateDocument("using LayerDsl;\n[Input(3, 3, 1)]\n[MaxPool2D(4)]\npublic partial class Pooled { }");

        Assert.Empty(await FixHarness.OfferedAsync(document, new PaddingSameCodeFixProvider(), "LDSL0011"));
    }

    [Fact]
    public async Task MakePartialFixesEveryDeclarationOfTheClass()
    {
        var document = FixHarness.CreateDocument(Sources.NotPartial);
        var other = FixHarness.AddDocument(document.Project, "namespace Demo;\n\npublic class Baseline\n{\n    internal int Extra => 1;\n}\n", "Other.cs");
        document = other.Project.GetDocument(document.Id)!;

        var solution = await FixHarness.ApplyAsync(document, new MakePartialCodeFixProvider(), "LDSL0001", MakePartialCodeFixProvider.Title);

        var otherText = (await solution.GetDocument(other.Id)!.GetTextAsync()).ToString();
        Assert.Contains("public partial class Baseline", otherText);
        var build = await FixHarness.BuildAsync(solution.GetProject(document.Project.Id)!);
        Assert.Empty(build.LayerDsl);
        Assert.Empty(build.CompilerProblems);
    }

    private static async Task AssertBuildsCleanAsync(string fixedText)
    {
        var build = await FixHarness.BuildAsync(fixedText);
        Assert.Empty(build.LayerDsl);
        Assert.Empty(build.CompilerProblems);
    }
}
