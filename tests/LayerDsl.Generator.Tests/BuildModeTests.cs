using System;
using System.Linq;
using LayerDsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace LayerDsl.Generator.Tests;

/// <summary>
/// Every LDSL diagnostic is reported exactly once in every build mode: by the analyzer where analyzers run, by the
/// generator where they do not (the build files say which), and by both only when that is unknown.
/// </summary>
public class BuildModeTests
{
    private const string Broken = "using LayerDsl;\nnamespace Demo;\n[Input(28, 28, 1)]\n[MaskedConv(5, 32)]\n[Dense(10, InFeatures = 784)]\npublic partial class Broken { }\n";

    [Fact]
    public void WithAnalyzersTheAnalyzerAloneReportsOnTheArgument()
    {
        var run = GeneratorHarness.Run(Broken);
        Assert.Empty(run.GeneratorDiagnostics);
        var diagnostic = Assert.Single(run.AnalyzerDiagnostics);
        AssertOnThePin(diagnostic);
    }

    [Fact]
    public void WithoutAnalyzersTheGeneratorReportsTheSameDiagnosticOnARealSourceLocation()
    {
        var run = GeneratorHarness.RunWithoutAnalyzers(Broken);
        var diagnostic = Assert.Single(run.GeneratorDiagnostics);
        AssertOnThePin(diagnostic);
        Assert.True(diagnostic.Location.IsInSource);
        Assert.Same(run.Input.SyntaxTrees.Single(), diagnostic.Location.SourceTree);
    }

    [Fact]
    public void WhenTheBuildFilesAreMissingBothReportRatherThanNeither()
    {
        var run = GeneratorHarness.Run(GeneratorHarness.Compile(Broken), GeneratorHarness.CreateDriver(analyzersRun: null));
        AssertOnThePin(Assert.Single(run.GeneratorDiagnostics));
        AssertOnThePin(Assert.Single(run.AnalyzerDiagnostics));
    }

    [Fact]
    public void ModelWithoutInputIsReportedInBothModes()
    {
        const string NoInput = "using LayerDsl;\n[Conv2D(2, 3)]\n[Dense(2)]\npublic partial class NoInput { }\n";
        var withAnalyzers = GeneratorHarness.Run(NoInput);
        var without = GeneratorHarness.RunWithoutAnalyzers(NoInput);
        Assert.Empty(withAnalyzers.GeneratorDiagnostics);
        Assert.Equal(Assert.Single(withAnalyzers.AnalyzerDiagnostics).ToString(), Assert.Single(without.GeneratorDiagnostics).ToString());
        Assert.Equal("LDSL0006", without.GeneratorDiagnostics[0].Id);
        Assert.Equal((2, 1), (without.GeneratorDiagnostics[0].Location.GetLineSpan().StartLinePosition.Line + 1, without.GeneratorDiagnostics[0].Location.GetLineSpan().StartLinePosition.Character));
    }

    private static void AssertOnThePin(Diagnostic diagnostic)
    {
        Assert.Equal("LDSL0013", diagnostic.Id);
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal((5, 11, 5, 27), (span.StartLinePosition.Line + 1, span.StartLinePosition.Character, span.EndLinePosition.Line + 1, span.EndLinePosition.Character));
        Assert.Equal(
            "Dense(10, InFeatures = 784) is pinned to InFeatures = 784, but its input has 18432 features (24 × 24 × 32 = 18432 from MaskedConv(5, 32)); remove InFeatures or set it to 18432",
            diagnostic.GetMessage());
    }
}
