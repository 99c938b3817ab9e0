using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using LayerDsl.Experiments.Data;
using LayerDsl.Experiments.Export;
using LayerDsl.Models;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary><c>compare --export DIR</c>: what it writes, that the PyTorch twin and its weights are the C# model, and how it fails.</summary>
public sealed class ExportCommandTests
{
    private readonly ITestOutputHelper output;

    public ExportCommandTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void Export_writes_each_model_and_the_script_and_the_twin_gives_the_CSharp_outputs()
    {
        using var cli = new CliHarness(train: 256, test: 64) { Models = new[] { typeof(StandardCnn) } };
        string export = Path.Combine(cli.OutDirectory, "export");

        int exit = cli.Run("compare", "--data", cli.DataDirectory, "--models", "StandardCnn", "--seed", "3", "--seeds", "2", "--batch-size", "64", "--out", cli.OutDirectory, "--export", export);

        Assert.True(exit == 0, cli.Output);
        Assert.True(File.Exists(Path.Combine(cli.OutDirectory, "results.json")));
        string folder = Path.Combine(export, "StandardCnn");
        Assert.Equal(
            new[] { ModelExporter.OnnxFile, ModelExporter.PythonFile, ModelExporter.WeightsFile },
            Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { ModelExporter.ReadmeFile, TrainingScript.FileName }, Directory.GetFiles(export).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "StandardCnn" }, Directory.GetDirectories(export).Select(Path.GetFileName));
        Assert.Equal(TrainingScript.Text, File.ReadAllText(Path.Combine(export, TrainingScript.FileName)));
        Assert.Equal(StandardCnn.PyTorchSource, File.ReadAllText(Path.Combine(folder, ModelExporter.PythonFile)));
        Assert.Contains("the weights of seed 3, the first of seeds 3..4", cli.Output);
        string readme = File.ReadAllText(Path.Combine(export, ModelExporter.ReadmeFile));
        Assert.Contains("torchrun --nproc_per_node=2 train_ddp.py --model StandardCnn/model.py --class StandardCnn --epochs 1 --batch-size 64 --optimizer rmsprop --lr 0.001 --seed 3", readme);

        // The exported weights are the first seed's trained weights, exactly.
        using var exported = new StandardCnn();
        exported.LoadFromPyTorch(Path.Combine(folder, ModelExporter.WeightsFile));
        using var trained = new StandardCnn();
        Checkpoint.Load(Checkpoint.Latest(Path.Combine(cli.OutDirectory, "checkpoints", "seed-3"), "StandardCnn")!, trained);
        foreach (var (key, value) in trained.state_dict())
        {
            Assert.True(value.eq(exported.state_dict()[key]).all().item<bool>(), $"{key} of the export differs from seed 3's trained weights");
        }

