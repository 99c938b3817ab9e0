using System;
using System.IO;
using System.Linq;
using LayerDsl.Generator.Tests.Infrastructure;
using LayerDsl.Generator.Tests.Properties;
using static TorchSharp.torch;

namespace LayerDsl.Generator.Tests;

/// <summary>
/// Every layer kind and option, in a model of its own, compiled and run in TorchSharp: each layer's run-time output
/// shape equals its compile-time shape, and TorchSharp's parameter count equals the generator's.
/// </summary>
public class LayerKindRunTests
{
    public static TheoryData<string, string> Models => new()
    {
        { "non-square conv, strides, explicit pads", "[Input(17, 11, 3)][Conv2D(6, 3, 1, StrideHeight = 2, PadWidth = 2)][Conv2D(4, 2, 3, Padding = Padding.Same, Stride = 2)]" },
        { "dilated grouped conv without bias", "[Input(20, 16, 4)][Conv2D(8, 3, Dilation = 2, Groups = 2, UseBias = false)][Conv2D(8, 5, Padding = Padding.Same, Dilation = 3)]" },
        { "masked conv, Same padding that differs between height and width", "[Input(21, 37, 13)][MaskedConv(5, 1, Stride = 3, Padding = Padding.Same, UseBias = true)][Conv2D(5, 7, Stride = 3)][Dense(2)]" },
        { "deformable, modulated and not, offset groups, dilation, Same", "[Input(11, 9, 4)][DeformConv(3, 6, OffsetGroups = 2, Padding = Padding.Same, Stride = 2)][DeformConv(3, 5, Modulated = false, Dilation = 2, UseBias = false, Activation = Activation.None)]" },
        { "depthwise", "[Input(15, 13, 3)][DepthwiseConv2D(3, DepthMultiplier = 2, Stride = 2)][DepthwiseConv2D(5, Padding = Padding.Same, Activation = Activation.Hardswish)]" },
        { "transposed, valid and same", "[Input(7, 5, 4)][ConvTranspose2D(6, 3, Stride = 2)][ConvTranspose2D(3, 4, Stride = 2, Padding = Padding.Same)][ConvTranspose2D(2, 3, Stride = 2, Padding = Padding.Same)][ConvTranspose2D(2, 1, Stride = 3, Padding = Padding.Same)][ConvTranspose2D(2, 3, Stride = 2, OutputPadding = 1, Pad = 1)]" },
        // Same with strides the kernel spans in one dimension only: each dimension needs its own output padding.
        { "transposed, same, strides per dimension", "[Input(10, 10, 3)][ConvTranspose2D(1, 2, StrideHeight = 3, StrideWidth = 2, Padding = Padding.Same)][ConvTranspose2D(2, 3, 1, StrideHeight = 2, StrideWidth = 3, Padding = Padding.Same)]" },
        { "1-D", "[Input(50, 3)][Conv1D(8, 5, Stride = 2)][MaxPool1D][Conv1D(8, 4, Padding = Padding.Same, Groups = 4)][AvgPool1D(3, Stride = 2)][BatchNorm][GlobalAvgPool1D][Dense(2)]" },
        { "1-D global max", "[Input(9, 2)][Conv1D(4, 3, Pad = 1, Dilation = 2)][GlobalMaxPool1D]" },
        { "features", "[Input(20)][Dense(8, UseBias = false)][LayerNorm][GELU][Dense(4, Activation = Activation.SiLU)][LeakyReLU(0.2)][ELU(0.5)][Dense(3, Activation = Activation.ELU)]" },
        { "global pools, non-square pools", "[Input(19, 13, 3)][MaxPool2D(3, 2)][AvgPool2D(2, 3, StrideHeight = 1)][GlobalMaxPool2D]" },
        { "global average", "[Input(9, 7, 5)][GlobalAvgPool2D][Dense(2, Activation = Activation.LeakyReLU)]" },
        { "reshape and permute", "[Input(8, 6, 4)][Reshape(4, -1)][Permute(1, 0)][LayerNorm][Reshape(12, 4, 4)][Upsample2D(Mode = UpsampleMode.Bilinear)][Upsample2D(3)]" },
        { "activations as options", "[Input(7, 6, 2)][Conv2D(3, 3, Activation = Activation.GELU)][Conv2D(3, 1, Activation = Activation.Hardswish)][Flatten][Dense(4, Activation = Activation.Softmax)]" },
        // A layer's own ReLU, tanh and sigmoid run in place on the layer's output (a cropped transposed output is a view).
        { "activations in place", "[Input(6, 5, 2)][ConvTranspose2D(3, 3, Stride = 2, Padding = Padding.Same, Activation = Activation.Sigmoid)][Conv2D(3, 3, Activation = Activation.Tanh)][DepthwiseConv2D(3, Padding = Padding.Same, Activation = Activation.ReLU)][Reshape(6, -1)][Conv1D(4, 2, Activation = Activation.Sigmoid)][Dense(4, Activation = Activation.Tanh)][Dense(3, Activation = Activation.ReLU)]" },
        // A stand-alone ReLU, tanh or sigmoid right after a convolution, BatchNorm, LayerNorm or Dense without an activation runs in place.
        { "stand-alone activations in place", "[Input(8, 7, 3)][Conv2D(4, 3)][BatchNorm][ReLU][Conv2D(4, 3)][Tanh][Flatten][Dense(6)][LayerNorm][Sigmoid][Dense(5)][BatchNorm][ReLU][ReLU]" },
        { "residual over features, projected", "[Input(12)][Residual<Wide>(Project = true, Activation = Activation.ReLU)][Residual<Same>]" },
        { "residual over 1-D, projected with stride", "[Input(30, 4)][Residual<Stride1D>(Project = true)]" },
        { "residual projected with a stride past the height", "[Input(1, 15, 2)][Residual<Narrow>(Project = true)][Flatten]" },
        { "add and nested blocks", "[Input(10, 12, 3)][Add<Deep, Same2D>][Concat<Same2D, Same2D, Deep>]" },
    };

