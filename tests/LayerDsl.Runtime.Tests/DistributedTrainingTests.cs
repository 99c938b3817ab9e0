using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using LayerDsl.Experiments.Data;
using LayerDsl.Experiments.Export;
using LayerDsl.Models;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// train_ddp.py trains StandardCnn's generated PyTorch twin as two processes with gloo (the variables torchrun would set, set by
/// hand: Debian's torchrun cannot start workers), and the weights it writes come back into the C# model.
/// </summary>
public sealed class DistributedTrainingTests : IClassFixture<DistributedTrainingTests.Runs>
{
    private const int TrainImages = 512;
    private const int TestImages = 500;

    private readonly Runs runs;
    private readonly ITestOutputHelper output;

    public DistributedTrainingTests(Runs runs, ITestOutputHelper output)
    {
        this.runs = runs;
        this.output = output;
    }

    [RealDataFact]
    public void Weights_trained_by_two_gloo_processes_score_in_CSharp_what_the_script_reported()
    {
        var run = runs.TwoProcesses;
        Assert.Equal(2, (int)run.Result["world_size"]!);
        Assert.Equal("gloo", (string)run.Result["backend"]!);
        Assert.Equal(TrainImages, (int)run.Result["train_images"]!);
        Assert.Equal(TestImages, (int)run.Result["test_images"]!);
        int reportedCorrect = (int)run.Result["test_correct"]!;
        double reportedLoss = (double)run.Result["test_loss"]!;

        var (images, labels) = runs.TestSet();
        using var _ = images;
        using var __ = labels;
        using var initial = new StandardCnn();
        initial.LoadFromPyTorch(runs.InitialWeights);
        var before = Evaluator.Evaluate(initial, images, labels, FashionMnist.Classes);
        using var trained = new StandardCnn();
        trained.LoadFromPyTorch(run.Weights);
        var score = Evaluator.Evaluate(trained, images, labels, FashionMnist.Classes);
        long correct = (long)Math.Round(score.Accuracy * score.Count);

        // Only an image whose two largest logits lie closer than float noise between two libtorch builds could change its
        // predicted class on the way from PyTorch to TorchSharp; the counts must agree but for those.
        int close = CloseCalls(trained, images);
        output.WriteLine(FormattableString.Invariant(
            $"script (2 processes, gloo): {reportedCorrect}/{TestImages}, loss {reportedLoss:F6}; C#: {correct}/{score.Count}, loss {score.Loss:F6}; initial weights in C#: {before.Accuracy:F4}; images within 1e-4 of a tie: {close}; {run.Seconds:F1} s"));
        Assert.True(Math.Abs(correct - reportedCorrect) <= close,
            $"C# scores {correct}/{score.Count} on the weights the script wrote, the script reported {reportedCorrect}/{TestImages} ({close} images within 1e-4 of a tie).");
        Assert.Equal((double)run.Result["test_accuracy"]!, (double)reportedCorrect / TestImages, 12);
        Assert.True(Math.Abs(score.Loss - reportedLoss) <= 1e-4 * Math.Max(1, reportedLoss),
            FormattableString.Invariant($"C# test loss {score.Loss:F6}, the script's {reportedLoss:F6}."));
        // The script trained from the weights it was given, and training helped.
        Assert.True(score.Accuracy > before.Accuracy + 0.2, FormattableString.Invariant($"accuracy {score.Accuracy:F4} after training, {before.Accuracy:F4} before"));
    }

    [RealDataFact]
    public void Two_processes_train_what_one_process_trains_with_the_same_global_batch()
    {
        // DistributedSampler deals a shuffled order out in turn, so the two halves of a step's batch are exactly the
        // one-process step's batch, and averaging the two gradients gives its gradient: the same training up to rounding.
        var two = runs.TwoProcesses;
        var one = runs.OneProcess;
        Assert.Equal(1, (int)one.Result["world_size"]!);
        Assert.Equal((int)one.Result["batch_size"]!, 2 * (int)two.Result["batch_size_per_process"]!);

        using var fromTwo = new StandardCnn();
        fromTwo.LoadFromPyTorch(two.Weights);
        using var fromOne = new StandardCnn();
        fromOne.LoadFromPyTorch(one.Weights);
        using var initial = new StandardCnn();
        initial.LoadFromPyTorch(runs.InitialWeights);
        var twoState = fromTwo.state_dict();
        var oneState = fromOne.state_dict();
        var initialState = initial.state_dict();
        foreach (string key in oneState.Keys)
        {
            // Norms, not single entries: RMSprop divides by each gradient's own scale, so an entry whose gradient is
            // almost zero can move by rounding alone.
            double difference = (twoState[key] - oneState[key]).norm().item<float>();
            double moved = (oneState[key] - initialState[key]).norm().item<float>();
            output.WriteLine(FormattableString.Invariant($"{key}: training moved it by {moved:E2} (norm); one and two processes differ by {difference:E2}"));
            Assert.True(difference <= 1e-4 * moved, FormattableString.Invariant($"{key}: one and two processes differ by {difference:E2} (norm), training moved it by {moved:E2}."));
        }

        Assert.Equal((int)one.Result["test_correct"]!, (int)two.Result["test_correct"]!);
        Assert.Equal((double)one.Result["test_loss"]!, (double)two.Result["test_loss"]!, 4);
    }

