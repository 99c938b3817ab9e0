using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using LayerDsl.Experiments.Data;
using LayerDsl.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Experiments.Cli;

/// <summary>What a finished comparison left behind.</summary>
/// <param name="Results">What results.json holds.</param>
/// <param name="OutputDirectory">The run's folder.</param>
/// <param name="ResultsPath">results.json.</param>
/// <param name="ChartPath">The accuracy and loss chart.</param>
/// <param name="ReportPath">report.md when <c>--report</c> asked for it, else null.</param>
internal sealed record ExperimentOutcome(ExperimentResults Results, string OutputDirectory, string ResultsPath, string ChartPath, string? ReportPath = null);

/// <summary>The <c>compare</c> command: find the data, train every model over every seed, report, write results.json, the chart and checkpoints.</summary>
internal sealed class Experiment
{
    private readonly IAnsiConsole console;
    private readonly ModelCatalog catalog;
    private readonly FashionMnistLocator locator;
    private readonly Func<FashionMnistDownloader> downloader;
    private readonly bool? live;

    public Experiment(IAnsiConsole console, ModelCatalog catalog, FashionMnistLocator? locator = null, Func<FashionMnistDownloader>? downloader = null, bool? live = null)
    {
        this.console = console;
        this.catalog = catalog;
        this.locator = locator ?? new FashionMnistLocator();
        this.downloader = downloader ?? (() => new FashionMnistDownloader(new HttpClient { Timeout = TimeSpan.FromMinutes(5) }));
        this.live = live;
    }

    /// <summary>How the program was started, for the command printed after an interruption.</summary>
    public CommandEcho Echo { get; init; } = new(new[] { "LayerDsl.Models" });

    /// <summary>Sees every training progress report after the display does.</summary>
    public Action<string, TrainingProgress>? Observer { get; init; }