        // model.onnx is the graph of those weights: the same bytes as exporting them here.
        string onnx = Path.Combine(cli.OutDirectory, "trained.onnx");
        trained.ExportOnnx(onnx);
        Assert.True(File.ReadAllBytes(onnx).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(folder, ModelExporter.OnnxFile))), "model.onnx is not the ONNX export of seed 3's trained weights");

        // In PyTorch, model.py with weights.pt, on the test images as train_ddp.py reads them, gives the C# outputs: in
        // float32 to 1e-5 of the logits' scale (they reach about 25 here, and a 21,632-term dot product summed in another
        // order differs in the last bits; the softmax passes that absolute error on to the probabilities), and in float64,
        // where rounding is out of the way, to 1e-9.
        var reference = RunTwin(folder, cli.DataDirectory, images: 16);
        trained.eval();
        var (images, _) = FashionMnist.LoadSplit(cli.DataDirectory, FashionMnistFiles.TestImages, FashionMnistFiles.TestLabels).Take(16).ToTensors();
        using (images)
        using (no_grad())
        {
            foreach (var type in new[] { ScalarType.Float32, ScalarType.Float64 })
            {
                string name = type == ScalarType.Float32 ? "float32" : "float64";
                double tolerance = type == ScalarType.Float32 ? 1e-5 : 1e-9;
                trained.to(type);
                using var x = images.to(type);
                using var probabilities = trained.call(x);
                using var logits = trained.ForwardLogits(x);
                double logitScale = Math.Max(1, logits.abs().max().to(ScalarType.Float64).item<double>());
                double forward = MaxDifference(probabilities, reference[name]!["forward"]!) / logitScale;
                double forwardLogits = MaxDifference(logits, reference[name]!["forward_logits"]!) / logitScale;
                output.WriteLine($"torch {reference["torch"]}, {name}: forward differs by {forward:E2} and forward_logits by {forwardLogits:E2} of the logits' scale ({logitScale:F2})");
                Assert.True(forward <= tolerance, $"{name}: model.py's forward differs from C# by {forward:E2} of the logits' scale");
                Assert.True(forwardLogits <= tolerance, $"{name}: model.py's forward_logits differs from C# by {forwardLogits:E2} of their scale");
            }
        }
    }

    [Fact]
    public void A_model_that_cannot_be_exported_is_named_and_the_others_and_the_results_are_still_written()
    {
        using var cli = new CliHarness(train: 128, test: 32) { Models = new[] { typeof(StandardCnn), typeof(UnexportableNet) } };
        string export = Path.Combine(cli.OutDirectory, "export");
        // An earlier export of StandardCnn, which this one replaces as a whole.
        string stale = Path.Combine(export, "StandardCnn", "stale.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(stale)!);
        File.WriteAllText(stale, "");

        int exit = cli.Run("compare", "--data", cli.DataDirectory, "--models", "UnexportableNet,StandardCnn", "--out", cli.OutDirectory, "--export", export);

        Assert.True(exit == 3, cli.Output);
        string error = cli.Output.Split('\n').Single(line => line.StartsWith("error: ", StringComparison.Ordinal));
        output.WriteLine(error);
        Assert.StartsWith("error: UnexportableNet not exported: ", error);
        Assert.Contains("doubleLayer1", error);
        Assert.True(File.Exists(Path.Combine(cli.OutDirectory, "results.json")), "the run's results must be written even when an export fails");
        Assert.True(File.Exists(Path.Combine(export, "StandardCnn", ModelExporter.WeightsFile)));
        Assert.False(File.Exists(stale), "a model's folder must be replaced as a whole, not written into");
        Assert.True(File.Exists(Path.Combine(export, TrainingScript.FileName)));
        Assert.False(Directory.Exists(Path.Combine(export, "UnexportableNet")));
        // No staging folder is left behind.
        Assert.Equal(new[] { "StandardCnn" }, Directory.GetDirectories(export).Select(Path.GetFileName));
    }

    [Fact]
    public void An_export_path_naming_a_file_is_refused_before_training()
    {
        using var cli = new CliHarness { Models = new[] { typeof(StandardCnn) } };
        Directory.CreateDirectory(cli.OutDirectory);
        string file = Path.Combine(cli.OutDirectory, "export.txt");
        File.WriteAllText(file, "");

        int exit = cli.Run("compare", "--models", "StandardCnn", "--out", cli.OutDirectory, "--export", file);

        Assert.Equal(2, exit);
        Assert.Contains($"error: --export {file}: {file} is a file; give a folder", cli.Output);
        Assert.False(File.Exists(Path.Combine(cli.OutDirectory, "results.json")));
    }

    [Fact]
    public void Help_documents_export_and_its_exit_code()
    {
        using var cli = new CliHarness(withData: false);

        Assert.Equal(0, cli.Run("compare", "--help"));

        string line = cli.Output.Split('\n').Single(l => l.TrimStart().StartsWith("--export", StringComparison.Ordinal));
        Assert.Contains("--export <DIR>", line);
        foreach (string file in new[] { ModelExporter.OnnxFile, ModelExporter.PythonFile, ModelExporter.WeightsFile, TrainingScript.FileName, "exit code is 3" })
        {
            Assert.Contains(file, line);
        }
    }

    /// <summary>Runs model.py with weights.pt in PyTorch on the first test images, read by train_ddp.py's own loader.</summary>
    private static JsonNode RunTwin(string folder, string data, int images)
    {
        string script = Path.Combine(folder, "..", "check_twin.py");
        File.WriteAllText(script, """
            import importlib.util, json, sys
            import torch

            def load(name, path):
                spec = importlib.util.spec_from_file_location(name, path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                return module

            folder, data, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
            train_ddp = load("train_ddp", f"{folder}/../train_ddp.py")
            model = getattr(load("twin", f"{folder}/model.py"), "StandardCnn")()
            model.load_state_dict(torch.load(f"{folder}/weights.pt"))
            model.eval()
            x, _ = train_ddp.load_split(data, train_ddp.TEST_IMAGES, train_ddp.TEST_LABELS, count)
            result = {"torch": torch.__version__}
            with torch.no_grad():
                for name, dtype in (("float32", torch.float32), ("float64", torch.float64)):
                    model.to(dtype)
                    result[name] = {"forward": model(x.to(dtype)).tolist(), "forward_logits": model.forward_logits(x.to(dtype)).tolist()}
            json.dump(result, sys.stdout)
            """);
        try
        {
            using var python = PythonTorch.Start(script, new[] { folder, data, images.ToString(System.Globalization.CultureInfo.InvariantCulture) }, folder);
            var (code, stdout, stderr) = python.Wait(TimeSpan.FromMinutes(2));
            Assert.True(code == 0, $"python {python.Command} failed (exit code {code}):\n{stderr}{stdout}");
            return JsonNode.Parse(stdout)!;
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static double MaxDifference(Tensor actual, JsonNode expected)
    {
        double[][] rows = expected.AsArray().Select(row => row!.AsArray().Select(v => (double)v!).ToArray()).ToArray();
        using var wanted = tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Length, rows[0].Length });
        Assert.Equal(actual.shape, wanted.shape);
        return (actual.to(ScalarType.Float64) - wanted).abs().max().item<double>();
    }
}

/// <summary>A layer of the user's own without an ONNX description: a model using it cannot be exported.</summary>
[LayerShape("[C, H, W] -> [C, H, W]")]
public sealed class DoubleLayer : nn.Module<Tensor, Tensor>
{
    public DoubleLayer(long C)
        : base(nameof(DoubleLayer))
    {
    }

    public override Tensor forward(Tensor input) => input * 2;
}

/// <summary>A LayerDsl model with a layer ONNX export does not know.</summary>
[Input(28, 28, 1)]
[Layer<DoubleLayer>]
[Dense(10)]
public partial class UnexportableNet
{
}
