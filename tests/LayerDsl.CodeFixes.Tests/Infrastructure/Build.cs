using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using LayerDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace LayerDsl.CodeFixes.Tests.Infrastructure;

/// <summary>What a build of a project reports: the generator's, the analyzer's and the compiler's diagnostics.</summary>
public sealed record BuildResult(
    Compilation Output,
    ImmutableArray<Diagnostic> Generator,
    ImmutableArray<Diagnostic> Analyzer,
    ImmutableArray<Diagnostic> Compiler)
{
    /// <summary>Every LayerDsl diagnostic, from the generator and the analyzer together, as a build shows them.</summary>
    public IReadOnlyList<Diagnostic> LayerDsl => Generator.Concat(Analyzer).Where(d => d.Id.StartsWith("LDSL", StringComparison.Ordinal)).ToList();

    /// <summary>Compiler warnings and errors of user plus generated code.</summary>
    public IReadOnlyList<Diagnostic> CompilerProblems => Compiler.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
}

/// <summary>
/// Compiles a project in memory as <c>csc</c> does in a build: the generator, then <see cref="ModelAnalyzer"/> on the
/// generated compilation. For what Roslyn's testing library does not show: the compiled symbols (their doc comments),
/// the properties a diagnostic hands to its fixes, and which of generator and analyzer reported a diagnostic.
/// </summary>
public static class Build
{
    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    /// <summary>Builds the sources; markup (<c>{|LDSL0013:...|}</c>) is removed first.</summary>
    public static async Task<BuildResult> RunAsync(params string[] sources)
    {
        var trees = sources.Select((source, i) =>
        {
            TestFileMarkupParser.GetSpans(source, out string text, out ImmutableDictionary<string, ImmutableArray<Microsoft.CodeAnalysis.Text.TextSpan>> _);
            return CSharpSyntaxTree.ParseText(text, ParseOptions, path: i == 0 ? "Model.cs" : $"Model{i}.cs");
        });
        var compilation = CSharpCompilation.Create(
            "Consumer",
            trees,
            LayerDsl.Tests.Shared.ConsumerReferences.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        // As a build with analyzers: LayerDsl's build files tell the generator so, and the analyzer reports.
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            new[] { new ModelGenerator().AsSourceGenerator() }, parseOptions: ParseOptions, optionsProvider: LayerDsl.Tests.Shared.BuildProperties.AnalyzersRun);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.All(driver.GetRunResult().Results, r => Assert.Null(r.Exception));
        var analyzerDiagnostics = await output
            .WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ModelAnalyzer()))
            .GetAnalyzerDiagnosticsAsync();
        return new BuildResult(output, generatorDiagnostics, analyzerDiagnostics, output.GetDiagnostics());
    }
}
