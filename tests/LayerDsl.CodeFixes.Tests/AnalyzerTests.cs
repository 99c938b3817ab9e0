using System.Linq;
using System.Threading.Tasks;
using LayerDsl.CodeFixes.Tests.Infrastructure;
using LayerDsl.Generator;
using Microsoft.CodeAnalysis;

namespace LayerDsl.CodeFixes.Tests;

/// <summary>ModelAnalyzer: the fixable diagnostics on real source locations, each reported once per build.</summary>
public class AnalyzerTests
{
    [Fact]
    public async Task InFeaturesMismatchIsReportedOnTheArgumentWithBothNumbers()
    {
        var build = await FixHarness.BuildAsync(Sources.Origin);

        var diagnostic = Assert.Single(build.LayerDsl);
        Assert.Equal("LDSL0013", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.True(diagnostic.Location.IsInSource);
        Assert.Equal("InFeatures = 784", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal(("Model.cs", 6, 11), (span.Path, span.StartLinePosition.Line, span.StartLinePosition.Character));
        Assert.Equal(
            "Dense(10, InFeatures = 784) is pinned to InFeatures = 784, but its input has 18432 features (24 × 24 × 32 = 18432 from MaskedConv(5, 32)); remove InFeatures or set it to 18432",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("18432", diagnostic.Properties[ModelAnalyzer.InferredFeaturesProperty]);
        Assert.Equal("https://github.com/layerdsl/layerdsl/blob/main/README.md#ldsl0013", diagnostic.Descriptor.HelpLinkUri);
    }

    [Fact]
    public async Task TheOriginsBrokenModelReportsLdsl0013ExactlyOncePerBuild()
    {
        var build = await FixHarness.BuildAsync(Sources.Origin);

        Assert.Single(build.Analyzer, d => d.Id == "LDSL0013");
        Assert.DoesNotContain(build.Generator, d => d.Id == "LDSL0013");
        Assert.Single(build.LayerDsl.Concat(build.Compiler), d => d.Id == "LDSL0013");

        // The generator still writes the stub, so the rest of the project compiles.
        Assert.Empty(build.CompilerProblems);
    }

    [Fact]
    public async Task NotPartialIsReportedOnTheClassName()
    {
        var build = await FixHarness.BuildAsync(Sources.NotPartial);

        var diagnostic = Assert.Single(build.LayerDsl);
        Assert.Equal("LDSL0001", diagnostic.Id);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal((8, 13), (span.StartLinePosition.Line, span.StartLinePosition.Character));
        Assert.Equal("Baseline", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Single(build.Analyzer);
        Assert.Empty(build.Generator);
    }

    [Fact]
    public async Task WindowLargerThanInputIsReportedOnTheKernelSize()
    {
        var build = await FixHarness.BuildAsync(Sources.ConvTooLarge);

        var diagnostic = Assert.Single(build.LayerDsl);
        Assert.Equal("LDSL0011", diagnostic.Id);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal((5, 11), (span.StartLinePosition.Line, span.StartLinePosition.Character));
        Assert.Equal("5", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.Equal(
            "Conv2D(8, 5) slides a 5 × 5 window over a 3 × 3 input, so its output would be -1 × -1; use a smaller kernel, Padding = Padding.Same, or a larger input",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("true", diagnostic.Properties[ModelAnalyzer.PaddingSameFixesProperty]);
    }

    [Fact]
    public async Task APoolLargerThanItsInputHasNoPaddingProperty()
    {
        var build = await FixHarness.BuildAsync("using LayerDsl;\n[Input(3, 3, 1)]\n[MaxPool2D(4)]\npublic partial class Pooled { }");

        var diagnostic = Assert.Single(build.LayerDsl);
        Assert.Equal("LDSL0011", diagnostic.Id);
        Assert.Equal("4", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
        Assert.False(diagnostic.Properties.ContainsKey(ModelAnalyzer.PaddingSameFixesProperty));
    }

    [Fact]
    public async Task OtherDiagnosticsStayWithTheGenerator()
    {
        var build = await FixHarness.BuildAsync("using LayerDsl;\n[Input(3, 3, 1)]\npublic partial class Empty { }");

        Assert.Empty(build.Analyzer);
        Assert.Equal("LDSL0015", Assert.Single(build.Generator).Id);
    }

    [Fact]
    public async Task ValidModelsGetNoDiagnostics()
    {
        var build = await FixHarness.BuildAsync(
            "using LayerDsl;\n[Input(28, 28, 1)][MaskedConv(5, 32)][Flatten][Dense(10, Activation = Activation.Softmax)] public partial class A { }\n" +
            "[Input(28, 28, 1)][Conv2D(32, 3, Activation = Activation.ReLU)][Flatten][Dense(10, InFeatures = 21632)] public partial class B { }");

        Assert.Empty(build.LayerDsl);
        Assert.Empty(build.CompilerProblems);
    }

    [Fact]
    public async Task PragmaSuppressesTheAnalyzerDiagnostic()
    {
        var build = await FixHarness.BuildAsync("#pragma warning disable LDSL0013\n" + Sources.Origin);

        Assert.DoesNotContain(build.LayerDsl, d => !d.IsSuppressed);
    }

    [Fact]
    public void EveryReportedIdHasAHelpLinkAndIsAnError()
    {
        var analyzer = new ModelAnalyzer();

        Assert.Equal(new[] { "LDSL0001", "LDSL0011", "LDSL0013" }, analyzer.SupportedDiagnostics.Select(d => d.Id).OrderBy(i => i));
        Assert.All(analyzer.SupportedDiagnostics, d =>
        {
            Assert.Equal("https://github.com/layerdsl/layerdsl/blob/main/README.md#" + d.Id.ToLowerInvariant(), d.HelpLinkUri);
            Assert.Equal(DiagnosticSeverity.Error, d.DefaultSeverity);
            Assert.True(d.IsEnabledByDefault);
        });
    }
}
