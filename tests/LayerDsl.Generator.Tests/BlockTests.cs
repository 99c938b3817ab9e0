using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using LayerDsl.Generator.Tests.Infrastructure;
using LayerDsl.Generator.Tests.Properties;
using Microsoft.CodeAnalysis;
using static TorchSharp.torch;

namespace LayerDsl.Generator.Tests;

/// <summary>
/// Blocks, residuals and branches end to end: the generator's shapes, the generated modules run in TorchSharp, the
/// state-dict keys, and the diagnostics of blocks that cannot be placed.
/// </summary>
public class BlockTests
{
    private const string Usings = "using LayerDsl;\nusing TorchSharp;\nnamespace Demo;\n";

    /// <summary>The architectures issue's example, with the two branches it names.</summary>
    public const string TinyResNet = Usings + """
        [Block]
        [Conv2D(64, 3, Padding = Padding.Same)] [BatchNorm] [ReLU]
        [Conv2D(64, 3, Padding = Padding.Same)] [BatchNorm]
        public partial class BasicBlock { }

        [Block]
        [Conv2D(16, 1)]
        public partial class BranchA { }

        [Block]
        [Conv2D(8, 3, Padding = Padding.Same)] [ReLU]
        public partial class BranchB { }

        [Input(28, 28, 1)]
        [Conv2D(64, 3, Padding = Padding.Same, Activation = Activation.ReLU)]
        [Residual<BasicBlock>(Activation = Activation.ReLU)]
        [Use<BasicBlock>(Repeat = 2)]
        [Concat<BranchA, BranchB>]
        [GlobalAvgPool2D]
        [Dense(10)]
        public partial class TinyResNet { }
        """;

    [Fact]
    public void TinyResNetInfersCompilesAndRunsWithHierarchicalKeys()
    {
        var run = GeneratorHarness.Run(TinyResNet);
        Assert.Empty(run.LayerDslDiagnostics);
        Assert.Empty(run.CompilerDiagnostics);
        Assert.Contains("Demo.BasicBlock.g.cs", run.GeneratedSources.Keys);

        using var loaded = CompiledModels.Load(run);
        using var scope = NewDisposeScope();
        var model = (nn.Module<Tensor, Tensor>)loaded.Create("Demo.TinyResNet");
        var info = ((ILayerModel)model).Info;
        Assert.Equal(new long[] { 10 }, info.OutputShape);

        var keys = model.state_dict().Keys.ToList();
        Assert.Contains("residual1.conv1.weight", keys);
        Assert.Contains("basicBlock2.batchNorm2.running_mean", keys);
        Assert.Contains("concat1.branchA.conv1.weight", keys);
        Assert.Contains("concat1.branchB.conv1.bias", keys);

        var basic = (64 * 64 * 9) + 64 + 128 + (64 * 64 * 9) + 64 + 128;
        var expected = (9 * 64) + 64 + (3 * basic) + (64 * 16) + 16 + (64 * 8 * 9) + 8 + (24 * 10) + 10;
        Assert.Equal(expected, info.Parameters);
        Assert.Equal(expected, model.parameters().Sum(p => p.numel()));

        model.eval();
        var outputs = ((ILayerModel)model).ForwardTrace(randn(3, 1, 28, 28));
        Assert.Equal(info.Layers.Count, outputs.Count);
        for (var i = 0; i < outputs.Count; i++)
        {
            Assert.Equal(new long[] { 3 }.Concat(info.Layers[i].OutputShape), outputs[i].shape);
        }

        Assert.Equal(new long[] { 3, 10 }, model.call(randn(3, 1, 28, 28)).shape);
        Assert.Contains(info.Layers, l => l.Name == "concat1" && l.OutputShape.SequenceEqual(new long[] { 24, 28, 28 }));
        Assert.Contains("  conv1 (Conv2D(64, 3, Padding = Same): 64 filters, 3 × 3 kernel)", info.Summary);
    }