    private const string Blocks = """
        [Block][Dense(20)] public partial class Wide { }
        [Block][Dense(20)][ReLU] public partial class Same { }
        [Block][Conv1D(6, 3, Stride = 2, Padding = Padding.Same)] public partial class Stride1D { }
        [Block][Conv2D(3, 3, Padding = Padding.Same)] public partial class Same2D { }
        [Block][Use<Inner>(Repeat = 2)][BatchNorm] public partial class Deep { }
        [Block][Conv2D(3, 1)][Residual<Same2D>] public partial class Inner { }
        [Block][MaxPool2D(1, 4)] public partial class Narrow { }
        """;

    [Theory]
    [MemberData(nameof(Models))]
    public void CompileTimeShapesAndParametersEqualTorchSharps(string name, string layers)
    {
        var run = GeneratorHarness.Run(Source(layers));
        Assert.True(run.LayerDslDiagnostics.Count == 0, $"{name}: {string.Join("\n", run.LayerDslDiagnostics)}");
        Assert.Empty(run.CompilerDiagnostics);
        using var loaded = CompiledModels.Load(run);
        using var scope = NewDisposeScope();
        var model = (nn.Module<Tensor, Tensor>)loaded.Create("Demo.Net");
        var info = ((ILayerModel)model).Info;
        Assert.Equal(info.Parameters, model.parameters().Sum(p => p.numel()));
        foreach (var layer in info.Layers)
        {
            // A residual's total includes its projection, the sibling field residual1Projection.
            var owned = model.named_parameters()
                .Where(p => p.name.StartsWith(layer.Name + ".", StringComparison.Ordinal) || (layer.Kind == "Residual" && p.name.StartsWith(layer.Name + "Projection.", StringComparison.Ordinal)))
                .Sum(p => p.parameter.numel());
            Assert.True(owned == layer.Parameters, $"{name}: {layer.Name} has {owned} parameters in TorchSharp, {layer.Parameters} in Info");
        }

        model.eval();
        foreach (var batch in new[] { 1, 3 })
        {
            var outputs = ((ILayerModel)model).ForwardTrace(randn(new[] { (long)batch }.Concat(info.InputShape).ToArray()));
            Assert.Equal(info.Layers.Count, outputs.Count);
            for (var i = 0; i < outputs.Count; i++)
            {
                var expected = new[] { (long)batch }.Concat(info.Layers[i].OutputShape).ToArray();
                Assert.True(outputs[i].shape.SequenceEqual(expected), $"{name}: {info.Layers[i].Name} ({info.Layers[i].Description}) is [{string.Join(", ", outputs[i].shape)}] at run time, [{string.Join(", ", expected)}] at compile time");
            }

            Assert.Equal(outputs[^1].shape, model.call(randn(new[] { (long)batch }.Concat(info.InputShape).ToArray())).shape);
        }
    }

