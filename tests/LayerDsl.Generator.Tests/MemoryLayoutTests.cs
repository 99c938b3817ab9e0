using System;
using System.IO;
using System.Linq;
using LayerDsl.Generator.Tests.Infrastructure;
using LayerDsl.Generator.Tests.Properties;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace LayerDsl.Generator.Tests;

/// <summary>
/// Convolutional models switch to channels-last strides where a convolution first reads several channels: where the
/// switch goes, which models keep the default layout, and that the layout changes no number.
/// </summary>
public class MemoryLayoutTests
{
    private const string Usings = "using LayerDsl;\nusing TorchSharp;\nusing TorchSharp.Modules;\nusing static TorchSharp.torch;\nnamespace Demo;\n";

    private const string Blocks = """
        [Block][Conv2D(6, 3, Padding = Padding.Same, UseBias = false)][BatchNorm][ReLU][Conv2D(6, 3, Padding = Padding.Same)] public partial class Basic { }
        [Block][DepthwiseConv2D(3, Padding = Padding.Same)][Conv2D(6, 1)] public partial class Separable { }
        """;

    /// <summary>Stem, residual and separable blocks, pooling, global pooling, Dense: every kind the switch allows.</summary>
    private const string Layers = "[Input(12, 10, 1)][Conv2D(6, 3, Padding = Padding.Same, UseBias = false)][BatchNorm][ReLU]" +
        "[Residual<Basic>(Activation = Activation.ReLU)][MaxPool2D][Concat<Separable, Basic>][GlobalAvgPool2D][Dense(5)]";

    private const string Switch = "x = global::LayerDsl.MemoryLayout.ChannelsLast(x);";

    [Fact]
    public void TheSwitchGoesBeforeTheFirstLayerThatReadsSeveralChannels()
    {
        var source = Generate(Layers + " public partial class Net { }");

        // In forward and in ForwardTrace (no softmax, so ForwardLogits is forward), after conv1 (one channel in) and before batchNorm1.
        Assert.Equal(2, Count(source, Switch));
        var body = source[source.IndexOf("public override global::TorchSharp.torch.Tensor forward", StringComparison.Ordinal)..];
        Assert.True(body.IndexOf("x = conv1.call(x);", StringComparison.Ordinal) < body.IndexOf(Switch, StringComparison.Ordinal));
        Assert.True(body.IndexOf(Switch, StringComparison.Ordinal) < body.IndexOf("x = batchNorm1.call(x);", StringComparison.Ordinal));
    }

