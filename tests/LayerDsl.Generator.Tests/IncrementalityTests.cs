using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using LayerDsl.Generator.Models;
using LayerDsl.Generator.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LayerDsl.Generator.Tests;

/// <summary>
/// The generator is incremental the way an IDE needs it: with step tracking on, edits that do not touch a model's
/// attributes leave every tracked step Cached or Unchanged, changing one model's attribute regenerates that model
/// only, and no step output holds a Roslyn symbol, syntax node, location, tree or compilation.
/// </summary>
public class IncrementalityTests
{
    private const string ModelA = "using LayerDsl;\nnamespace Demo;\n\n[Input(28, 28, 1)]\n[Conv2D(8, 3, Activation = Activation.ReLU)]\n[Dense(10)]\npublic partial class NetA\n{\n    public int Epochs() { return 1; }\n}\n";
    private const string ModelB = "using LayerDsl;\nnamespace Demo;\n\n[Input(16, 16, 3)]\n[MaskedConv(3, 4)]\n[MaxPool2D]\n[Dense(2)]\npublic partial class NetB { }\n";
    private const string Other = "namespace Demo;\n\npublic static class Helpers\n{\n    public static int Twice(int x) => 2 * x;\n}\n";

    private const string Blocks = "using LayerDsl;\nusing TorchSharp;\nnamespace Demo;\n\n[Block]\n[Conv2D(8, 3, Padding = Padding.Same)]\n[BatchNorm]\npublic partial class Unit { }\n\n[Block]\n[Dense(4)]\n[ReLU]\npublic partial class Head { }\n";
    private const string WithUnit = "using LayerDsl;\nnamespace Demo;\n\n[Input(16, 16, 3)]\n[Use<Unit>]\n[MaxPool2D]\n[Residual<Unit>(Activation = Activation.ReLU)]\n[Flatten]\n[Dense(2)]\npublic partial class WithUnit { }\n";
    private const string WithHead = "using LayerDsl;\nnamespace Demo;\n\n[Input(8)]\n[Use<Head>(Repeat = 2)]\npublic partial class WithHead { }\n";

    private static readonly string[] ModelSteps = { TrackingNames.Spec, TrackingNames.Infer };

    [Fact]
    public void EditInAnUnrelatedFileLeavesEveryStepCached()
    {
        var (driver, compilation, before) = FirstRun();

        var edited = Replace(compilation, "Other.cs", Other.Replace("2 * x", "x + x + 0") + "public class Added { }\n");
        var after = Run(ref driver, edited);

        AssertNothingRecomputed(after);
        Assert.Equal(before, Sources(after));
    }

    [Fact]
    public void EditInsideAModelMethodBodyLeavesEveryStepCachedOrUnchanged()
    {
        var (driver, compilation, before) = FirstRun();

        var edited = Replace(compilation, "NetA.cs", ModelA.Replace("return 1;", "var epochs = 4; return epochs * 10;"));
        var after = Run(ref driver, edited);

        AssertNothingRecomputed(after);
        Assert.Equal(before, Sources(after));
    }

    [Fact]
    public void MovingAModelDownLeavesItsSpecInferenceAndEmissionCached()
    {
        var (driver, compilation, before) = FirstRun();

        var edited = Replace(compilation, "NetA.cs", ModelA.Replace("namespace Demo;\n", "namespace Demo;\n\n// A comment that moves the model down.\n\n/// <summary>A documented model.</summary>\n"));
        var after = Run(ref driver, edited);

        // The parse reads new positions; the spec it hands on is the same, so nothing after it runs again.
        Assert.Contains(Outputs(after, TrackingNames.Parse), o => o.Reason == IncrementalStepRunReason.Modified);
        AssertNothingRecomputed(after);
        Assert.Equal(before, Sources(after));
    }

