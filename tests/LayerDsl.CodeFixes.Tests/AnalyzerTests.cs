using System.Linq;
using System.Threading.Tasks;
using LayerDsl.CodeFixes.Tests.Infrastructure;
using LayerDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace LayerDsl.CodeFixes.Tests;

/// <summary>ModelAnalyzer: the fixable diagnostics on real source locations (marked), their messages, and what they hand to their fixes.</summary>
public class AnalyzerTests
{
    [Fact]
    public Task InFeaturesMismatchIsReportedOnTheArgumentWithBothNumbers() =>
        new LayerDslFixTest<EmptyCodeFixProvider>
        {
            TestCode = Sources.Origin.Replace("{|LDSL0013:InFeatures = 784|}", "{|#0:InFeatures = 784|}"),
            ExpectedDiagnostics =
            {
                DiagnosticResult.CompilerError("LDSL0013").WithLocation(0).WithMessage(
                    "Dense(10, InFeatures = 784) is pinned to InFeatures = 784, but its input has 18432 features (24 × 24 × 32 = 18432 from MaskedConv(5, 32)); remove InFeatures or set it to 18432"),
            },
        }.RunAsync();

    [Fact]
    public Task NotPartialIsReportedOnTheClassName() =>
        new LayerDslFixTest<EmptyCodeFixProvider> { TestCode = Sources.NotPartial }.RunAsync();

    [Fact]
    public Task WindowLargerThanInputIsReportedOnTheKernelSize() =>
        new LayerDslFixTest<EmptyCodeFixProvider>
        {
            TestCode = Sources.ConvTooLarge.Replace("{|LDSL0011:5|}", "{|#0:5|}"),
            ExpectedDiagnostics =
            {
                DiagnosticResult.CompilerError("LDSL0011").WithLocation(0).WithMessage(
                    "Conv2D(8, 5) slides a 5 × 5 window over a 3 × 3 input, so its output would be -1 × -1; use a smaller kernel, Padding = Padding.Same, or a larger input"),
            },
        }.RunAsync();

    [Fact]
    public Task ValidModelsGetNoDiagnostics() =>
        new LayerDslFixTest<EmptyCodeFixProvider>
        {
            TestCode =
                "using LayerDsl;\n[Input(28, 28, 1)][MaskedConv(5, 32)][Flatten][Dense(10, Activation = Activation.Softmax)] public partial class A { }\n" +
                "[Input(28, 28, 1)][Conv2D(32, 3, Activation = Activation.ReLU)][Flatten][Dense(10, InFeatures = 21632)] public partial class B { }\n",
        }.RunAsync();

    [Fact]
    public Task PragmaSuppressesTheAnalyzerDiagnostic() =>
        new LayerDslFixTest<EmptyCodeFixProvider>
        {
            TestCode = "#pragma warning disable LDSL0013\n" + Sources.Origin.Replace("{|LDSL0013:InFeatures = 784|}", "InFeatures = 784"),
        }.RunAsync();

    /// <summary>Roslyn's testing library shows neither a diagnostic's properties nor who reported it: a plain build does.</summary>
    [Fact]
    public async Task TheFixableDiagnosticsCarryWhatTheirFixesNeed()
    {
        var origin = Assert.Single((await Build.RunAsync(Sources.Origin)).LayerDsl);
        var conv = Assert.Single((await Build.RunAsync(Sources.ConvTooLarge)).LayerDsl);
        var pool = Assert.Single((await Build.RunAsync("using LayerDsl;\n[Input(3, 3, 1)]\n[MaxPool2D(4)]\npublic partial class Pooled { }")).LayerDsl);

        Assert.Equal("18432", origin.Properties[ModelAnalyzer.InferredFeaturesProperty]);
        Assert.Equal("true", conv.Properties[ModelAnalyzer.PaddingSameFixesProperty]);
        Assert.Equal("LDSL0011", pool.Id);
        Assert.False(pool.Properties.ContainsKey(ModelAnalyzer.PaddingSameFixesProperty));
    }

    [Fact]
    public async Task TheOriginsBrokenModelReportsLdsl0013ExactlyOncePerBuild()
    {
        var build = await Build.RunAsync(Sources.Origin);

        Assert.Single(build.Analyzer, d => d.Id == "LDSL0013");
        Assert.DoesNotContain(build.Generator, d => d.Id == "LDSL0013");
        Assert.Single(build.LayerDsl.Concat(build.Compiler), d => d.Id == "LDSL0013");

        // The generator still writes the stub, so the rest of the project compiles.
        Assert.Empty(build.CompilerProblems);
    }

    [Fact]
    public async Task EveryDiagnosticComesFromTheAnalyzerWhereAnalyzersRun()
    {
        var build = await Build.RunAsync("using LayerDsl;\n[Input(3, 3, 1)]\npublic partial class Empty { }");

        Assert.Empty(build.Generator);
        var diagnostic = Assert.Single(build.Analyzer);
        Assert.Equal("LDSL0015", diagnostic.Id);
        Assert.True(diagnostic.Location.IsInSource);
    }

    [Fact]
    public void TheAnalyzerSupportsEveryIdWithAHelpLinkAndErrorsButForTheAdvice()
    {
        var analyzer = new ModelAnalyzer();

        Assert.Equal(Enumerable.Range(1, 35).Select(i => $"LDSL{i:0000}"), analyzer.SupportedDiagnostics.Select(d => d.Id).OrderBy(i => i, System.StringComparer.Ordinal));
        Assert.All(analyzer.SupportedDiagnostics, d =>
        {
            Assert.Equal("https://github.com/layerdsl/layerdsl/blob/main/README.md#" + d.Id.ToLowerInvariant(), d.HelpLinkUri);
            Assert.Equal(d.Id switch { "LDSL0019" => DiagnosticSeverity.Warning, "LDSL0020" => DiagnosticSeverity.Info, _ => DiagnosticSeverity.Error }, d.DefaultSeverity);
            Assert.True(d.IsEnabledByDefault);
        });
    }
}