    [Fact]
    public void ResidualThatChangesTheShapeNeedsAProjectionWhichTheGeneratorBuildsWithTheRightStride()
    {
        const string Down = "[Block][Conv2D(32, 3, Stride = 2, Padding = Padding.Same)][BatchNorm] public partial class Down { }\n";
        var broken = GeneratorHarness.Run(Usings + Down + "[Input(16, 12, 8)][Residual<Down>][Flatten][Dense(2)] public partial class Net { }");
        var diagnostic = Assert.Single(broken.LayerDslDiagnostics);
        Assert.Equal("LDSL0024", diagnostic.Id);
        Assert.Equal("Residual<Down> adds the block's input [8, 16, 12] to its output [32, 8, 6], but the shapes differ; set Project = true to add a 1 × 1 convolution with stride 2 on the skip path", diagnostic.GetMessage());

        var run = GeneratorHarness.Run(Usings + Down + "[Input(16, 12, 8)][Residual<Down>(Project = true, Activation = Activation.ReLU)][Flatten][Dense(2)] public partial class Net { }");
        Assert.Empty(run.LayerDslDiagnostics);
        Assert.Empty(run.CompilerDiagnostics);
        using var loaded = CompiledModels.Load(run);
        using var scope = NewDisposeScope();
        var model = (nn.Module<Tensor, Tensor>)loaded.Create("Demo.Net");
        Assert.Contains("residual1Projection.weight", model.state_dict().Keys);
        var outputs = ((ILayerModel)model).ForwardTrace(randn(2, 8, 16, 12));
        var info = ((ILayerModel)model).Info;
        Assert.Equal(info.Layers.Select(l => new long[] { 2 }.Concat(l.OutputShape).ToArray()), outputs.Select(o => o.shape));
        Assert.Equal(model.parameters().Sum(p => p.numel()), info.Parameters);
    }