    [Fact]
    public void WithAnalyzersOffMovedDiagnosticsFollowTheSourceWhileEmissionStaysCached()
    {
        const string Broken = "using LayerDsl;\nnamespace Demo;\n\n[Input(28, 28, 1)]\n[MaskedConv(5, 32)]\n[Dense(10, InFeatures = 784)]\npublic partial class Broken { }\n";
        var compilation = GeneratorHarness.CompileFiles(("NetA.cs", ModelA), ("Broken.cs", Broken));
        var driver = GeneratorHarness.CreateDriver(analyzersRun: false);
        var first = Run(ref driver, compilation);
        Assert.Equal(6, Assert.Single(first.Diagnostics).Location.GetLineSpan().StartLinePosition.Line + 1);

        var after = Run(ref driver, Replace(compilation, "Broken.cs", Broken.Replace("namespace Demo;\n", "namespace Demo;\n\n\n")));

        var diagnostic = Assert.Single(after.Diagnostics);
        Assert.Equal(("LDSL0013", 8), (diagnostic.Id, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1));
        Assert.True(diagnostic.Location.IsInSource);
        AssertNothingRecomputed(after, sourceOutputs: false);
        // Only the diagnostics branch saw the move: its located diagnostic changed.
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(Outputs(after, TrackingNames.Diagnostics)).Reason);
    }

    [Fact]
    public void ChangingOneModelsAttributeRegeneratesThatModelOnly()
    {
        var (driver, compilation, before) = FirstRun();

        var edited = Replace(compilation, "NetA.cs", ModelA.Replace("[Dense(10)]", "[Dense(12)]"));
        var after = Run(ref driver, edited);

        foreach (var step in ModelSteps)
        {
            var outputs = Outputs(after, step);
            Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(outputs, o => ClassName(o.Value) == "NetA").Reason);
            Assert.Contains(Assert.Single(outputs, o => ClassName(o.Value) == "NetB").Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged });
        }

        var sources = Sources(after);
        Assert.NotEqual(before["Demo.NetA.g.cs"], sources["Demo.NetA.g.cs"]);
        Assert.Contains("Linear(5408L, 12L)", sources["Demo.NetA.g.cs"], StringComparison.Ordinal);
        Assert.Equal(before["Demo.NetB.g.cs"], sources["Demo.NetB.g.cs"]);
    }

    [Fact]
    public void EditingABlockRegeneratesItAndTheModelsThatPlaceItOnly()
    {
        var (driver, compilation, before) = FirstRunWithBlocks();

        var after = Run(ref driver, Replace(compilation, "Blocks.cs", Blocks.Replace("[Conv2D(8, 3,", "[Conv2D(6, 3,", StringComparison.Ordinal)));

        foreach (var step in ModelSteps)
        {
            var outputs = Outputs(after, step);
            Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(outputs, o => ClassName(o.Value) == "WithUnit").Reason);
            Assert.All(outputs.Where(o => ClassName(o.Value) != "WithUnit"), o => Assert.Contains(o.Reason, Unchanged));
        }

        var variants = Outputs(after, TrackingNames.BlockVariants);
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(variants, o => ClassName(o.Value) == "Unit").Reason);
        Assert.Contains(Assert.Single(variants, o => ClassName(o.Value) == "Head").Reason, Unchanged);

        // Two files are written again, the block's and its model's; the other model's, the block-free one's and the other
        // block's emission steps are cached.
        var emissions = after.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs).ToList();
        Assert.Equal(2, emissions.Count(o => o.Reason == IncrementalStepRunReason.Modified));
        Assert.Equal(emissions.Count - 2, emissions.Count(o => Unchanged.Contains(o.Reason)));

        var sources = Sources(after);
        Assert.Contains("Conv2d(3L, 6L, 3L", sources["Demo.Unit.g.cs"], StringComparison.Ordinal);
        Assert.Contains("Linear(384L, 2L)", sources["Demo.WithUnit.g.cs"], StringComparison.Ordinal);
        foreach (var unchanged in new[] { "Demo.Head.g.cs", "Demo.WithHead.g.cs", "Demo.NetA.g.cs" })
        {
            Assert.Equal(before[unchanged], sources[unchanged]);
        }
    }

    [Fact]
    public void MovingABlockDownLeavesEveryEmissionCached()
    {
        var (driver, compilation, before) = FirstRunWithBlocks();

        var moved = Blocks.Replace("namespace Demo;\n", "namespace Demo;\n\n// A comment that moves the blocks down.\n\n/// <summary>A documented block.</summary>\n", StringComparison.Ordinal);
        var after = Run(ref driver, Replace(compilation, "Blocks.cs", moved));

        // The blocks' parse reads new positions; what it hands on is the same, so nothing after it runs again.
        Assert.Contains(Outputs(after, TrackingNames.ParseBlock), o => o.Reason == IncrementalStepRunReason.Modified);
        foreach (var step in ModelSteps.Concat(new[] { TrackingNames.BlockUses, TrackingNames.BlockVariants }))
        {
            var outputs = Outputs(after, step);
            Assert.NotEmpty(outputs);
            Assert.All(outputs, o => Assert.Contains(o.Reason, Unchanged));
        }

        var emissions = after.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs).ToList();
        Assert.Equal(5, emissions.Count);
        Assert.All(emissions, o => Assert.Contains(o.Reason, Unchanged));
        Assert.Equal(before, Sources(after));
    }

    [Fact]
    public void WithAnalyzersOffABlocksMovedDiagnosticFollowsTheSourceWhileEmissionStaysCached()
    {
        const string Broken = "using LayerDsl;\nnamespace Demo;\n\n[Block]\n[Dense(0)]\npublic partial class Bad { }\n";
        var compilation = GeneratorHarness.CompileFiles(("Blocks.cs", Blocks), ("WithUnit.cs", WithUnit), ("Bad.cs", Broken));
        var driver = GeneratorHarness.CreateDriver(analyzersRun: false);
        var first = Run(ref driver, compilation);
        Assert.Equal(("LDSL0010", 5), Place(Assert.Single(first.Diagnostics)));

        var after = Run(ref driver, Replace(compilation, "Bad.cs", Broken.Replace("namespace Demo;\n", "namespace Demo;\n\n\n", StringComparison.Ordinal)));

        Assert.Equal(("LDSL0010", 7), Place(Assert.Single(after.Diagnostics)));
        Assert.All(Outputs(after, TrackingNames.BlockVariants), o => Assert.Contains(o.Reason, Unchanged));
        Assert.Equal(Sources(first), Sources(after));
        // Only the diagnostics branch saw the move: the block's located diagnostic changed.
        Assert.Equal(IncrementalStepRunReason.Modified, Assert.Single(Outputs(after, TrackingNames.Diagnostics)).Reason);

        static (string, int) Place(Diagnostic diagnostic) => (diagnostic.Id, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
    }

    [Fact]
    public void NoStepOutputHoldsRoslynObjects()
    {
        // Valid and invalid models, a model without Input, so that every kind of step output is produced.
        var files = new[]
        {
            ("NetA.cs", ModelA),
            ("NetB.cs", ModelB),
            ("Bad.cs", "using LayerDsl;\n[Input(28, 28, 1)][MaskedConv(5, 32)][Dense(10, InFeatures = 784)] public partial class Bad { }\n[Conv2D(2, 3)] public partial class NoInput { }\n[Input(8, 8, 1)][Dense(2)] public class NotPartial { }\n"),
            ("Blocks.cs", Blocks),
            ("WithUnit.cs", WithUnit),
            ("BadBlock.cs", "using LayerDsl;\n[Block][Dense(0)] public partial class BadBlock { }\n[Input(4)][Use<BadBlock>] public partial class PlacesBad { }\n"),
        };
        var driver = GeneratorHarness.CreateDriver(analyzersRun: false);
        var result = Run(ref driver, GeneratorHarness.CompileFiles(files));

        var steps = result.TrackedSteps.Concat(result.TrackedOutputSteps).ToList();
        var named = new[]
        {
            TrackingNames.Parse, TrackingNames.Spec, TrackingNames.Infer, TrackingNames.Diagnostics, TrackingNames.MissingInput,
            TrackingNames.ParseBlock, TrackingNames.BlockUses, TrackingNames.BlockVariants,
        };
        foreach (var name in named)
        {
            Assert.Contains(steps, s => s.Key == name);
        }

        var values = 0;
        foreach (var (name, runs) in steps.Where(s => named.Contains(s.Key)))
        {
            foreach (var output in runs.SelectMany(r => r.Outputs))
            {
                values++;
                if (FindRoslynObject(output.Value, name, new HashSet<object>(ReferenceEqualityComparer.Instance)) is { } path)
                {
                    Assert.Fail($"A step output holds a Roslyn object: {path}");
                }
            }
        }

        Assert.True(values >= 12, $"expected the outputs of every model ({values} seen)");
    }

    private static (GeneratorDriver Driver, CSharpCompilation Compilation, IReadOnlyDictionary<string, string> Sources) FirstRun()
    {
        var compilation = GeneratorHarness.CompileFiles(("NetA.cs", ModelA), ("NetB.cs", ModelB), ("Other.cs", Other));
        var driver = GeneratorHarness.CreateDriver();
        var first = Run(ref driver, compilation);
        Assert.Equal(new[] { "Demo.NetA.g.cs", "Demo.NetB.g.cs" }, first.GeneratedSources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal));
        Assert.Empty(first.Diagnostics);
        return (driver, compilation, Sources(first));
    }

    private static readonly IncrementalStepRunReason[] Unchanged = { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };

    /// <summary>A first run over two blocks in a file of their own, a model placing each, and a model placing none.</summary>
    private static (GeneratorDriver Driver, CSharpCompilation Compilation, IReadOnlyDictionary<string, string> Sources) FirstRunWithBlocks()
    {
        var compilation = GeneratorHarness.CompileFiles(("Blocks.cs", Blocks), ("WithUnit.cs", WithUnit), ("WithHead.cs", WithHead), ("NetA.cs", ModelA));
        var driver = GeneratorHarness.CreateDriver();
        var first = Run(ref driver, compilation);
        Assert.Equal(
            new[] { "Demo.Head.g.cs", "Demo.NetA.g.cs", "Demo.Unit.g.cs", "Demo.WithHead.g.cs", "Demo.WithUnit.g.cs" },
            first.GeneratedSources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal));
        Assert.Empty(first.Diagnostics);
        return (driver, compilation, Sources(first));
    }

    private static GeneratorRunResult Run(ref GeneratorDriver driver, Compilation compilation)
    {
        driver = driver.RunGenerators(compilation);
        var result = Assert.Single(driver.GetRunResult().Results);
        Assert.Null(result.Exception);
        return result;
    }

    private static CSharpCompilation Replace(CSharpCompilation compilation, string path, string source)
    {
        var old = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, CSharpSyntaxTree.ParseText(source, GeneratorHarness.ParseOptions, path: path));
    }

    private static IReadOnlyDictionary<string, string> Sources(GeneratorRunResult result) =>
        result.GeneratedSources.ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    private static List<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string step) =>
        result.TrackedSteps[step].SelectMany(r => r.Outputs).ToList();

    /// <summary>Every output of the model steps (and of the source outputs) is Cached or Unchanged.</summary>
    private static void AssertNothingRecomputed(GeneratorRunResult result, bool sourceOutputs = true)
    {
        var allowed = new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged };
        foreach (var step in ModelSteps)
        {
            var outputs = Outputs(result, step);
            Assert.Equal(2, outputs.Count);
            Assert.All(outputs, o => Assert.Contains(o.Reason, allowed));
        }

        if (sourceOutputs)
        {
            var outputs = result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(r => r.Outputs).ToList();
            Assert.All(outputs, o => Assert.Contains(o.Reason, allowed));
        }
    }

    private static string? ClassName(object value) => value switch
    {
        ModelSpec spec => spec.ClassName,
        ModelResult result => result.Model.ClassName,
        ParsedModel parsed => parsed.Spec.ClassName,
        BlockResult block => block.Block.ClassName,
        _ => null,
    };

    /// <summary>Walks an object graph (fields of every class and struct, elements of collections); returns the path to the first Roslyn object.</summary>
    private static string? FindRoslynObject(object? value, string path, HashSet<object> seen)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || value is decimal)
        {
            return null;
        }

        if (value is ISymbol or SyntaxNode or SyntaxToken or SyntaxTree or Location or Compilation or SemanticModel or AttributeData or TypedConstant or SyntaxReference)
        {
            return $"{path}: {value.GetType().FullName}";
        }

        if (!value.GetType().IsValueType && !seen.Add(value))
        {
            return null;
        }

        if (value is IEnumerable sequence)
        {
            var i = 0;
            foreach (var item in sequence)
            {
                if (FindRoslynObject(item, $"{path}[{i++}]", seen) is { } found)
                {
                    return found;
                }
            }
        }

        for (var type = value.GetType(); type is not null && type != typeof(object); type = type.BaseType)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (FindRoslynObject(field.GetValue(value), $"{path}.{field.Name}", seen) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }
}
