using System;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;
using LayerDsl.Data;
using LayerDsl.Training;
using Spectre.Console;

namespace LayerDsl.Models.Cli;

/// <summary>The command line: <c>compare</c>, <c>evaluate</c> and <c>summary</c>, built with System.CommandLine.</summary>
internal static class CliApp
{
    public static int Run(string[] args, IAnsiConsole? console = null, ModelCatalog? catalog = null)
    {
        if (console is null && System.Console.IsOutputRedirected)
        {
            // Logs and pipes are not 80 columns wide; keep tables (the confusion matrix has 11 columns) unwrapped.
            AnsiConsole.Profile.Width = 160;
        }

        var root = Build(console ?? AnsiConsole.Console, catalog ?? ModelCatalog.Default);
        return root.Parse(args).Invoke();
    }

    /// <summary>Builds the commands; tests replace the catalog, the dataset locator and the downloader.</summary>
    public static RootCommand Build(IAnsiConsole console, ModelCatalog catalog, FashionMnistLocator? locator = null, Func<FashionMnistDownloader>? downloader = null)
    {
        var root = new RootCommand(
            "LayerDsl's experiment runner: trains the models declared in Models/ on Fashion-MNIST and compares them.")
        {
            CompareCommand(console, catalog, locator, downloader),
            EvaluateCommand(console, catalog, locator),
            SummaryCommand(console, catalog),
        };
        return root;
    }

