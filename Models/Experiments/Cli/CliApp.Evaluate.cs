using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using LayerDsl.Experiments.Data;
using LayerDsl.Training;
using Spectre.Console;

namespace LayerDsl.Experiments.Cli;

/// <summary>The <c>evaluate</c> command: one checkpoint, or every checkpoint of a <c>compare</c> run, on the plain or a transformed test set.</summary>
internal sealed partial class CliApp
{
    private Command EvaluateCommand(string[] args, CancellationToken cancellationToken)
    {
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A checkpoint written by compare (runs/<timestamp>/checkpoints/seed-0/<Model>.epoch<N>.ckpt): score it alone.", HelpName = "FILE" };
        var run = new Option<string?>("--run")
        {
            Description = "The --out folder of a compare run: score the checkpoint of every epoch of every model and seed there, without retraining, and report as compare does (mean ± standard deviation, 95% intervals, paired tests over the seeds, results.json, --report). With --test-transform this is compare's --test-transform on the weights that run trained.",
            HelpName = "DIR",
        };
        var model = new Option<string?>("--model") { Description = "With --checkpoint: load into this model instead of the one the checkpoint names (it must have the same architecture)." };
        var models = new Option<string[]>("--models")
        {
            Description = "With --run: the models to score (comma- or space-separated); default: every model with checkpoints there.",
            AllowMultipleArgumentsPerToken = true,
        };
        var epochs = Limit("--epochs", "With --run: score epochs 1 to N (default: the last epoch, which every model and seed must have reached).");
        var seed = new Option<int?>("--seed")
        {
            Description = "With --checkpoint: the seed --test-transform draws the images' parameters from (default: the checkpoint's seed, the draw compare made for it). With --run every seed's own is used.",
            CustomParser = result => ParseWhole(result, "--seed", 0),
        };
        var testTransform = TransformOption("--test-transform", "test");
        var ranges = new TransformRanges();
        var testLimit = Limit("--test-limit", "Evaluate on the first N test images only (give the run's own to score the images it scored).");
        var threads = Limit("--threads", "Intra-op CPU threads (default: one per core).");
        var data = DataOption();
        var device = DeviceOptionFor();
        var output = new Option<string?>("--out") { Description = "With --run: output folder for results.json, the chart and the report (default runs/<timestamp>)." };
        var report = new Option<bool>("--report") { Description = "With --run: also write report.md and its charts next to results.json, as compare --report does." };
        var command = new Command("evaluate", "Score saved weights on the Fashion-MNIST test set, plain or transformed: one checkpoint (--checkpoint), or every model and seed of a compare run (--run) with the statistics compare reports.")
        {
            checkpoint, run, model, models, epochs, seed, testTransform, ranges.ScaleRange, ranges.RotateDegrees, ranges.TranslatePixels,
            ranges.ElasticAlpha, ranges.ElasticSigma, testLimit, threads, data, device, output, report,
        };
        command.SetAction(result => Guard(() =>
        {
            string? path = result.GetValue(checkpoint);
            string? runDirectory = result.GetValue(run);
            if ((path is null) == (runDirectory is null))
            {
                throw new UsageException("evaluate needs one of --checkpoint FILE (one model's weights) or --run DIR (every checkpoint of a compare run)");
            }

            var transform = ranges.Read(result) with { Kinds = result.GetValue(testTransform) };
            var requested = (result.GetValue(models) ?? Array.Empty<string>())
                .SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .ToArray();
            if (result.GetValue(threads) is int count)
            {
                TorchSharp.torch.set_num_threads(count);
            }

            if (runDirectory is not null)
            {
                RefuseWith("--run", ("--model", result.GetValue(model) is not null), ("--seed", result.GetValue(seed) is not null));
                new RunEvaluation(console, catalog, Locator, Downloader).Run(
                    new RunEvaluationSettings
                    {
                        RunDirectory = runDirectory,
                        Models = requested,
                        Epochs = result.GetValue(epochs),
                        TestTransform = transform,
                        TestLimit = result.GetValue(testLimit),
                        Data = result.GetValue(data),
                        Device = result.GetValue(device)!,
                        Out = result.GetValue(output),
                        Report = result.GetValue(report),
                        Arguments = args,
                    },
                    cancellationToken);
                return 0;
            }

            RefuseWith("--checkpoint", ("--models", requested.Length > 0), ("--epochs", result.GetValue(epochs) is not null), ("--out", result.GetValue(output) is not null), ("--report", result.GetValue(report)));
            EvaluateCheckpoint(path!, result.GetValue(model), transform, result.GetValue(seed), result.GetValue(testLimit), result.GetValue(data), result.GetValue(device)!);
            return 0;
        }));
        return command;
    }

    /// <summary>Refuses, as a usage error, the options given that do not go with <paramref name="mode"/>.</summary>
    private static void RefuseWith(string mode, params (string Option, bool Given)[] options)
    {
        var given = options.Where(o => o.Given).Select(o => o.Option).ToArray();
        if (given.Length > 0)
        {
            string other = mode == "--run" ? "--checkpoint" : "--run";
            throw new UsageException($"{string.Join(", ", given)} {(given.Length == 1 ? "goes" : "go")} with {other}, not {mode}; leave {(given.Length == 1 ? "it" : "them")} out (see evaluate --help)");
        }
    }

    /// <summary>Scores one checkpoint on the test set, transformed (with parameters drawn from <paramref name="seed"/>, by default the checkpoint's) when a transform is chosen.</summary>
    private void EvaluateCheckpoint(string path, string? model, ImageTransform transform, int? seed, int? testLimit, string? data, string device)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"--checkpoint {path}: no such file");
        }

        var metadata = Checkpoint.ReadMetadata(path);
        string name = catalog.Resolve(model ?? metadata.Model);
        var dev = DeviceOption.Parse(device);
        var location = FashionMnistSource.ResolveAsync(data, Locator ?? new FashionMnistLocator(), null, null, m => console.WriteLine(m)).GetAwaiter().GetResult();
        var test = FashionMnist.LoadSplit(location.Directory, FashionMnistFiles.TestImages, FashionMnistFiles.TestLabels).Take(testLimit);
        using var net = catalog.Create(name, dev);
        Experiment.CheckFitsFashionMnist(name, net);
        Checkpoint.Load(path, net);
        int drawSeed = seed ?? metadata.Seed;
        var (plain, labels) = test.ToTensors(dev);
        var images = transform.IsNone ? plain : transform.Apply(plain, drawSeed, TransformTarget.Test);
        try
        {
            var score = Evaluator.Evaluate(net, images, labels, FashionMnist.Classes, 1000, dev);
            var entry = new ModelResult(name, net.parameters().Sum(p => p.numel()), metadata.Epoch, 0, 0, score.Accuracy, score.Loss, Array.Empty<HistoryEntry>(), score.ConfusionMatrix);
            console.Write(Report.ConfusionTable(entry));
            string scored = transform.IsNone ? "images" : $"images transformed {transform.Describe()} (drawn from seed {drawSeed.ToString(CultureInfo.InvariantCulture)})";
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} from {path} (epoch {metadata.Epoch}, {metadata.Optimizer} lr {metadata.LearningRate:G}, seed {metadata.Seed}): test accuracy {score.Accuracy:F4}, test loss {score.Loss:F4} on {score.Count} {scored}"));
        }
        finally
        {
            if (!ReferenceEquals(images, plain))
            {
                images.Dispose();
            }

            plain.Dispose();
            labels.Dispose();
        }
    }
}
