using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using LayerDsl.Export.Tests.Models;
using LayerDsl.Models;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LayerDsl.Export.Tests;

/// <summary>
/// Every generated model's three ways out: <c>ExportOnnx</c> run in ONNX Runtime, <c>PyTorchSource</c> with
/// <c>SaveForPyTorch</c>'s weights run in Debian's PyTorch, and weights PyTorch saved read back by <c>LoadFromPyTorch</c>;
/// each against the C# model's own forward pass, on the models of Models/ and on models that between them use every
/// layer kind.
/// </summary>
public sealed class GeneratedModelTests(ITestOutputHelper output) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("layerdsl-generated-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    public static TheoryData<string> ModelNames => new(Factories.Keys);

    private static readonly Dictionary<string, Func<nn.Module<Tensor, Tensor>>> Factories = new()
    {
        ["StandardCnn"] = () => new StandardCnn(),
        ["MaskedConvNet"] = () => new MaskedConvNet(),
        ["DeformConvNet"] = () => new DeformConvNet(),
        ["SmallResNet"] = () => new SmallResNet(),
        ["OriginLayerNet"] = () => new OriginLayerNet(),
        ["TextClassifier"] = () => new TextClassifier(),
        ["ConvZoo"] = () => new ConvZoo(),
        ["BlockAtSecondShape"] = () => new BlockAtSecondShape(),
        ["ShapeZoo"] = () => new ShapeZoo(),
        ["SequenceZoo"] = () => new SequenceZoo(),
        ["FeatureZoo"] = () => new FeatureZoo(),
        ["DeformZoo"] = () => new DeformZoo(),
    };

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void The_onnx_export_computes_what_the_model_computes(string name)
    {
        using var model = Prepared(name);
        var layerModel = (ILayerModel)model;
        foreach (int opset in new[] { 17, 19 })
        {
            foreach (bool logits in new[] { false, true })
            {
                string path = Path.Combine(folder, $"{name}-{opset}-{logits}.onnx");
                layerModel.ExportOnnx(path, opset, logits);
                double difference = OnnxAgrees(path, layerModel.Info, x => logits ? layerModel.ForwardLogits(x) : model.call(x));
                output.WriteLine($"{name}, opset {opset}{(logits ? ", logits" : string.Empty)}: largest difference {difference:E2} of the output's scale");
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void The_pytorch_twin_with_the_saved_weights_computes_what_the_model_computes(string name)
    {
        using var model = Prepared(name);
        var layerModel = (ILayerModel)model;
        string source = Path.Combine(folder, "model.py");
        File.WriteAllText(source, layerModel.PyTorchSource);
        string weights = Path.Combine(folder, "weights.pt");
        layerModel.SaveForPyTorch(weights);
        using var input32 = RandomInput(layerModel.Info, 3, seed: 11);
        using var x = input32.dtype == int64 ? input32.alias() : input32.to(float64);
        string input = Path.Combine(folder, "input.json");
        var json = PythonRunner.TensorJson(x);
        json["dtype"] = x.dtype == int64 ? "int64" : "float64";
        File.WriteAllText(input, json.ToJsonString());

        var result = JsonNode.Parse(PythonRunner.Run("generated_twin.py", source, layerModel.Info.Name, weights, input, folder))!;

        // Both sides compute in float64 from the same float32 weights: what remains is the difference of the formulas.
        Assert.Equal(model.state_dict().Keys.OrderBy(k => k, StringComparer.Ordinal), result["keys"]!.AsArray().Select(k => (string)k!));
        using (no_grad())
        {
            model.to(float64);
            using var expected = model.call(x);
            using var expectedLogits = layerModel.ForwardLogits(x);
            double forward = Relative(PythonRunner.FromJson64(result["output"]!), expected);
            double logits = Relative(PythonRunner.FromJson64(result["logits"]!), expectedLogits);
            output.WriteLine($"{name}: PyTorch {result["torch"]} twin differs by {forward:E2} (forward) and {logits:E2} (logits) of the output's scale");
            Assert.True(forward <= 1e-5, $"The twin's forward differs from the C# model's by {forward:E2} of the output's scale.");
            Assert.True(logits <= 1e-5, $"The twin's forward_logits differs from the C# ForwardLogits by {logits:E2} of the output's scale.");

            // And back: PyTorch moved every parameter and saved the state dict; a fresh C# model reads it and agrees.
            using var fresh = Factories[name]();
            fresh.eval();
            ((ILayerModel)fresh).LoadFromPyTorch(Path.Combine(folder, "perturbed.pt"));
            fresh.to(float64);
            using var moved = fresh.call(x);
            double back = Relative(PythonRunner.FromJson64(result["perturbed_output"]!), moved);
            output.WriteLine($"{name}: on the weights PyTorch saved, the C# model differs by {back:E2}");
            Assert.True(Relative(moved, expected) > 1e-3, "The weights PyTorch saved did not change the C# model's output: they were not read.");
            Assert.True(back <= 1e-5, $"On the weights PyTorch saved, the C# model differs from PyTorch by {back:E2} of the output's scale.");
        }
    }

    [Fact]
    public void A_user_layer_without_an_export_is_refused_before_anything_is_written()
    {
        using var model = new UnexportableNet();
        string path = Path.Combine(folder, "unexportable.onnx");

        var error = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(path));

        Assert.Contains("'scaleBy1'", error.Message);
        Assert.Contains(nameof(ScaleBy), error.Message);
        Assert.Contains(nameof(IOnnxExportable), error.Message);
        Assert.Empty(Directory.GetFiles(folder));
        Assert.Contains("raise NotImplementedError", UnexportableNet.PyTorchSource);
        Assert.Contains("public const string PyTorchSource", UnexportableNet.PyTorchSource);
    }

    /// <summary>The model with random weights (the deformable offsets too) and trained batch-norm statistics, in evaluation mode.</summary>
    private static nn.Module<Tensor, Tensor> Prepared(string name)
    {
        var model = Factories[name]();
        Prepare(model, seed: name.Length);
        return model;
    }

    /// <summary>Random weights (the deformable offsets too), trained batch-norm statistics, evaluation mode.</summary>
    internal static void Prepare(nn.Module<Tensor, Tensor> model, int seed)
    {
        var info = ((ILayerModel)model).Info;
        OnnxCheck.Randomize(model, std: 0.2, seed: seed);
        model.train();
        for (int i = 0; i < 2; i++)
        {
            using var batch = RandomInput(info, 8, seed: 20 + i);
            using var _ = model.call(batch);
        }

        model.eval();
    }

    internal static Tensor RandomInput(ModelInfo info, long batch, int seed)
    {
        torch.random.manual_seed(seed);
        long[] shape = new[] { batch }.Concat(info.InputShape).ToArray();
        return info.InputTokens > 0 ? randint(0, info.InputTokens, shape, dtype: int64) : randn(shape);
    }

    /// <summary>Runs the file in ONNX Runtime at batch sizes 1 and 3 against <paramref name="reference"/>; the largest difference relative to the output's scale.</summary>
    internal static double OnnxAgrees(string path, ModelInfo info, Func<Tensor, Tensor> reference, double tolerance = OnnxCheck.Tolerance)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(path, options);
        Assert.Equal(new[] { "input" }, session.InputNames);
        Assert.Equal(new[] { "output" }, session.OutputNames);
        double worst = 0;
        foreach (long batch in OnnxCheck.BatchSizes)
        {
            using var scope = NewDisposeScope();
            Tensor x = RandomInput(info, batch, seed: (int)batch);
            long[] shape = x.shape;
            Tensor expected;
            using (no_grad())
            {
                expected = reference(x).contiguous();
            }

            using var value = x.dtype == int64
                ? OrtValue.CreateTensorValueFromMemory(x.data<long>().ToArray(), shape)
                : OrtValue.CreateTensorValueFromMemory(x.data<float>().ToArray(), shape);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, new[] { "input" }, new[] { value }, new[] { "output" });
            Assert.Equal(expected.shape, outputs[0].GetTensorTypeAndShape().Shape);
            using var actual = torch.tensor(outputs[0].GetTensorDataAsSpan<float>().ToArray()).reshape(expected.shape);
            worst = Math.Max(worst, Relative(actual, expected));
        }

        Assert.True(worst <= tolerance, $"ONNX Runtime and TorchSharp differ by {worst:E2} of the output's scale (allowed {tolerance:E0}).");
        return worst;
    }

    /// <summary>max |actual - expected| / max |expected|, after checking the shapes agree and the reference is not all zeros.</summary>
    internal static double Relative(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = expected.abs().max().to(float64).item<double>();
        Assert.True(scale > 0, "The reference output is all zeros, which would let any export pass.");
        return (actual.to(float64) - expected.to(float64)).abs().max().item<double>() / scale;
    }
}

/// <summary>A user layer with a contract but neither an ONNX export nor a PyTorch twin.</summary>
[LayerShape("[...] -> [...]")]
public sealed class ScaleBy : nn.Module<Tensor, Tensor>
{
    private readonly double factor;

    public ScaleBy(double factor)
        : base(nameof(ScaleBy))
    {
        this.factor = factor;
    }

    public override Tensor forward(Tensor input) => input * factor;
}

[Input(4)]
[Dense(3)]
[Layer<ScaleBy>(2.0)]
public partial class UnexportableNet
{
}
