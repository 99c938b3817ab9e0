using System;
using System.Collections.Generic;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using LayerDsl.Experiments.Data;
using LayerDsl.Experiments.Export;
using LayerDsl.Training;
using Spectre.Console;

namespace LayerDsl.Experiments.Cli;

/// <summary>
/// The command line: <c>compare</c>, <c>evaluate</c> and <c>summary</c> over the models of a catalog, built with
/// System.CommandLine. Exit codes: 0 done, 1 data or checkpoint error, 2 usage error, 3 results written but some model
/// not exported (<c>compare --export</c>), 130 interrupted.
/// </summary>
internal sealed partial class CliApp
{
    public const int UsageError = 2;

    public const int DataError = 1;

    /// <summary><c>compare --export</c> finished the comparison and wrote its results, but could not export every model.</summary>
    public const int ExportIncomplete = 3;

    public const int Interrupted = 130;

    private readonly IAnsiConsole console;
    private readonly ModelCatalog catalog;
    private readonly IReadOnlyList<string> defaultModels;

    /// <summary>Creates the command line over <paramref name="catalog"/>; <c>compare</c> without <c>--models</c> runs <paramref name="defaultModels"/> (null: every model).</summary>
    public CliApp(IAnsiConsole console, ModelCatalog catalog, IReadOnlyList<string>? defaultModels = null)
    {
        this.console = console;
        this.catalog = catalog;
        this.defaultModels = defaultModels is { Count: > 0 } ? defaultModels : catalog.Names;
    }

    /// <summary>Where to look for Fashion-MNIST (tests replace it).</summary>
    public FashionMnistLocator? Locator { get; init; }

    /// <summary>Makes the downloader used when the dataset is found nowhere (tests replace it).</summary>
    public Func<FashionMnistDownloader>? Downloader { get; init; }

    /// <summary>How this program was started, to print the command that resumes an interrupted run; null: found out from the process.</summary>
    public CommandEcho? Echo { get; init; }

    /// <summary>Sees every training progress report (tests use it to interrupt a run at a chosen point).</summary>
    public Action<string, TrainingProgress>? Observer { get; init; }

