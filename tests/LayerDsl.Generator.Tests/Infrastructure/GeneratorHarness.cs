using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using LayerDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace LayerDsl.Generator.Tests.Infrastructure;

/// <summary>The outcome of running the generator over some sources in memory.</summary>
public sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    GeneratorDriver Driver,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableDictionary<string, string> GeneratedSources)
{
    /// <summary>LayerDsl's own diagnostics: the generator's, then those of <see cref="ModelAnalyzer"/>, as a build reports them.</summary>
    public IReadOnlyList<Diagnostic> LayerDslDiagnostics =>
        GeneratorDiagnostics.Concat(AnalyzerDiagnostics).Where(d => d.Id.StartsWith("LDSL", StringComparison.Ordinal)).ToList();

    /// <summary>
    /// The diagnostics of <see cref="ModelAnalyzer"/> on the output compilation: it reports the IDs that have code fixes
    /// (LDSL0001, LDSL0011, LDSL0013) on real source locations, and the generator leaves those to it.
    /// </summary>
    public ImmutableArray<Diagnostic> AnalyzerDiagnostics =>
        Output.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new ModelAnalyzer())).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

    /// <summary>Compiler diagnostics of the output compilation (user code plus generated code), warnings and errors.</summary>
    public IReadOnlyList<Diagnostic> CompilerDiagnostics =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();

    /// <summary>The single generated source (fails when there is not exactly one).</summary>
    public string SingleSource => Assert.Single(GeneratedSources).Value;
}

/// <summary>Runs <see cref="ModelGenerator"/> in memory against the real Runtime and TorchSharp assemblies.</summary>
public static class GeneratorHarness
{
    /// <summary>Framework, TorchSharp and LayerDsl.Runtime references, as a project that uses LayerDsl has.</summary>
    public static ImmutableArray<MetadataReference> References => LayerDsl.Tests.Shared.ConsumerReferences.All;

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    public static CSharpCompilation Compile(params string[] sources) => CompileFiles(sources.Select((s, i) => ($"Model{i}.cs", s)).ToArray());

    public static CSharpCompilation CompileFiles(params (string Path, string Source)[] files) =>
        CSharpCompilation.Create(
            "Consumer",
            files.Select(f => CSharpSyntaxTree.ParseText(f.Source, ParseOptions, path: f.Path)),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver CreateDriver() =>
        CSharpGeneratorDriver.Create(
            new[] { new ModelGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(params string[] sources) => Run(Compile(sources));

    public static GeneratorRun Run(CSharpCompilation compilation, GeneratorDriver? driver = null)
    {
        driver = (driver ?? CreateDriver()).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var result = driver.GetRunResult();
        var sources = result.Results
            .SelectMany(r => r.GeneratedSources)
            .ToImmutableDictionary(s => s.HintName, s => s.SourceText.ToString());
        var exceptions = result.Results.Where(r => r.Exception is not null).Select(r => r.Exception!).ToList();
        Assert.True(exceptions.Count == 0, "The generator threw: " + string.Join("; ", exceptions));
        return new GeneratorRun(compilation, output, driver, diagnostics, sources);
    }

}
