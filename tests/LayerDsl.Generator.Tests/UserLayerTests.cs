using System;
using System.IO;
using System.Linq;
using LayerDsl.Generator.Tests.Infrastructure;
using LayerDsl.Generator.Tests.Properties;
using Microsoft.CodeAnalysis;
using static TorchSharp.torch;

namespace LayerDsl.Generator.Tests;

/// <summary>User layers placed by their shape contract: checked against their neighbours at compile time and against reality on every forward.</summary>
public class UserLayerTests
{
    private const string Usings = "using LayerDsl;\nusing TorchSharp;\nusing TorchSharp.Modules;\nusing static TorchSharp.torch;\nnamespace Demo;\n";

    /// <summary>A valid-padding convolution written by hand, its contract stating what it does.</summary>
    private const string HonestConv = """
        [LayerShape("[C, H, W] -> [filters, (H - kernelSize) / stride + 1, (W - kernelSize) / stride + 1] where H >= kernelSize, W >= kernelSize params filters * C * kernelSize * kernelSize + filters")]
        public sealed class MyConv : nn.Module<Tensor, Tensor>
        {
            private readonly Conv2d conv;
            public MyConv(long C, long filters, long kernelSize, long stride = 1) : base(nameof(MyConv))
            {
                conv = nn.Conv2d(C, filters, kernelSize, stride: stride);
                RegisterComponents();
            }
            public override Tensor forward(Tensor x) => conv.call(x);
        }
        """;

    [Fact]
    public void AUserLayerInfersFromItsContractCompilesRunsAndCountsItsParameters()
    {
        var run = GeneratorHarness.Run(Usings + HonestConv + "[Input(28, 20, 3)][Layer<MyConv>(8, 5, 2)][Flatten][Dense(10)] public partial class Net { }");
        Assert.Empty(run.LayerDslDiagnostics);
        Assert.Empty(run.CompilerDiagnostics);
        Assert.Contains("new global::Demo.MyConv(C: 3L, filters: 8L, kernelSize: 5L, stride: 2L)", run.GeneratedSources["Demo.Net.g.cs"]);

        using var loaded = CompiledModels.Load(run);
        using var scope = NewDisposeScope();
        var model = (nn.Module<Tensor, Tensor>)loaded.Create("Demo.Net");
        var info = ((ILayerModel)model).Info;
        Assert.Equal(new long[] { 8, 12, 8 }, info.Layers[0].OutputShape);
        Assert.Equal((8 * 3 * 25) + 8, info.Layers[0].Parameters);
        Assert.Equal(model.parameters().Sum(p => p.numel()), info.Parameters);
        Assert.Equal(new long[] { 2, 10 }, model.call(randn(2, 3, 28, 20)).shape);
        Assert.Contains("myConv1.conv.weight", model.state_dict().Keys);
    }

    [Fact]
    public void TheOriginsCrashIsCaughtAtCompileTimeWhenTheDenseIsPinnedAndAtTheLayerOnTheFirstForwardOtherwise()
    {
        // The origin's custom layer, with the contract Keras assumed: the output has the input's shape.
        const string Lying = """
            [LayerShape("[C, H, W] -> [C, H, W]")]
            public sealed class MaskedLayer : nn.Module<Tensor, Tensor>
            {
                private readonly LayerDsl.Modules.MaskedConv2d inner;
                public MaskedLayer(long C, long filters, long kernelSize) : base(nameof(MaskedLayer))
                {
                    inner = new LayerDsl.Modules.MaskedConv2d(C, filters, kernelSize);
                    RegisterComponents();
                }
                public override Tensor forward(Tensor x) => inner.call(x);
            }
            """;
        var pinned = GeneratorHarness.Run(Usings + Lying + "[Input(28, 28, 1)][Layer<MaskedLayer>(32, 5)][Dense(10, InFeatures = 18432)] public partial class Pinned { }");
        var error = Assert.Single(pinned.LayerDslDiagnostics);
        Assert.Equal("LDSL0013", error.Id);
        Assert.Contains("its input has 784 features (28 × 28 × 1 = 784 from Layer<MaskedLayer>(32, 5))", error.GetMessage());

        var run = GeneratorHarness.Run(Usings + Lying + "[Input(28, 28, 1)][Layer<MaskedLayer>(32, 5)][Dense(10)] public partial class Unpinned { }");
        Assert.Empty(run.LayerDslDiagnostics);
        using var loaded = CompiledModels.Load(run);
        using var scope = NewDisposeScope();
        var model = (nn.Module<Tensor, Tensor>)loaded.Create("Demo.Unpinned");
        var broken = Assert.Throws<ShapeContractException>(() => model.call(randn(2, 1, 28, 28)));
        Assert.Equal(
            "maskedLayer1 (Layer<MaskedLayer>(32, 5)) broke its shape contract \"[C, H, W] -> [C, H, W]\": for input [batch, 1, 28, 28] it must give [batch, 1, 28, 28], but gave [2, 32, 24, 24]. Fix the module or its [LayerShape].",
            broken.Message);
    }