    private static Option<int> Positive(string name, int defaultValue, string description)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError($"{name} must be at least 1");
            }
        });
        return option;
    }

    private static Option<int?> Limit(string name, string description)
    {
        var option = new Option<int?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1)
            {
                result.AddError($"{name} must be at least 1");
            }
        });
        return option;
    }

    private static Option<string?> DataOption() => new("--data")
    {
        Description = $"Folder holding the four Fashion-MNIST .gz files. Without it: ${FashionMnistLocator.EnvironmentVariable}, then {FashionMnistLocator.DebianDirectory} (Debian package dataset-fashion-mnist), then the per-user cache ({FashionMnistLocator.DefaultCacheDirectory()}), else a download into that cache.",
    };

    private static Option<string> DeviceOptionFor() => new Option<string>("--device")
    {
        Description = "cpu or cuda (cuda needs a CUDA build of TorchSharp referenced instead of TorchSharp-cpu).",
        DefaultValueFactory = _ => "cpu",
    }.AcceptOnlyFromAmong("cpu", "cuda");

    private static Command CompareCommand(IAnsiConsole console, ModelCatalog catalog, FashionMnistLocator? locator, Func<FashionMnistDownloader>? downloader)
    {
        var models = new Option<string[]>("--models")
        {
            Description = $"Models to compare, by class name (comma- or space-separated). Default: {string.Join(",", CompareSettings.DefaultModels)}. Known: {string.Join(", ", catalog.Names)}.",
            AllowMultipleArgumentsPerToken = true,
        };
        var epochs = Positive("--epochs", 1, "Passes over the training set.");
        var batchSize = Positive("--batch-size", 128, "Images per optimisation step.");
        var lr = new Option<double>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => 1e-3 };
        lr.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is not > 0)
            {
                r.AddError("--lr must be positive");
            }
        });
        var optimizer = new Option<string>("--optimizer")
        {
            Description = "rmsprop (alpha 0.99, epsilon 1e-8, as PyTorch), adam or sgd (no momentum).",
            DefaultValueFactory = _ => "rmsprop",
        }.AcceptOnlyFromAmong(Optimizers.Names.ToArray());
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights and the shuffling order (same seed, same accuracies).", DefaultValueFactory = _ => 0 };
        var seeds = Positive("--seeds", 1, "Repeat every model over N seeds (seed, seed+1, ...) and report mean ± standard deviation.");
        var trainLimit = Limit("--train-limit", "Train on the first N training images only.");
        var testLimit = Limit("--test-limit", "Evaluate on the first N test images only.");
        var threads = Limit("--threads", "Intra-op CPU threads (default: one per core).");
        var data = DataOption();
        var output = new Option<string?>("--out") { Description = "Output folder for results.json, the chart and checkpoints (default runs/<timestamp>)." };
        var resume = new Option<bool>("--resume") { Description = "Continue from the last checkpoint of each model in --out (default: the newest folder under runs/)." };
        var device = DeviceOptionFor();

        var command = new Command("compare", "Train the models on Fashion-MNIST and compare test accuracy and loss. Defaults are the origin's settings: 1 epoch, batch 128, RMSprop lr 1e-3, cross-entropy, seed 0, all 60,000 training and 10,000 test images.")
        {
            models, epochs, batchSize, lr, optimizer, seed, seeds, trainLimit, testLimit, threads, data, output, resume, device,
        };
        command.SetAction(result => Guard(console, () =>
        {
            var requested = (result.GetValue(models) ?? Array.Empty<string>())
                .SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .ToArray();
            var settings = new CompareSettings
            {
                Models = requested.Length == 0 ? CompareSettings.DefaultModels : requested,
                Epochs = result.GetValue(epochs),
                BatchSize = result.GetValue(batchSize),
                LearningRate = result.GetValue(lr),
                Optimizer = Optimizers.Parse(result.GetValue(optimizer)!),
                Seed = result.GetValue(seed),
                Seeds = result.GetValue(seeds),
                TrainLimit = result.GetValue(trainLimit),
                TestLimit = result.GetValue(testLimit),
                Threads = result.GetValue(threads),
                Data = result.GetValue(data),
                Out = result.GetValue(output),
                Resume = result.GetValue(resume),
                Device = result.GetValue(device)!,
            };
            new Experiment(console, catalog, locator, downloader).Run(settings);
            return 0;
        }));
        return command;
    }

    private static Command EvaluateCommand(IAnsiConsole console, ModelCatalog catalog, FashionMnistLocator? locator)
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "A checkpoint written by compare (runs/<timestamp>/checkpoints/seed-0/<Model>.epoch<N>.ckpt).", Required = true };
        var model = new Option<string?>("--model") { Description = "Load into this model instead of the one the checkpoint names (it must have the same architecture)." };
        var testLimit = Limit("--test-limit", "Evaluate on the first N test images only.");
        var data = DataOption();
        var device = DeviceOptionFor();
        var command = new Command("evaluate", "Score saved weights on the Fashion-MNIST test set: accuracy, loss and confusion matrix.")
        {
            checkpoint, model, testLimit, data, device,
        };
        command.SetAction(result => Guard(console, () =>
        {
            string path = result.GetValue(checkpoint)!;
            if (!File.Exists(path))
            {
                throw new UsageException($"--checkpoint {path}: no such file");
            }

            var metadata = Checkpoint.ReadMetadata(path);
            string name = catalog.Resolve(result.GetValue(model) ?? metadata.Model);
            var dev = DeviceOption.Parse(result.GetValue(device)!);
            var location = FashionMnistSource.ResolveAsync(result.GetValue(data), locator ?? new FashionMnistLocator(), null, null, m => console.WriteLine(m)).GetAwaiter().GetResult();
            var test = FashionMnist.LoadSplit(location.Directory, FashionMnistFiles.TestImages, FashionMnistFiles.TestLabels).Take(result.GetValue(testLimit));
            using var net = catalog.Create(name, dev);
            Checkpoint.Load(path, net);
            var (images, labels) = test.ToTensors(dev);
            using (images)
            using (labels)
            {
                var score = Evaluator.Evaluate(net, images, labels, FashionMnist.Classes, 1000, dev);
                var entry = new ModelResult(name, net.parameters().Sum(p => p.numel()), metadata.Epoch, 0, 0, score.Accuracy, score.Loss, Array.Empty<HistoryEntry>(), score.ConfusionMatrix);
                console.Write(Report.ConfusionTable(entry));
                console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name} from {path} (epoch {metadata.Epoch}, {metadata.Optimizer} lr {metadata.LearningRate:G}, seed {metadata.Seed}): test accuracy {score.Accuracy:F4}, test loss {score.Loss:F4} on {score.Count} images"));
            }

            return 0;
        }));
        return command;
    }

    private static Command SummaryCommand(IAnsiConsole console, ModelCatalog catalog)
    {
        var models = new Option<string[]>("--models") { Description = "Models to show (default: all).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("summary", "Print each model's layers, output shapes and parameter counts, as inferred at compile time.") { models };
        command.SetAction(result => Guard(console, () =>
        {
            var names = (result.GetValue(models) ?? Array.Empty<string>())
                .SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Select(catalog.Resolve)
                .ToArray();
            foreach (string name in names.Length == 0 ? catalog.Names : names)
            {
                using var net = catalog.Create(name, TorchSharp.torch.CPU);
                console.WriteLine(((ILayerModel)net).Info.Summary);
                console.WriteLine();
            }

            return 0;
        }));
        return command;
    }

    /// <summary>Runs a command, turning the errors a user can fix into a message and an exit code instead of a stack trace.</summary>
    private static int Guard(IAnsiConsole console, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UsageException e)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is DatasetNotFoundException or DataFormatException or CheckpointMismatchException or InvalidDataException or FileNotFoundException)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return 1;
        }
    }
}