    public ExperimentOutcome Run(CompareSettings settings, CancellationToken cancellationToken = default)
    {
        var wall = Stopwatch.StartNew();
        var started = DateTime.UtcNow;
        var names = settings.Models.Select(catalog.Resolve).Distinct(StringComparer.Ordinal).ToArray();
        if (names.Length == 0)
        {
            throw new UsageException("no model to compare: give --models");
        }

        var device = DeviceOption.Parse(settings.Device);
        var stateShapes = new Dictionary<string, IReadOnlyList<CheckpointTensor>>(StringComparer.Ordinal);
        foreach (string name in names)
        {
            using var probe = catalog.Create(name, CPU);
            CheckFitsFashionMnist(name, probe);
            stateShapes[name] = Checkpoint.Describe(probe);
        }

        if (settings.Threads is int threads)
        {
            torch.set_num_threads(threads);
        }

        string outDirectory = OutputDirectory(settings, started);
        if (settings.Resume)
        {
            RequireSomethingToResume(settings, outDirectory, names);
        }

        var display = ProgressDisplay.For(console, live);

        var location = display.Run(sink => FashionMnistSource.ResolveAsync(
            settings.Data,
            locator,
            settings.AllowDownload ? downloader() : null,
            new Reporter<DownloadProgress>(sink.Download),
            message => console.MarkupLineInterpolated($"[yellow]{message}[/]"),
            cancellationToken).GetAwaiter().GetResult());
        var loading = Stopwatch.StartNew();
        var data = FashionMnist.Load(location.Directory, settings.TrainLimit, settings.TestLimit);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Fashion-MNIST from {location.Directory} ({Describe(location.Source)}): {data.Train.Count} training and {data.Test.Count} test images, loaded in {loading.Elapsed.TotalSeconds:F1} s"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Training {string.Join(", ", names)} for {settings.Epochs} epoch(s), batch {settings.BatchSize}, {Report.OptimizerText(Optimizers.Name(settings.Optimizer), settings.LearningRate, LearningRateSchedules.Name(settings.Schedule), settings.WeightDecay, settings.Momentum, settings.LabelSmoothing)}, seed {SeedText(settings)}, {torch.get_num_threads()} thread(s) on {device.type.ToString().ToLowerInvariant()}; output in {outDirectory}"));
        if (!settings.TrainTransform.IsNone || !settings.TestTransform.IsNone || !settings.Augmentation.IsNone)
        {
            console.WriteLine($"Training images transformed: {settings.TrainTransform.Describe()}; test images transformed: {settings.TestTransform.Describe()} (drawn per seed); training batches augmented: {settings.Augmentation.Describe()}");
        }
        if (settings.Resume)
        {
            ReportResume(settings, outDirectory, names, stateShapes, data.Train.Count, device);
        }

        var train = data.Train.ToTensors(device);
        var test = data.Test.ToTensors(device);
        var runs = names.ToDictionary(n => n, _ => new List<(int Seed, TrainingResult Result, string? Checkpoint)>(), StringComparer.Ordinal);
        var parameters = new Dictionary<string, long>(StringComparer.Ordinal);
        TrainingProgress? last = null;
        string? training = null;
        try
        {
            display.Run(sink =>
            {
                // Seeds outside, models inside: every model of a seed sees the same transformed images.
                foreach (int seed in Seeds(settings))
                {
                    var (trainImages, testImages) = Transformed(settings, train.Images, test.Images, seed);
                    try
                    {
                        foreach (string name in names)
                        {
                            string label = Label(settings, name, seed);
                            training = label;
                            last = null;
                            var options = Options(settings, outDirectory, name, seed, device);
                            Trainer.Seed(seed);
                            using var model = catalog.Create(name, device);
                            parameters[name] = model is ILayerModel layered ? layered.Info.Parameters : model.parameters().Sum(p => p.numel());
                            var result = Trainer.Train(model, (trainImages, train.Labels), (testImages, test.Labels), options, p =>
                            {
                                last = p;
                                sink.Training(label, p);
                                Observer?.Invoke(label, p);
                            }, cancellationToken);
                            runs[name].Add((seed, result, Checkpoint.Latest(options.CheckpointDirectory!, name)));
                        }
                    }
                    finally
                    {
                        if (!ReferenceEquals(trainImages, train.Images))
                        {
                            trainImages.Dispose();
                        }

                        if (!ReferenceEquals(testImages, test.Images))
                        {
                            testImages.Dispose();
                        }
                    }
                }

                return 0;
            });
        }
        catch (OperationCanceledException)
        {
            ReportInterruption(settings, outDirectory, names, training, last);
            throw;
        }
        finally
        {
            train.Images.Dispose();
            train.Labels.Dispose();
            test.Images.Dispose();
            test.Labels.Dispose();
        }

        var models = names.Select(name => ModelResult.FromRuns(name, parameters[name], runs[name], FashionMnist.ClassNames)).ToList();
        var experimentSettings = new ExperimentSettings(
            names,
            settings.Epochs,
            settings.BatchSize,
            settings.LearningRate,
            Optimizers.Name(settings.Optimizer),
            settings.Seed,
            settings.Seeds,
            settings.TrainLimit,
            settings.TestLimit,
            data.Train.Count,
            data.Test.Count,
            torch.get_num_threads(),
            device.type.ToString().ToLowerInvariant(),
            location.Directory,
            Describe(location.Source),
            settings.Resume)
        {
            Command = settings.Arguments.ToArray(),
            TrainTransform = settings.TrainTransform.Describe(),
            TestTransform = settings.TestTransform.Describe(),
            Augmentation = settings.Augmentation.Describe(),
            Schedule = LearningRateSchedules.Name(settings.Schedule),
            WeightDecay = settings.WeightDecay,
            Momentum = settings.Momentum,
            LabelSmoothing = settings.LabelSmoothing,
        };
        var results = new ExperimentResults(models, experimentSettings, MachineInfo.Current(started))
        {
            WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 2),
            PairedTests = ExperimentResults.Compare(models),
        };
        results = results with { Verdict = Report.Verdict(results) };

        (results, string resultsPath, string chartPath, string? reportPath) = WriteAndPrint(console, outDirectory, results, models, settings.Report, wall);

        console.WriteLine($"Checkpoints: {Path.Combine(outDirectory, "checkpoints")}");
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wall time: {wall.Elapsed.TotalSeconds:F1} s"));
        return new ExperimentOutcome(results, outDirectory, resultsPath, chartPath, reportPath);
    }

    /// <summary>
    /// Writes a finished run's outputs into <paramref name="outDirectory"/> — results.json (with the wall time so far), the
    /// chart and, when <paramref name="report"/>, report.md — and prints the table and their paths. Returns the results as
    /// saved and the paths (the report's null when not asked for).
    /// </summary>
    internal static (ExperimentResults Results, string ResultsPath, string ChartPath, string? ReportPath) WriteAndPrint(
        IAnsiConsole console, string outDirectory, ExperimentResults results, IReadOnlyList<ModelResult> models, bool report, Stopwatch wall)
    {
        string resultsPath = Path.Combine(outDirectory, "results.json");
        string chartPath = Path.Combine(outDirectory, "accuracy-loss.png");
        ChartWriter.Save(chartPath, models);
        results = results with { WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 2) };
        results.Save(resultsPath);
        string? reportPath = report ? MarkdownReport.Write(outDirectory, results) : null;
        Report.Print(console, results);
        console.WriteLine($"Results: {resultsPath}");
        console.WriteLine($"Chart:   {chartPath}");
        if (reportPath is not null)
        {
            console.WriteLine($"Report:  {reportPath}");
        }

        return (results, resultsPath, chartPath, reportPath);
    }

    /// <summary>
    /// Refuses, as a usage error, a model that cannot take Fashion-MNIST: its input must be one 28 x 28 grey image and its
    /// output one logit (or probability) per class of the dataset's ten.
    /// </summary>
    internal static void CheckFitsFashionMnist(string name, nn.Module<Tensor, Tensor> model)
    {
        if (model is not ILayerModel layered)
        {
            return;
        }

        var info = layered.Info;
        if (!info.InputShape.SequenceEqual(FashionMnist.ImageShape))
        {
            throw new UsageException(
                $"{name} takes inputs of shape {Shape(info.InputShape)} but Fashion-MNIST images are {Shape(FashionMnist.ImageShape)}; declare it with [Input(28, 28, 1)] to run it here");
        }

        if (info.OutputShape.Count != 1 || info.OutputShape[0] != FashionMnist.Classes)
        {
            throw new UsageException(
                $"{name} has output shape {Shape(info.OutputShape)} but Fashion-MNIST has {FashionMnist.Classes} classes; end it with a Dense({FashionMnist.Classes}) layer to run it here");
        }
    }

    private static string Shape(IEnumerable<long> shape) => "[" + string.Join(", ", shape) + "]";

    private static string Label(CompareSettings settings, string name, int seed) => settings.Seeds > 1 ? $"{name} (seed {seed})" : name;

    private static string CheckpointDirectory(string outDirectory, int seed) =>
        Path.Combine(outDirectory, "checkpoints", $"seed-{seed.ToString(CultureInfo.InvariantCulture)}");

    private static IEnumerable<int> Seeds(CompareSettings settings) => Enumerable.Range(settings.Seed, settings.Seeds);

    /// <summary>
    /// The images a seed trains and tests on: the loaded ones, or (with transforms) copies transformed with parameters drawn
    /// from the seed, so a seed of a multi-seed run sees what a run with that one seed does.
    /// </summary>
    private static (Tensor Train, Tensor Test) Transformed(CompareSettings settings, Tensor train, Tensor test, int seed) => (
        settings.TrainTransform.IsNone ? train : settings.TrainTransform.Apply(train, seed, TransformTarget.Train),
        settings.TestTransform.IsNone ? test : settings.TestTransform.Apply(test, seed, TransformTarget.Test));

    /// <summary>What checkpoints record about the data, so a run resumes only with the same transforms; null without any.</summary>
    private static string? DataDescription(CompareSettings settings) =>
        settings.TrainTransform.IsNone && settings.TestTransform.IsNone
            ? null
            : $"train transform {settings.TrainTransform.Describe()}; test transform {settings.TestTransform.Describe()}";

    /// <summary>The training images' transform as <see cref="DataDescription"/> recorded it in a checkpoint (<c>none</c> without one; a description of another form as it stands).</summary>
    internal static string TrainTransformOf(string? dataDescription)
    {
        const string Train = "train transform ";
        const string Test = "; test transform ";
        if (dataDescription is null)
        {
            return ImageTransform.None.Describe();
        }

        int end = dataDescription.IndexOf(Test, StringComparison.Ordinal);
        return dataDescription.StartsWith(Train, StringComparison.Ordinal) && end > 0 ? dataDescription[Train.Length..end] : dataDescription;
    }

    private static TrainingOptions Options(CompareSettings settings, string outDirectory, string name, int seed, Device device) => new()
    {
        Augmentation = settings.Augmentation,
        DataDescription = DataDescription(settings),
        Epochs = settings.Epochs,
        BatchSize = settings.BatchSize,
        LearningRate = settings.LearningRate,
        Optimizer = settings.Optimizer,
        Schedule = settings.Schedule,
        WeightDecay = settings.WeightDecay,
        Momentum = settings.Momentum,
        LabelSmoothing = settings.LabelSmoothing,
        Seed = seed,
        Device = device,
        CheckpointDirectory = CheckpointDirectory(outDirectory, seed),
        Resume = settings.Resume,
        ModelName = name,
    };

    /// <summary>
    /// --resume on a folder with no checkpoint of any requested model is refused: it is almost always a mistyped or wrong
    /// --out, and training from scratch there would silently cost a whole run.
    /// </summary>
    private static void RequireSomethingToResume(CompareSettings settings, string outDirectory, IReadOnlyList<string> names)
    {
        bool any = names.Any(name => Seeds(settings).Any(seed => Checkpoint.Latest(CheckpointDirectory(outDirectory, seed), name) is not null));
        if (!any)
        {
            throw new UsageException(
                $"--resume: {outDirectory} holds no checkpoint of {string.Join(", ", names)} (looked for checkpoints/seed-<N>/<model>.epoch<E>.ckpt); nothing to resume. Leave out --resume to start afresh, or give --out the folder of the run to continue");
        }
    }

    /// <summary>
    /// Checks, before any training, that every checkpoint to resume was trained with this run's settings and fits its model,
    /// and says for each model where it starts.
    /// </summary>
    private void ReportResume(CompareSettings settings, string outDirectory, IReadOnlyList<string> names, Dictionary<string, IReadOnlyList<CheckpointTensor>> stateShapes, long trainingExamples, Device device)
    {
        foreach (string name in names)
        {
            foreach (int seed in Seeds(settings))
            {
                string label = Label(settings, name, seed);
                var options = Options(settings, outDirectory, name, seed, device);
                string? latest = Checkpoint.Latest(options.CheckpointDirectory!, name);
                if (latest is null)
                {
                    console.WriteLine($"{label}: no checkpoint in {options.CheckpointDirectory}; training from scratch");
                    continue;
                }

                var metadata = Checkpoint.ReadMetadata(latest);
                try
                {
                    Checkpoint.CheckResumable(latest, metadata, name, options, trainingExamples);
                }
                catch (ResumeMismatchException e)
                {
                    throw new UsageException(ResumeMismatch(e));
                }

                Checkpoint.CheckFits(latest, metadata, stateShapes[name], name);
                console.WriteLine(metadata.Epoch >= settings.Epochs
                    ? FormattableString.Invariant($"{label}: resumed from epoch {metadata.Epoch} ({latest}); --epochs {settings.Epochs} leaves nothing to train, so the restored weights are scored")
                    : FormattableString.Invariant($"{label}: resumed from epoch {metadata.Epoch} ({latest}); training {(metadata.Epoch + 1 == settings.Epochs ? $"epoch {settings.Epochs}" : $"epochs {metadata.Epoch + 1} to {settings.Epochs}")}"));
            }
        }
    }

    private static string ResumeMismatch(ResumeMismatchException e)
    {
        const string Afresh = "or leave out --resume and give another --out to start afresh";
        string file = e.Path;
        return e.Setting switch
        {
            ResumeSetting.TrainingExamples =>
                $"--resume: {file} was trained on {e.CheckpointValue} training images, this run has {e.RequestedValue}; resume with the --train-limit of that run, {Afresh}",
            ResumeSetting.Augmentation =>
                $"--resume: {file} was trained with augmentation {e.CheckpointValue}, this run asks for {e.RequestedValue}; resume with the --augment options of that run, {Afresh}",
            ResumeSetting.Data =>
                $"--resume: {file} was trained with {Transforms(e.CheckpointValue)}, this run asks for {Transforms(e.RequestedValue)}; resume with the --train-transform and --test-transform options of that run, {Afresh}",
            ResumeSetting.ScheduledEpochs =>
                $"--resume: {file} follows a learning-rate schedule over {e.CheckpointValue} epochs, this run asks for {e.RequestedValue}; a schedule cannot be stretched mid-run: resume with --epochs {e.CheckpointValue}, {Afresh}",
            _ => $"--resume: {file} was trained with {OptionOf(e.Setting)} {e.CheckpointValue}, this run asks for {OptionOf(e.Setting)} {e.RequestedValue}; resume with {OptionOf(e.Setting)} {e.CheckpointValue}, {Afresh}",
        };

        static string Transforms(string description) => description == "none" ? "no image transforms" : description.Replace("; ", ", ", StringComparison.Ordinal);

        static string OptionOf(ResumeSetting setting) => setting switch
        {
            ResumeSetting.Optimizer => "--optimizer",
            ResumeSetting.LearningRate => "--lr",
            ResumeSetting.BatchSize => "--batch-size",
            ResumeSetting.Seed => "--seed",
            ResumeSetting.Model => "--models",
            ResumeSetting.Schedule => "--lr-schedule",
            ResumeSetting.WeightDecay => "--weight-decay",
            ResumeSetting.Momentum => "--momentum",
            ResumeSetting.LabelSmoothing => "--label-smoothing",
            _ => ResumeMismatchException.Describe(setting),
        };
    }

    /// <summary>After Ctrl-C: what was lost, what is kept, and the exact command that continues the run.</summary>
    private void ReportInterruption(CompareSettings settings, string outDirectory, IReadOnlyList<string> names, string? training, TrainingProgress? last)
    {
        string where = training is null
            ? "before training started"
            : last is null ? $"as {training} started" : $"in {training} epoch {last.Epoch}/{last.Epochs} (batch {last.Batch}/{last.Batches})";
        bool anyCheckpoint = names.Any(name => Seeds(settings).Any(seed => Checkpoint.Latest(CheckpointDirectory(outDirectory, seed), name) is not null));
        string checkpoints = Path.Combine(outDirectory, "checkpoints");
        if (anyCheckpoint)
        {
            console.WriteLine($"Interrupted {where}; that epoch is lost, every finished epoch is checkpointed in {checkpoints}. To resume:");
            WriteUnwrapped("  " + Echo.Format(CommandEcho.WithOutput(settings.Arguments, outDirectory, resume: true)));
        }
        else
        {
            console.WriteLine($"Interrupted {where}; no epoch had finished, so there is nothing to resume. To start again:");
            WriteUnwrapped("  " + Echo.Format(CommandEcho.WithOutput(settings.Arguments, outDirectory, resume: false)));
        }
    }

    /// <summary>Writes a line the user will copy (a command), never wrapped at the console's width.</summary>
    private void WriteUnwrapped(string line)
    {
        console.Profile.Out.Writer.WriteLine(line);
        console.Profile.Out.Writer.Flush();
    }

    internal static string Describe(DatasetSource source) => source switch
    {
        DatasetSource.Option => "--data",
        DatasetSource.EnvironmentVariable => FashionMnistLocator.EnvironmentVariable,
        DatasetSource.SystemPackage => "Debian package dataset-fashion-mnist",
        DatasetSource.UserCache => "download cache",
        DatasetSource.Download => "downloaded now",
        _ => source.ToString(),
    };

    private static string SeedText(CompareSettings settings) => settings.Seeds > 1
        ? $"{settings.Seed}..{settings.Seed + settings.Seeds - 1}"
        : settings.Seed.ToString(CultureInfo.InvariantCulture);

    /// <summary>--out, else (with --resume) the newest runs/* folder, else runs/&lt;timestamp&gt;.</summary>
    private static string OutputDirectory(CompareSettings settings, DateTime started)
    {
        if (!string.IsNullOrWhiteSpace(settings.Out))
        {
            return Path.GetFullPath(settings.Out);
        }

        string runs = Path.GetFullPath("runs");
        if (settings.Resume)
        {
            var latest = Directory.Exists(runs) ? Directory.GetDirectories(runs).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault() : null;
            return latest ?? throw new UsageException("--resume without --out needs an earlier run under runs/; none found");
        }

        return Path.Combine(runs, started.ToLocalTime().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
    }

    private sealed class Reporter<T> : IProgress<T>
    {
        private readonly Action<T> report;

        public Reporter(Action<T> report) => this.report = report;

        public void Report(T value) => report(value);
    }
}

/// <summary>Parses <c>--device</c>, refusing CUDA clearly when this build cannot use it.</summary>
internal static class DeviceOption
{
    public static Device Parse(string name)
    {
        switch (name.Trim().ToLowerInvariant())
        {
            case "cpu":
                return CPU;
            case "cuda":
                if (!torch.cuda.is_available())
                {
                    throw new UsageException("--device cuda: no CUDA device is usable. This build references TorchSharp-cpu; to train on a GPU, reference a CUDA build of libtorch (for example libtorch-cuda-12.8-linux-x64) instead, on a machine with an NVIDIA driver.");
                }

                return CUDA;
            default:
                throw new UsageException($"--device {name}: use cpu or cuda");
        }
    }
}