    [Fact]
    public void AnInputOfSeveralChannelsSwitchesAtTheInput()
    {
        var source = Generate("[Input(8, 8, 3)][Conv2D(4, 3)][Conv2D(4, 3)][Flatten][Dense(2)] public partial class Net { }");

        Assert.Contains("var x = input;\n            " + Switch, source.Replace("\r\n", "\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void AModelEndingInFeatureMapsReturnsThemInTheDefaultLayout()
    {
        var run = GeneratorHarness.Run(Usings + Blocks + "[Input(8, 8, 1)][Conv2D(4, 3)][BatchNorm][Conv2D(3, 3)] public partial class Net { }");
        Assert.Empty(run.CompilerDiagnostics);
        Assert.Contains(Switch, run.GeneratedSources["Demo.Net.g.cs"], StringComparison.Ordinal);
        using var loaded = CompiledModels.Load(run);
        using var scope = NewDisposeScope();
        var model = (nn.Module<Tensor, Tensor>)loaded.Create("Demo.Net");

        var output = model.call(randn(2, 1, 8, 8));

        Assert.True(output.is_contiguous());
        Assert.Equal(new long[] { 2, 3 * 4 * 4 }, output.view(2, -1).shape);
    }

    [Theory]
    [InlineData("one-channel convolutions only (StandardCnn)", "[Input(28, 28, 1)][Conv2D(32, 3, Activation = Activation.ReLU)][Flatten][Dense(10, Activation = Activation.Softmax)]")]
    [InlineData("no convolution", "[Input(20)][Dense(8)][Dense(2)]")]
    [InlineData("a masked convolution", "[Input(12, 12, 1)][MaskedConv(3, 4)][Conv2D(4, 3)][Flatten][Dense(2)]")]
    [InlineData("a reshape", "[Input(8, 8, 1)][Conv2D(4, 3)][Conv2D(4, 3)][Reshape(4, 16)][Flatten][Dense(2)]")]
    [InlineData("a user layer", "[Input(8, 8, 1)][Conv2D(4, 3)][Conv2D(4, 3)][Layer<Same>][Flatten][Dense(2)]")]
    [InlineData("a block holding a layer norm", "[Input(8, 8, 1)][Conv2D(4, 3)][Use<Normed>][Flatten][Dense(2)]")]
    public void ModelsThatDoNotGainOrMayNotTakeAnyStridesKeepTheDefaultLayout(string description, string layers)
    {
        const string extras = """
            [LayerShape("[C, H, W] -> [C, H, W]")]
            public sealed class Same : nn.Module<Tensor, Tensor>
            {
                public Same() : base(nameof(Same)) { }
                public override Tensor forward(Tensor x) => x.view(x.shape);
            }
            [Block][Conv2D(4, 3, Padding = Padding.Same)][LayerNorm] public partial class Normed { }
            """;
        var source = Generate(extras + layers + " public partial class Net { }");

        Assert.False(source.Contains("MemoryLayout", StringComparison.Ordinal), description);
    }

    [Fact]
    public void TheSwitchChangesNoNumberAndTheMapsAreChannelsLastAfterIt()
    {
        // The same model twice, in float64 with the same weights: as declared (switched), and with a final reshape to
        // the same shape, which keeps the default layout. Outputs and every gradient agree to rounding.
        var run = GeneratorHarness.Run(Usings + Blocks + Layers + " public partial class Net { }\n" + Layers + "[Reshape(5)] public partial class Plain { }\n");
        Assert.Empty(run.CompilerDiagnostics);
        Assert.Contains("MemoryLayout", run.GeneratedSources["Demo.Net.g.cs"], StringComparison.Ordinal);
        Assert.DoesNotContain("MemoryLayout", run.GeneratedSources["Demo.Plain.g.cs"], StringComparison.Ordinal);
        using var loaded = CompiledModels.Load(run);
        using var scope = NewDisposeScope();
        var switched = (nn.Module<Tensor, Tensor>)loaded.Create("Demo.Net");
        var plain = (nn.Module<Tensor, Tensor>)loaded.Create("Demo.Plain");
        ModuleExtensionMethods.to(switched, float64).train();
        ModuleExtensionMethods.to(plain, float64).train();
        plain.load_state_dict(switched.state_dict());
        using var generator = new TorchSharp.torch.Generator(3);
        var input = randn(new long[] { 4, 1, 12, 10 }, float64, generator: generator);

        var switchedOutput = switched.call(input);
        var plainOutput = plain.call(input);
        Assert.True(plainOutput.allclose(switchedOutput, rtol: 1e-9, atol: 1e-12), "outputs differ");
        switchedOutput.square().sum().backward();
        plainOutput.square().sum().backward();
        foreach (var ((name, a), (_, b)) in switched.named_parameters().Zip(plain.named_parameters()))
            Assert.True(b.grad!.allclose(a.grad!, rtol: 1e-9, atol: 1e-12), $"gradient of {name} differs");

        var outputs = ((ILayerModel)switched).ForwardTrace(input);
        var info = ((ILayerModel)switched).Info;
        Assert.False(MemoryLayout.IsChannelsLast(outputs[0]), "conv1's output is before the switch");
        var afterSwitch = info.Layers.Select((layer, i) => (layer, output: outputs[i])).Skip(1).Where(p => p.output.dim() == 4 && p.output.shape[1] > 1).ToList();
        Assert.NotEmpty(afterSwitch);
        Assert.All(afterSwitch, p => Assert.True(MemoryLayout.IsChannelsLast(p.output), $"{p.layer.Name} is not channels-last"));
    }

    private static string Generate(string model)
    {
        var run = GeneratorHarness.Run(Usings + Blocks + model);
        Assert.True(run.LayerDslDiagnostics.Count == 0, string.Join("\n", run.LayerDslDiagnostics));
        Assert.Empty(run.CompilerDiagnostics);
        return run.GeneratedSources["Demo.Net.g.cs"];
    }

    private static int Count(string text, string part) => (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;
}