    /// <summary>The number of images whose two largest logits differ by less than 1e-4.</summary>
    private static int CloseCalls(StandardCnn model, Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        var top = model.ForwardLogits(images).topk(2, dim: 1).values;
        return (int)(top[.., 0] - top[.., 1]).lt(1e-4).sum().item<long>();
    }

    /// <summary>One run of the script: what it reported and the weights it wrote.</summary>
    public sealed record ScriptRun(JsonNode Result, string Weights, double Seconds);

    /// <summary>
    /// The script's runs, shared by the tests and made on first use: from the weights <c>compare --export</c> wrote, two
    /// epochs over the first 512 training images, global batch 64, scored on the first 500 test images.
    /// </summary>
    public sealed class Runs : IDisposable
    {
        private readonly CliHarness cli = new(withData: false) { Models = new[] { typeof(StandardCnn) } };
        private readonly Lazy<string> prepared;
        private readonly Lazy<ScriptRun> twoProcesses;
        private readonly Lazy<ScriptRun> oneProcess;

        public Runs()
        {
            prepared = new Lazy<string>(Prepare);
            twoProcesses = new Lazy<ScriptRun>(() => Train(2));
            oneProcess = new Lazy<ScriptRun>(() => Train(1));
        }

        public string DataDirectory => RealData.Directory
            ?? throw new InvalidOperationException("Fashion-MNIST not found: install dataset-fashion-mnist or set FASHION_MNIST_DIR.");

        /// <summary>The weights <c>compare --export</c> wrote, which the script starts from.</summary>
        public string InitialWeights => Path.Combine(prepared.Value, "StandardCnn", "weights.pt");

        public ScriptRun TwoProcesses => twoProcesses.Value;

        public ScriptRun OneProcess => oneProcess.Value;

        /// <summary>The test images the script scored, as C# loads them.</summary>
        public (Tensor Images, Tensor Labels) TestSet() =>
            FashionMnist.LoadSplit(DataDirectory, FashionMnistFiles.TestImages, FashionMnistFiles.TestLabels).Take(TestImages).ToTensors();

        public void Dispose() => cli.Dispose();

        /// <summary>
        /// <c>compare --export</c> on the same data: one step on 64 images, so the script starts from barely trained
        /// weights, and the export folder with model.py, weights.pt and train_ddp.py.
        /// </summary>
        private string Prepare()
        {
            string folder = Path.Combine(cli.OutDirectory, "export");
            int exit = cli.Run(
                "compare", "--models", "StandardCnn", "--data", DataDirectory, "--train-limit", "64", "--batch-size", "64",
                "--test-limit", TestImages.ToString(CultureInfo.InvariantCulture), "--out", cli.OutDirectory, "--export", folder);
            Assert.True(exit == 0, cli.Output);
            return folder;
        }

        private ScriptRun Train(int processes)
        {
            string folder = prepared.Value;
            string outDirectory = Path.Combine(folder, $"ddp-{processes}");
            string[] arguments =
            {
                "--model", Path.Combine("StandardCnn", "model.py"), "--class", "StandardCnn", "--init", Path.Combine("StandardCnn", "weights.pt"),
                "--data", DataDirectory, "--train-limit", TrainImages.ToString(CultureInfo.InvariantCulture), "--test-limit", TestImages.ToString(CultureInfo.InvariantCulture),
                "--epochs", "2", "--batch-size", "64", "--seed", "0", "--out", outDirectory,
            };
            string script = Path.Combine(folder, TrainingScript.FileName);
            var started = System.Diagnostics.Stopwatch.StartNew();
            string port = PythonTorch.FreePort().ToString(CultureInfo.InvariantCulture);
            var ranks = Enumerable.Range(0, processes).Select(rank => PythonTorch.Start(script, arguments, folder, processes == 1
                ? null
                : new Dictionary<string, string>
                {
                    ["MASTER_ADDR"] = "127.0.0.1",
                    ["MASTER_PORT"] = port,
                    ["WORLD_SIZE"] = processes.ToString(CultureInfo.InvariantCulture),
                    ["RANK"] = rank.ToString(CultureInfo.InvariantCulture),
                    ["LOCAL_RANK"] = rank.ToString(CultureInfo.InvariantCulture),
                })).ToList();
            try
            {
                foreach (var rank in ranks)
                {
                    var (code, stdout, stderr) = rank.Wait(TimeSpan.FromMinutes(2));
                    Assert.True(code == 0, $"python {rank.Command} failed (exit code {code}):\n{stderr}{stdout}");
                }
            }
            finally
            {
                foreach (var rank in ranks)
                {
                    rank.Dispose();
                }
            }

            var result = JsonNode.Parse(File.ReadAllText(Path.Combine(outDirectory, "result.json")))!;
            return new ScriptRun(result, Path.Combine(outDirectory, "weights.pt"), started.Elapsed.TotalSeconds);
        }
    }
}