    [Fact]
    public void AnErrorInsideABlockIsReportedOnTheUseNamingTheInnerLayerAndTheCopy()
    {
        const string Source = Usings + """
            [Block]
            [Conv2D(8, 3)]
            [MaxPool2D]
            public partial class Shrink { }

            [Input(14, 14, 1)]
            [Use<Shrink>(Repeat = 3)]
            [Dense(2)]
            public partial class Net { }
            """;
        var run = GeneratorHarness.Run(Source);
        var diagnostic = Assert.Single(run.LayerDslDiagnostics);
        Assert.Equal("LDSL0011", diagnostic.Id);
        Assert.Equal(10, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
        Assert.StartsWith("Use<Shrink>(Repeat = 3) (3rd of 3): conv1 Conv2D(8, 3) slides a 3 × 3 window over a 2 × 2 input", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("[Block][Use<B>][Dense(2)] public partial class A { }\n[Block][Use<A>] public partial class B { }\n[Input(4)][Use<A>] public partial class Net { }", "LDSL0022", "A → B → A")]
    [InlineData("public partial class NotBlock { }\n[Input(4)][Use<NotBlock>] public partial class Net { }", "LDSL0021", "NotBlock is not marked [Block]")]
    [InlineData("[Input(4)][Dense(2)] public partial class Other { }\n[Input(4)][Use<Other>] public partial class Net { }", "LDSL0021", "Other is a model")]
    [InlineData("[Block][Dense(0)] public partial class Bad { }\n[Input(4)][Use<Bad>] public partial class Net { }", "LDSL0023", "Bad has errors of its own")]
    [InlineData("[Block][Dense(3)] public partial class A { }\n[Block][Dense(4)] public partial class B { }\n[Input(4)][Add<A, B>] public partial class Net { }", "LDSL0025", "[3] (A), [4] (B)")]
    [InlineData("[Block][Dense(3)] public partial class A { }\n[Input(4)][Use<A>(Repeat = 5000)] public partial class Net { }", "LDSL0010", "Repeat must be between 1 and 1000")]
    public void BlocksThatCannotBePlacedAreReportedOnTheUse(string declarations, string id, string text)
    {
        var run = GeneratorHarness.Run(Usings + declarations);
        var onUse = run.LayerDslDiagnostics.Where(d => d.Location.SourceTree!.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString().Contains("class Net", StringComparison.Ordinal)).ToList();
        Assert.Contains(onUse, d => d.Id == id && d.GetMessage().Contains(text, StringComparison.Ordinal));
        Assert.DoesNotContain(run.CompilerDiagnostics, d => d.Severity == DiagnosticSeverity.Error && !d.Id.StartsWith("LDSL", StringComparison.Ordinal));
    }

    [Fact]
    public void ABlockReportsEachClassItCannotPlaceOncePerAttribute()
    {
        const string Source = Usings + """
            public partial class Plain { }

            [Block]
            [Use<Plain>(Repeat = 3)]
            [Concat<Plain, Plain>]
            public partial class Outer { }
            """;
        var run = GeneratorHarness.Run(Source);
        Assert.Equal(
            new[]
            {
                (7, "Use<Plain>(Repeat = 3): Plain is not marked [Block]; a block is a partial class marked [Block] with layer attributes and no [Input]"),
                (8, "Concat<Plain, Plain>: Plain is not marked [Block]; a block is a partial class marked [Block] with layer attributes and no [Input]"),
            },
            run.LayerDslDiagnostics.Select(d => (d.Location.GetLineSpan().StartLinePosition.Line + 1, d.GetMessage())).OrderBy(d => d.Item1));
        Assert.All(run.LayerDslDiagnostics, d => Assert.Equal("LDSL0021", d.Id));
    }

    [Fact]
    public void FieldAndBranchNamesStayUniqueWhenABlockIsNamedLikeANameAndANumber()
    {
        // Use<Dense1> is dense11, which the eleventh Dense would be too; Concat<A, A, A1> would name both an A and A1 "a1".
        var source = Usings + """
            [Block][Dense(3)] public partial class Dense1 { }
            [Block][ReLU] public partial class A { }
            [Block][Tanh] public partial class A1 { }

            [Input(4)]
            [Use<Dense1>]

            """ + string.Concat(Enumerable.Repeat("[Dense(3)]\n", 11)) + "[Concat<A, A, A1>]\npublic partial class Net { }\n";
        var run = GeneratorHarness.Run(source);
        Assert.Empty(run.LayerDslDiagnostics);
        Assert.Empty(run.CompilerDiagnostics);

        using var loaded = CompiledModels.Load(run);
        using var scope = NewDisposeScope();
        var model = (nn.Module<Tensor, Tensor>)loaded.Create("Demo.Net");
        var names = ((ILayerModel)model).Info.Layers.Select(l => l.Name).ToList();
        Assert.Equal(new[] { "dense11.dense1", "dense11" }.Concat(Enumerable.Range(1, 10).Select(i => $"dense{i}")).Append("dense12"), names.Take(13));
        Assert.Equal(new[] { "concat1.a2", "concat1.a3", "concat1.a1", "concat1" }, names.Skip(13).Where(n => !n.EndsWith(".relu1", StringComparison.Ordinal) && !n.EndsWith(".tanh1", StringComparison.Ordinal)));
        Assert.Contains("dense11.dense1.weight", model.state_dict().Keys);
        Assert.Contains("dense12.weight", model.state_dict().Keys);
        Assert.Equal(new long[] { 2, 9 }, model.call(randn(2, 4)).shape);
    }

    [Fact]
    public void ABlockUsedAtTwoShapesIsBuiltForBothAndRefusesOthers()
    {
        const string Source = Usings + """
            [Block]
            [Conv2D(4, 3, Padding = Padding.Same)] [BatchNorm] [ReLU]
            public partial class Unit { }

            [Input(8, 8, 1)]
            [Use<Unit>]
            [MaxPool2D]
            [Use<Unit>]
            [Flatten]
            [Dense(2)]
            public partial class Net { }
            """;
        var run = GeneratorHarness.Run(Source);
        Assert.Empty(run.LayerDslDiagnostics);
        Assert.Empty(run.CompilerDiagnostics);
        using var loaded = CompiledModels.Load(run);
        using var scope = NewDisposeScope();
        var model = (nn.Module<Tensor, Tensor>)loaded.Create("Demo.Net");
        Assert.Equal(new long[] { 5, 2 }, model.call(randn(5, 1, 8, 8)).shape);

        var unit = loaded.Assembly.GetType("Demo.Unit", throwOnError: true)!;
        var block = (nn.Module<Tensor, Tensor>)Activator.CreateInstance(unit, new long[] { 4, 4, 4 }, null)!;
        Assert.Equal(new long[] { 4, 4, 4 }, ((ILayerBlock)block).InputShape);
        var error = Assert.Throws<System.Reflection.TargetInvocationException>(() => Activator.CreateInstance(unit, new long[] { 3, 5, 5 }, null));
        Assert.Contains("[1, 8, 8], [4, 4, 4]", error.InnerException!.Message);
    }

    [Fact]
    public void ABlockFromAReferencedAssemblyIsReportedOnTheUse()
    {
        var library = GeneratorHarness.Run(Usings + "[Block][Dense(3)] public partial class Shared { }");
        var image = new MemoryStream();
        Assert.True(library.Output.Emit(image).Success);
        var reference = MetadataReference.CreateFromImage(image.ToArray());
        var consumer = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create(
            "App",
            new[] { Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("using LayerDsl;\n[Input(4)]\n[Use<Demo.Shared>]\npublic partial class Net { }", GeneratorHarness.ParseOptions, path: "App.cs") },
            GeneratorHarness.References.Add(reference),
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var run = GeneratorHarness.Run(consumer);
        var diagnostic = Assert.Single(run.LayerDslDiagnostics);
        Assert.Equal("LDSL0029", diagnostic.Id);
        Assert.Equal(2, diagnostic.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains("Shared is declared in another assembly", diagnostic.GetMessage());
    }
}