    [Theory]
    [InlineData("[Input(4, 4, 3)][Layer<MyConv>(8, 5)]", "LDSL0033", "Layer<MyConv>(8, 5) with filters = 8, kernelSize = 5, stride = 1, C = 3, H = 4, W = 4: H >= kernelSize does not hold (4 >= 5)")]
    [InlineData("[Input(48)][Layer<MyConv>(8, 5)]", "LDSL0032", "Layer<MyConv>(8, 5) takes [C, H, W] (rank 3) by its contract")]
    [InlineData("[Input(8, 8, 3)][Layer<MyConv>(8)]", "LDSL0034", "constructor parameter kernelSize (long) of MyConv gets no value")]
    [InlineData("[Input(8, 8, 3)][Layer<MyConv>(8, 3, 1, 1)]", "LDSL0034", "4 arguments given, but the constructor of MyConv takes 3 besides the dimensions it receives (filters, kernelSize, stride)")]
    [InlineData("[Input(8, 8, 3)][Layer<MyConv>(8, \"3\")]", "LDSL0034", "\"3\" (string) does not fit constructor parameter kernelSize (long) of MyConv")]
    [InlineData("[Input(8, 8, 3)][Layer<MyConv>(0, 3)]", "LDSL0033", "the output dimension filters = 0 is not positive")]
    [InlineData("[Input(8, 8, 3)][Layer<string>]", "LDSL0035", "String is not a Module<Tensor, Tensor>")]
    public void ContractProblemsAreReportedOnThePlacingAttribute(string layers, string id, string text)
    {
        var run = GeneratorHarness.Run(Usings + HonestConv + layers + " public partial class Net { }");
        var diagnostic = Assert.Single(run.LayerDslDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(text, diagnostic.GetMessage());
        Assert.Contains("class Net", diagnostic.Location.SourceTree!.GetText().Lines[diagnostic.Location.GetLineSpan().StartLinePosition.Line].ToString());
    }

    [Theory]
    [InlineData("[C, H, W] -> [filters, H, W", "LDSL0030", "column 28: expected ',' or ']' closing the output pattern, but the contract ends", "")]
    [InlineData("[C, H, W] => [C, H, W]", "LDSL0030", "column 11: '=' is not part of the contract language", "=")]
    [InlineData("[C, H, W] -> [C, H * scale, W]", "LDSL0031", "uses 'scale'", "scale")]
    public void AContractThatCannotBeReadIsReportedInsideTheString(string contract, string id, string text, string marked)
    {
        var source = Usings + $$"""
            [LayerShape("{{contract}}")]
            public sealed class Odd : nn.Module<Tensor, Tensor>
            {
                public Odd(long C) : base(nameof(Odd)) { }
                public override Tensor forward(Tensor x) => x;
            }
            [Input(8, 8, 3)][Layer<Odd>] public partial class Net { }
            """;
        var run = GeneratorHarness.Run(source);
        var onString = Assert.Single(run.LayerDslDiagnostics, d => d.Id == id);
        Assert.Contains(text, onString.GetMessage());
        if (marked.Length > 0)
        {
            Assert.Equal(marked, onString.Location.SourceTree!.GetText().ToString(onString.Location.SourceSpan));
        }

        var onUse = Assert.Single(run.LayerDslDiagnostics, d => d.Id == "LDSL0023");
        Assert.Contains("Layer<Odd>: Odd has errors of its own", onUse.GetMessage());

        var offline = GeneratorHarness.RunWithoutAnalyzers(source);
        Assert.Equal(run.LayerDslDiagnostics.Select(d => d.ToString()).Order(), offline.GeneratorDiagnostics.Select(d => d.ToString()).Order());
    }

    [Fact]
    public void ContractsWithLeadingDimensionsAndUnknownParameterCounts()
    {
        const string Source = Usings + """
            [LayerShape("[..., F] -> [..., units]")]
            public sealed class Last : nn.Module<Tensor, Tensor>
            {
                private readonly Linear linear;
                public Last(long F, long units) : base(nameof(Last)) { linear = nn.Linear(F, units); RegisterComponents(); }
                public override Tensor forward(Tensor x) => linear.call(x);
            }
            [Input(6, 5)][Layer<Last>(7)][Layer<Last>(3)][Flatten][Dense(2)] public partial class Net { }
            """;
        var run = GeneratorHarness.Run(Source);
        Assert.Empty(run.LayerDslDiagnostics);
        Assert.Empty(run.CompilerDiagnostics);
        using var loaded = CompiledModels.Load(run);
        using var scope = NewDisposeScope();
        var model = (nn.Module<Tensor, Tensor>)loaded.Create("Demo.Net");
        var info = ((ILayerModel)model).Info;
        Assert.Equal(new long[] { 5, 7 }, info.Layers[0].OutputShape);
        Assert.Equal(new long[] { 5, 3 }, info.Layers[1].OutputShape);
        Assert.Equal(-1, info.Layers[0].Parameters);
        Assert.Equal(-1, info.Parameters);
        Assert.Contains("Total params: counted at run time", info.Summary);
        var outputs = ((ILayerModel)model).ForwardTrace(randn(4, 5, 6));
        Assert.Equal(info.Layers.Select(l => new long[] { 4 }.Concat(l.OutputShape).ToArray()), outputs.Select(o => o.shape));
    }

    [Fact]
    public void AConstructorDimensionComesFromTheClauseThatHolds()
    {
        // The first clause takes the rank and binds, but its where fails: the second holds, and L comes from it.
        const string Alternatives = """
            [LayerShape("[C, H] -> [C, H] where H > 100 | [C, L] -> [C, L * 2]")]
            public sealed class Twice : nn.Module<Tensor, Tensor>
            {
                public Twice(long C, long L) : base(nameof(Twice)) { }
                public override Tensor forward(Tensor x) => x.repeat(1, 1, 2);
            }
            """;
        var run = GeneratorHarness.RunWithoutAnalyzers(Usings + Alternatives + "[Input(8, 3)][Layer<Twice>][Flatten][Dense(2)] public partial class Net { }");
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains("new global::Demo.Twice(C: 3L, L: 8L)", run.GeneratedSources["Demo.Net.g.cs"]);
        using var loaded = CompiledModels.Load(run);
        using var scope = NewDisposeScope();
        var model = (nn.Module<Tensor, Tensor>)loaded.Create("Demo.Net");
        Assert.Equal(new long[] { 3, 16 }, ((ILayerModel)model).Info.Layers[0].OutputShape);
        Assert.Equal(new long[] { 2, 2 }, model.call(randn(2, 3, 8)).shape);

        // When the clause that holds does not bind it, the constructor cannot get it: said on the attribute.
        var unbound = GeneratorHarness.Run(Usings + Alternatives + "[Input(200, 3)][Layer<Twice>][Flatten][Dense(2)] public partial class Net { }");
        var diagnostic = Assert.Single(unbound.LayerDslDiagnostics);
        Assert.Equal("LDSL0034", diagnostic.Id);
        Assert.Contains("Layer<Twice>: constructor parameter L of Twice receives the input dimension L, but the clause [C, H] that holds for [3, 200] does not bind it", diagnostic.GetMessage());
        Assert.Contains("[Layer<Twice>]", diagnostic.Location.SourceTree!.GetText().Lines[diagnostic.Location.GetLineSpan().StartLinePosition.Line].ToString());
    }
}
