using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using LayerDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

using LayerDsl.Tests.Shared;

namespace LayerDsl.Generator.Tests.Infrastructure;

/// <summary>The outcome of running the generator over some sources in memory.</summary>
public sealed record GeneratorRun(
    CSharpCompilation Input,
    Compilation Output,
    GeneratorDriver Driver,
    ImmutableArray<Diagnostic> GeneratorDiagnostics,
    ImmutableDictionary<string, string> GeneratedSources)
{
    /// <summary>
    /// LayerDsl's own diagnostics as a build with analyzers reports them: the generator's (none but internal errors, since
    /// the driver is told that analyzers run), then those of <see cref="ModelAnalyzer"/>.
    /// </summary>
    public IReadOnlyList<Diagnostic> LayerDslDiagnostics =>
        GeneratorDiagnostics.Concat(AnalyzerDiagnostics).Where(d => d.Id.StartsWith("LDSL", StringComparison.Ordinal)).ToList();

    /// <summary>The diagnostics of <see cref="ModelAnalyzer"/> on the output compilation: every LDSL diagnostic, on real source locations.</summary>
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

    /// <summary>
    /// A driver for the generator as a build runs it: with <paramref name="analyzersRun"/> (the default) the build files
    /// tell it that analyzers run, so it leaves diagnostics to <see cref="ModelAnalyzer"/>; without, it reports them
    /// itself, as under <c>RunAnalyzers=false</c>; with null, the property is missing (build files not imported).
    /// </summary>
    public static GeneratorDriver CreateDriver(bool? analyzersRun = true) =>
        CSharpGeneratorDriver.Create(
            new[] { new ModelGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            optionsProvider: new BuildProperties(analyzersRun is { } run ? new Dictionary<string, string> { [ModelDiagnostics.AnalyzersRunProperty] = run ? "true" : "false" } : new()),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static GeneratorRun Run(params string[] sources) => Run(Compile(sources));

    /// <summary>Runs the generator as a build with analyzers switched off does: the generator reports every diagnostic.</summary>
    public static GeneratorRun RunWithoutAnalyzers(params string[] sources) => Run(Compile(sources), CreateDriver(analyzersRun: false));

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