    /// <summary>
    /// Autograd through the generated forward pass, in-place activations included, gives the model's true derivative:
    /// in float64, the gradient with respect to the input and every parameter, read along one random direction, equals a
    /// central finite difference of the output along that direction.
    /// </summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void GradientsOfTheGeneratedForwardEqualFiniteDifferences(string name, string layers)
    {
        var run = GeneratorHarness.Run(Source(layers));
        using var loaded = CompiledModels.Load(run);
        using var scope = NewDisposeScope();
        using var generator = new TorchSharp.torch.Generator(7);
        var model = (nn.Module<Tensor, Tensor>)loaded.Create("Demo.Net");
        // Training mode, where BatchNorm normalises by the batch (no model here has a Dropout layer).
        TorchSharp.ModuleExtensionMethods.to(model, float64).train();
        var info = ((ILayerModel)model).Info;
        var input = randn(new[] { 2L }.Concat(info.InputShape).ToArray(), float64, generator: generator).requires_grad_();
        var parameters = model.parameters().ToArray();

        // Away from the initial values: a deformable layer starts with zero offsets, sampling exactly on the pixel grid,
        // where bilinear interpolation has a kink and a finite difference means nothing.
        using (no_grad())
        {
            foreach (var parameter in parameters)
                parameter.add_(randn(parameter.shape, float64, generator: generator), alpha: 0.1);
        }

        var variables = parameters.Prepend(input).ToArray();
        var directions = variables.Select(v => randn(v.shape, float64, generator: generator)).ToArray();
        Tensor? readout = null;
        Tensor Scalar()
        {
            var output = model.call(input);
            readout ??= randn(output.shape, float64, generator: generator);
            return (output * readout).sum();
        }

        Scalar().backward();
        double analytic = variables.Zip(directions).Sum(p => (p.First.grad! * p.Second).sum().item<double>());

        const double step = 1e-6;
        double Shifted(double sign)
        {
            using (no_grad())
            {
                foreach (var (variable, direction) in variables.Zip(directions))
                    variable.add_(direction, alpha: sign * step);
                double value = Scalar().item<double>();
                foreach (var (variable, direction) in variables.Zip(directions))
                    variable.add_(direction, alpha: -sign * step);
                return value;
            }
        }

        double numeric = (Shifted(1) - Shifted(-1)) / (2 * step);
        Assert.True(Math.Abs(analytic - numeric) <= 1e-5 * Math.Max(1, Math.Abs(numeric)),
            $"{name}: autograd gives {analytic:R} along a random direction, finite differences {numeric:R}");
    }

    private static string Source(string layers) =>
        $"using LayerDsl;\nusing TorchSharp;\nusing static TorchSharp.torch;\nnamespace Demo;\n{Blocks}\n{layers}\npublic partial class Net {{ }}\n";
}