    /// <summary>Parses <paramref name="args"/> and runs the command; a parse error is one line and exit code 2, never a stack trace.</summary>
    public int Run(string[] args, CancellationToken cancellationToken = default, TextWriter? output = null)
    {
        var root = Build(args, cancellationToken);
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction)
        {
            string command = parsed.CommandResult.Command is RootCommand ? "--help" : $"{parsed.CommandResult.Command.Name} --help";
            foreach (var error in parsed.Errors)
            {
                WriteError(console, $"{error.Message} (see {command})");
            }

            return UsageError;
        }

        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null };
        if (output is not null)
        {
            configuration.Output = output;
            configuration.Error = output;
        }

        return parsed.Invoke(configuration);
    }

    private RootCommand Build(string[] args, CancellationToken cancellationToken)
    {
        return new RootCommand(
            $"LayerDsl's experiment runner: trains models on Fashion-MNIST and compares them. Models: {string.Join(", ", catalog.Names)}.")
        {
            CompareCommand(args, cancellationToken),
            EvaluateCommand(args, cancellationToken),
            SummaryCommand(),
        };
    }

    private static Option<int> Whole(string name, int defaultValue, int minimum, string description) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParseWhole(result, name, minimum),
    };

    private static Option<int?> Limit(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result => ParseWhole(result, name, 1),
    };

    private static int ParseWhole(ArgumentResult result, string name, int minimum)
    {
        string text = result.Tokens.Count == 0 ? "" : result.Tokens[^1].Value;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            result.AddError($"{name} {text}: not a whole number; give a whole number of at least {minimum}");
            return minimum;
        }

        if (value < minimum)
        {
            result.AddError($"{name} {text}: must be at least {minimum}");
            return minimum;
        }

        return value;
    }

    /// <summary>A number option: finite, at least <paramref name="minimum"/> (above it when <paramref name="exclusive"/>), at most <paramref name="maximum"/>.</summary>
    private static Option<double> Number(string name, string helpName, double defaultValue, double minimum, bool exclusive, double maximum, string example, string description) => new(name)
    {
        Description = description,
        HelpName = helpName,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 0 ? "" : result.Tokens[^1].Value;
            string range = double.IsPositiveInfinity(maximum)
                ? FormattableString.Invariant($"{(exclusive ? "above" : "at least")} {minimum:G}")
                : FormattableString.Invariant($"{(exclusive ? "above" : "from")} {minimum:G} {(exclusive ? "and at most" : "to")} {maximum:G}");
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            {
                result.AddError($"{name} {text}: not a number; give a number {range}, such as {example}");
                return defaultValue;
            }

            if (value < minimum || (exclusive && value == minimum) || value > maximum)
            {
                result.AddError($"{name} {text}: must be {range}, such as {example}");
                return defaultValue;
            }

            return value;
        },
    };

    private static Option<ImageTransformKinds> TransformOption(string name, string which) => new(name)
    {
        Description = $"Transform the {which} images, each with its own parameters drawn from the seed: scale, rotate, translate, elastic, comma-separated (applied together in one resampling), or none (the default). Ranges: --scale-range, --rotate-degrees, --translate-pixels, --elastic-alpha, --elastic-sigma.",
        HelpName = "scale,rotate,translate,elastic",
        CustomParser = result =>
        {
            string text = result.Tokens.Count == 0 ? "" : result.Tokens[^1].Value;
            try
            {
                return ImageTransform.Parse(text);
            }
            catch (ArgumentException e)
            {
                // ArgumentException appends "(Parameter 'text')" to the message; the user needs only the first part.
                string message = e.Message;
                int cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
                result.AddError($"{name} {text}: {(cut >= 0 ? message[..cut] : message)}");
                return ImageTransformKinds.None;
            }
        },
    };

    private static Option<string[]> AugmentOption() => new("--augment")
    {
        HelpName = "crop,flip,erase",
        Description = "Augment every training batch: crop (random crop after zero padding, --crop-padding), flip (horizontal, half the images), erase (random erasing, Zhong et al., --erase-probability), comma-separated, or none (the default). Deterministic per seed, epoch and batch.",
        AllowMultipleArgumentsPerToken = true,
        CustomParser = result =>
        {
            var words = result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
            foreach (string word in words)
            {
                if (!new[] { "crop", "flip", "erase", "none" }.Contains(word.ToLowerInvariant()))
                {
                    result.AddError($"--augment {word}: use crop, flip, erase (comma-separated) or none");
                    return Array.Empty<string>();
                }
            }

            return words.Select(w => w.ToLowerInvariant()).ToArray();
        },
    };

    private static Option<string?> DataOption() => new("--data")
    {
        Description = $"Folder holding the four Fashion-MNIST .gz files; it must hold them, nothing else is searched then. Without it: ${FashionMnistLocator.EnvironmentVariable}, then {FashionMnistLocator.DebianDirectory} (Debian package dataset-fashion-mnist), then the per-user cache ({FashionMnistLocator.DefaultCacheDirectory()}), else a download into that cache.",
    };

    private static Option<string> DeviceOptionFor() => new("--device")
    {
        Description = "cpu or cuda (cuda needs a CUDA build of TorchSharp referenced instead of TorchSharp-cpu).",
        DefaultValueFactory = _ => "cpu",
        CustomParser = result => OneOf(result, "--device", new[] { "cpu", "cuda" }, "cpu"),
    };

    private static string OneOf(ArgumentResult result, string name, IReadOnlyList<string> choices, string fallback)
    {
        string text = result.Tokens.Count == 0 ? "" : result.Tokens[^1].Value;
        string? match = choices.FirstOrDefault(c => string.Equals(c, text.Trim(), StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            result.AddError($"{name} {text}: use {string.Join(", ", choices.Take(choices.Count - 1))} or {choices[^1]}");
            return fallback;
        }

        return match;
    }

    private Command CompareCommand(string[] args, CancellationToken cancellationToken)
    {
        var models = new Option<string[]>("--models")
        {
            Description = $"Models to compare, by name (comma- or space-separated). Default: {string.Join(",", defaultModels)}. Known: {string.Join(", ", catalog.Names)}.",
            AllowMultipleArgumentsPerToken = true,
        };
        var epochs = Whole("--epochs", 1, 1, "Passes over the training set.");
        var batchSize = Whole("--batch-size", 128, 1, "Images per optimisation step.");
        var lr = new Option<double>("--lr")
        {
            Description = "Learning rate (a positive number).",
            DefaultValueFactory = _ => 1e-3,
            CustomParser = result =>
            {
                string text = result.Tokens.Count == 0 ? "" : result.Tokens[^1].Value;
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
                {
                    result.AddError($"--lr {text}: not a number; give a positive number such as 0.001 or 1e-3");
                    return 1e-3;
                }

                if (value <= 0)
                {
                    result.AddError($"--lr {text}: must be positive, such as 0.001 or 1e-3");
                    return 1e-3;
                }

                return value;
            },
        };
        var optimizer = new Option<string>("--optimizer")
        {
            Description = "rmsprop (alpha 0.99, epsilon 1e-8, as PyTorch), adam or sgd (no momentum).",
            DefaultValueFactory = _ => "rmsprop",
            CustomParser = result => OneOf(result, "--optimizer", Optimizers.Names, "rmsprop"),
        };
        var schedule = new Option<string>("--lr-schedule")
        {
            Description = "How the learning rate moves over the run, batch by batch, with --lr as its peak: constant (the default), cosine (down to 0) or one-cycle (up from lr/25 over the first 30 % of batches, then down to lr/250000; PyTorch's OneCycleLR defaults). A run under a schedule resumes only with the same --epochs.",
            HelpName = "constant|cosine|one-cycle",
            DefaultValueFactory = _ => "constant",
            CustomParser = result => OneOf(result, "--lr-schedule", LearningRateSchedules.Names, "constant"),
        };
        var weightDecay = Number("--weight-decay", "L2", 0, 0, false, double.PositiveInfinity, "5e-4", "The optimizer's L2 penalty on the weights (PyTorch's weight_decay); 0 (the default) turns it off.");
        var momentum = Number("--momentum", "M", 0, 0, false, 0.999, "0.9", "Momentum of sgd or rmsprop (adam takes none); 0 (the default) turns it off.");
        var labelSmoothing = Number("--label-smoothing", "E", 0, 0, false, 0.999, "0.1", "Label smoothing of the training loss: this much probability spread evenly over the classes; 0 (the default) turns it off. The test loss stays plain cross-entropy.");
        var seed = Whole("--seed", 0, 0, "Seed of the initial weights and the shuffling order (same seed, same accuracies).");
        var seeds = Whole("--seeds", 1, 1, "Repeat every model over N seeds (seed, seed+1, ...) and report mean ± standard deviation.");
        var trainLimit = Limit("--train-limit", "Train on the first N training images only.");
        var testLimit = Limit("--test-limit", "Evaluate on the first N test images only.");
        var threads = Limit("--threads", "Intra-op CPU threads (default: one per core).");
        var data = DataOption();
        var output = new Option<string?>("--out") { Description = "Output folder for results.json, the chart and checkpoints (default runs/<timestamp>)." };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue each model from its last checkpoint in --out (default: the newest folder under runs/). The settings must be those the checkpoints were trained with; --epochs may grow. Refused when the folder holds no checkpoint at all.",
        };
        var device = DeviceOptionFor();
        var trainTransform = TransformOption("--train-transform", "training");
        var testTransform = TransformOption("--test-transform", "test");
        var ranges = new TransformRanges();
        var augment = AugmentOption();
        var cropPadding = Whole("--crop-padding", 4, 1, "Zero pixels added on every side before the random crop of --augment crop.");
        var eraseProbability = Number("--erase-probability", "P", 0.5, 0, true, 1, "0.5", "The probability that --augment erase blanks a rectangle (2-40 % of the image, aspect 0.3-3.3) of an image.");
        var export = ExportOption.Create();
        var report = new Option<bool>("--report")
        {
            Description = "Also write report.md next to results.json: the setting, the results, the pairwise tests and the charts accuracy-per-epoch.png (band over seeds) and per-class-accuracy.png.",
        };

        var command = new Command("compare", "Train the models on Fashion-MNIST and compare test accuracy and loss. Defaults are the origin's settings: 1 epoch, batch 128, RMSprop lr 1e-3, cross-entropy, seed 0, all 60,000 training and 10,000 test images.")
        {
            models, epochs, batchSize, lr, optimizer, schedule, weightDecay, momentum, labelSmoothing, seed, seeds, trainLimit, testLimit, threads, data, output, resume, device,
            trainTransform, testTransform, ranges.ScaleRange, ranges.RotateDegrees, ranges.TranslatePixels, ranges.ElasticAlpha, ranges.ElasticSigma,
            augment, cropPadding, eraseProbability, report, export,
        };
        command.SetAction(result => Guard(() =>
        {
            var requested = (result.GetValue(models) ?? Array.Empty<string>())
                .SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .ToArray();
            var transform = ranges.Read(result);
            var augmentations = result.GetValue(augment) ?? Array.Empty<string>();
            if (result.GetValue(momentum) != 0 && Optimizers.Parse(result.GetValue(optimizer)!) == OptimizerKind.Adam)
            {
                throw new UsageException(FormattableString.Invariant($"--momentum {result.GetValue(momentum):G}: adam takes no momentum (its beta 1, 0.9, plays that part); use --optimizer sgd or rmsprop with --momentum, or leave --momentum out"));
            }

            var settings = new CompareSettings
            {
                TrainTransform = transform with { Kinds = result.GetValue(trainTransform) },
                TestTransform = transform with { Kinds = result.GetValue(testTransform) },
                Augmentation = new Augmentation
                {
                    CropPadding = augmentations.Contains("crop") ? result.GetValue(cropPadding) : 0,
                    HorizontalFlip = augmentations.Contains("flip"),
                    EraseProbability = augmentations.Contains("erase") ? result.GetValue(eraseProbability) : 0,
                },
                Report = result.GetValue(report),
                Models = requested.Length == 0 ? defaultModels : requested,
                Epochs = result.GetValue(epochs),
                BatchSize = result.GetValue(batchSize),
                LearningRate = result.GetValue(lr),
                Optimizer = Optimizers.Parse(result.GetValue(optimizer)!),
                Schedule = LearningRateSchedules.Parse(result.GetValue(schedule)!),
                WeightDecay = result.GetValue(weightDecay),
                Momentum = result.GetValue(momentum),
                LabelSmoothing = result.GetValue(labelSmoothing),
                Seed = result.GetValue(seed),
                Seeds = result.GetValue(seeds),
                TrainLimit = result.GetValue(trainLimit),
                TestLimit = result.GetValue(testLimit),
                Threads = result.GetValue(threads),
                Data = result.GetValue(data),
                Out = result.GetValue(output),
                Resume = result.GetValue(resume),
                Device = result.GetValue(device)!,
                Arguments = args,
            };
            string? exportDirectory = ExportOption.Check(result.GetValue(export));
            var outcome = new Experiment(console, catalog, Locator, Downloader) { Echo = Echo ?? CommandEcho.Current(args), Observer = Observer }.Run(settings, cancellationToken);
            return exportDirectory is null || new ModelExporter(console, catalog).Export(exportDirectory, outcome).Complete ? 0 : ExportIncomplete;
        }));
        return command;
    }

    private Command SummaryCommand()
    {
        var models = new Option<string[]>("--models") { Description = "Models to show (default: all).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("summary", "Print each model's layers, output shapes and parameter counts, as inferred at compile time.") { models };
        command.SetAction(result => Guard(() =>
        {
            var names = (result.GetValue(models) ?? Array.Empty<string>())
                .SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Select(catalog.Resolve)
                .ToArray();
            foreach (string name in names.Length == 0 ? catalog.Names : names)
            {
                using var net = catalog.Create(name, TorchSharp.torch.CPU);
                var summary = ((ILayerModel)net).Info.Summary;
                console.WriteLine(name == ((ILayerModel)net).Info.Name ? summary : $"{name}:{Environment.NewLine}{summary}");
                console.WriteLine();
            }

            return 0;
        }));
        return command;
    }

    /// <summary>Runs a command, turning the errors a user can fix into one line and an exit code instead of a stack trace.</summary>
    private int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (UsageException e)
        {
            WriteError(console, e.Message);
            return UsageError;
        }
        catch (OperationCanceledException)
        {
            return Interrupted;
        }
        catch (Exception e) when (e is DatasetNotFoundException or DataFormatException or CheckpointMismatchException or InvalidDataException or FileNotFoundException or DataMismatchException)
        {
            WriteError(console, e.Message);
            return DataError;
        }
    }

    /// <summary>Writes <c>error: message</c>, the message unwrapped, so that a one-line error stays one line in logs and pipes.</summary>
    internal static void WriteError(IAnsiConsole console, string message)
    {
        console.Markup("[red]error:[/] ");
        console.Profile.Out.Writer.WriteLine(message);
        console.Profile.Out.Writer.Flush();
    }
}
