using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using LayerDsl.Tests.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LayerDsl.Generator.Benchmarks;

/// <summary>
/// The generator on one compilation of 1,000 eight-layer models, as a build and an IDE run it: a cold run (a new
/// driver: every model parsed, inferred and emitted) and a warm one-model edit (the driver of the previous run, one
/// model's <c>[Dense]</c> changed). Divide the mean by 1,000 for the time per model. The floor runs do the same with a
/// generator that only asks Roslyn for the classes carrying <c>[Input]</c> (ForAttributeWithMetadataName, a transform
/// that returns the class name, no output): what any attribute-driven generator pays before doing any work of its own.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private const int EditedModel = 5;

    private CSharpCompilation compilation = null!;
    private CSharpCompilation edited = null!;
    private GeneratorDriver warm = null!;
    private GeneratorDriver warmFloor = null!;
    private bool flip;
    private bool flipFloor;

    [Params(1000)]
    public int Models { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = Enumerable.Range(0, Models).Select(i => CSharpSyntaxTree.ParseText(Source(i, 10 + (i % 7)), parse, path: $"M{i}.cs")).ToList();
        compilation = CSharpCompilation.Create(
            "Consumer", trees, ConsumerReferences.All, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var old = trees[EditedModel];
        edited = compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(Source(EditedModel, 42), parse, path: old.FilePath));
        warm = Driver().RunGenerators(compilation);
        warmFloor = FloorDriver().RunGenerators(compilation);
        var errors = warm.GetRunResult().Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0 || warm.GetRunResult().GeneratedTrees.Length < Models)
        {
            throw new System.InvalidOperationException($"The benchmark's models do not generate: {string.Join("; ", errors)}");
        }
    }

    [Benchmark(Description = "cold: 1,000 models")]
    public GeneratorDriver Cold() => Driver().RunGenerators(compilation);

    [Benchmark(Description = "warm: one model of 1,000 edited")]
    public GeneratorDriver WarmEdit()
    {
        // Alternates the edited model between its two versions: every run is a one-model edit of the previous one.
        flip = !flip;
        warm = warm.RunGenerators(flip ? edited : compilation);
        return warm;
    }

    [Benchmark(Description = "floor, cold: 1,000 models")]
    public GeneratorDriver FloorCold() => FloorDriver().RunGenerators(compilation);

    [Benchmark(Description = "floor, warm: one model of 1,000 edited")]
    public GeneratorDriver FloorWarmEdit()
    {
        flipFloor = !flipFloor;
        warmFloor = warmFloor.RunGenerators(flipFloor ? edited : compilation);
        return warmFloor;
    }

    /// <summary>An eight-layer model, its last layer's width a parameter so that an edit changes one model.</summary>
    public static string Source(int index, int classes) => $$"""
        using LayerDsl;
        using TorchSharp;

        namespace P{{index}};

        [Input(28, 28, 1)]
        [Conv2D(8, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [BatchNorm]
        [MaxPool2D]
        [Conv2D(16, 3, Activation = Activation.ReLU)]
        [MaxPool2D]
        [Flatten]
        [Dropout(0.25)]
        [Dense({{classes}})]
        public partial class M{{index}}
        {
        }
        """;

    private static GeneratorDriver FloorDriver() => CSharpGeneratorDriver.Create(
        new[] { new FloorGenerator().AsSourceGenerator() },
        parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
        optionsProvider: BuildProperties.AnalyzersRun,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    private static GeneratorDriver Driver() => CSharpGeneratorDriver.Create(
        new[] { new ModelGenerator().AsSourceGenerator() },
        parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
        optionsProvider: BuildProperties.AnalyzersRun,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
}

/// <summary>Finds the classes carrying <c>[Input]</c> the way the model generator does, and does nothing else.</summary>
internal sealed class FloorGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var names = context.SyntaxProvider.ForAttributeWithMetadataName(
            "LayerDsl.InputAttribute",
            static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax,
            static (syntax, _) => syntax.TargetSymbol.Name);
        context.RegisterSourceOutput(names, static (_, _) => { });
    }
}
