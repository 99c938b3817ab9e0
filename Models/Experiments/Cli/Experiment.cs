using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using LayerDsl.Data;
using LayerDsl.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Models.Cli;

/// <summary>What a finished comparison left behind.</summary>
internal sealed record ExperimentOutcome(ExperimentResults Results, string OutputDirectory, string ResultsPath, string ChartPath);

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
        if (settings.Threads is int threads)
        {
            torch.set_num_threads(threads);
        }

        string outDirectory = OutputDirectory(settings, started);
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
        var train = data.Train.ToTensors(device);
        var test = data.Test.ToTensors(device);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Fashion-MNIST from {location.Directory} ({Describe(location.Source)}): {data.Train.Count} training and {data.Test.Count} test images, loaded in {loading.Elapsed.TotalSeconds:F1} s"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Training {string.Join(", ", names)} for {settings.Epochs} epoch(s), batch {settings.BatchSize}, {Optimizers.Name(settings.Optimizer)} lr {settings.LearningRate:G}, seed {SeedText(settings)}, {torch.get_num_threads()} thread(s) on {device.type.ToString().ToLowerInvariant()}; output in {outDirectory}"));

        var models = new List<ModelResult>();
        try
        {
            display.Run(sink =>
            {
                foreach (string name in names)
                {
                    var runs = new List<(int Seed, TrainingResult Result, string? Checkpoint)>();
                    long parameters = 0;
                    for (int seed = settings.Seed; seed < settings.Seed + settings.Seeds; seed++)
                    {
                        string label = settings.Seeds > 1 ? $"{name} (seed {seed})" : name;
                        string checkpoints = Path.Combine(outDirectory, "checkpoints", $"seed-{seed.ToString(CultureInfo.InvariantCulture)}");
                        Trainer.Seed(seed);
                        using var model = catalog.Create(name, device);
                        parameters = model is ILayerModel layered ? layered.Info.Parameters : model.parameters().Sum(p => p.numel());
                        var options = new TrainingOptions
                        {
                            Epochs = settings.Epochs,
                            BatchSize = settings.BatchSize,
                            LearningRate = settings.LearningRate,
                            Optimizer = settings.Optimizer,
                            Seed = seed,
                            Device = device,
                            CheckpointDirectory = checkpoints,
                            Resume = settings.Resume,
                        };
                        var result = Trainer.Train(model, train, test, options, p => sink.Training(label, p), cancellationToken);
                        runs.Add((seed, result, Checkpoint.Latest(checkpoints, name)));
                    }

                    models.Add(ModelResult.FromRuns(name, parameters, runs, FashionMnist.ClassNames));
                }

                return 0;
            });
        }
        finally
        {
            train.Images.Dispose();
            train.Labels.Dispose();
            test.Images.Dispose();
            test.Labels.Dispose();
        }

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
            settings.Resume);
        var results = new ExperimentResults(models, experimentSettings, MachineInfo.Current(started)) { WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 2) };

        string resultsPath = Path.Combine(outDirectory, "results.json");
        string chartPath = Path.Combine(outDirectory, "accuracy-loss.png");
        ChartWriter.Save(chartPath, models);
        results = results with { WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 2) };
        results.Save(resultsPath);
        Report.Print(console, results);
        console.WriteLine($"Results: {resultsPath}");
        console.WriteLine($"Chart:   {chartPath}");
        console.WriteLine($"Checkpoints: {Path.Combine(outDirectory, "checkpoints")}");
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wall time: {wall.Elapsed.TotalSeconds:F1} s"));
        return new ExperimentOutcome(results, outDirectory, resultsPath, chartPath);
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
