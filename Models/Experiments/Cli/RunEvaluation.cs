using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using LayerDsl.Experiments.Data;
using LayerDsl.Training;
using Spectre.Console;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Experiments.Cli;

/// <summary>What <c>evaluate --run</c> was asked to do.</summary>
internal sealed record RunEvaluationSettings
{
    /// <summary>The <c>--out</c> folder of the compare run whose checkpoints are scored.</summary>
    public string RunDirectory { get; init; } = "";

    /// <summary>The models to score; empty: every model with checkpoints in the run.</summary>
    public IReadOnlyList<string> Models { get; init; } = Array.Empty<string>();

    /// <summary>Score epochs 1 to this; null: the last epoch, which every model and seed must share.</summary>
    public int? Epochs { get; init; }

    /// <summary>The transforms of the test images, drawn from each checkpoint's seed as compare draws them.</summary>
    public ImageTransform TestTransform { get; init; } = ImageTransform.None;

    public int? TestLimit { get; init; }

    public string? Data { get; init; }

    public string Device { get; init; } = "cpu";

    public string? Out { get; init; }

    /// <summary>Whether to write report.md and its charts next to results.json.</summary>
    public bool Report { get; init; }

    /// <summary>The command's arguments as given, for the report.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = new[] { "evaluate" };
}

/// <summary>
/// <c>evaluate --run DIR</c>: scores the checkpoint of every epoch of every model and seed of a finished compare run on the
/// test set (transformed as <c>compare --test-transform</c> would, with each seed's own draw) and reports the result in
/// compare's own form: results.json, the table, paired t-tests over the seeds, the chart and, on request, report.md. As
/// the test set plays no part in training, the numbers are those a compare run with the same training settings and this
/// test transform would give, without training again.
/// </summary>
internal sealed class RunEvaluation
{
    private readonly IAnsiConsole console;
    private readonly ModelCatalog catalog;
    private readonly FashionMnistLocator locator;
    private readonly Func<FashionMnistDownloader>? downloader;

    public RunEvaluation(IAnsiConsole console, ModelCatalog catalog, FashionMnistLocator? locator = null, Func<FashionMnistDownloader>? downloader = null)
    {
        this.console = console;
        this.catalog = catalog;
        this.locator = locator ?? new FashionMnistLocator();
        this.downloader = downloader;
    }

    public ExperimentOutcome Run(RunEvaluationSettings settings, CancellationToken cancellationToken = default)
    {
        var wall = Stopwatch.StartNew();
        var started = DateTime.UtcNow;
        string runDirectory = Path.GetFullPath(settings.RunDirectory);
        var seeds = SeedFolders(settings.RunDirectory, runDirectory);
        var names = ModelNames(settings, runDirectory, seeds);
        int epochs = Epochs(settings, runDirectory, names, seeds);
        var trained = new Dictionary<(string Name, int Seed), CheckpointMetadata>();
        foreach (string name in names)
        {
            foreach (var (seed, folder) in seeds)
            {
                for (int epoch = 1; epoch <= epochs; epoch++)
                {
                    string path = Checkpoint.PathFor(folder, name, epoch);
                    if (!File.Exists(path))
                    {
                        throw new UsageException($"--run {settings.RunDirectory}: {path} is missing; scoring needs the checkpoint of every epoch from 1 to {epochs}, as compare writes them");
                    }
                }

                trained[(name, seed)] = Checkpoint.ReadMetadata(Checkpoint.PathFor(folder, name, epochs));
            }
        }

        var first = RequireOneSetting(settings.RunDirectory, trained);
        string outDirectory = string.IsNullOrWhiteSpace(settings.Out)
            ? Path.Combine(Path.GetFullPath("runs"), started.ToLocalTime().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture))
            : Path.GetFullPath(settings.Out);
        if (string.Equals(outDirectory.TrimEnd(Path.DirectorySeparatorChar), runDirectory.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
        {
            throw new UsageException($"--out {settings.Out}: that is the scored run's own folder, whose results.json would be overwritten; give another --out");
        }

        var device = DeviceOption.Parse(settings.Device);
        var location = FashionMnistSource.ResolveAsync(settings.Data, locator, downloader?.Invoke(), null, message => console.MarkupLineInterpolated($"[yellow]{message}[/]"), cancellationToken)
            .GetAwaiter().GetResult();
        var test = FashionMnist.LoadSplit(location.Directory, FashionMnistFiles.TestImages, FashionMnistFiles.TestLabels).Take(settings.TestLimit);
        string transformText = settings.TestTransform.IsNone ? "" : $" transformed {settings.TestTransform.Describe()} (drawn per seed)";
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Scoring {string.Join(", ", names)} from {runDirectory}: epochs 1 to {epochs} of seeds {string.Join(", ", seeds.Select(s => s.Seed))} on {test.Count} test images{transformText}, {torch.get_num_threads()} thread(s) on {device.type.ToString().ToLowerInvariant()}; output in {outDirectory}"));

        var runs = names.ToDictionary(n => n, _ => new List<(int Seed, TrainingResult Result, string? Checkpoint)>(), StringComparer.Ordinal);
        var parameters = new Dictionary<string, long>(StringComparer.Ordinal);
        var (plain, labels) = test.ToTensors(device);
        try
        {
            foreach (var (seed, folder) in seeds)
            {
                // Every model of a seed is scored on the same images, drawn as compare draws them for that seed.
                var images = settings.TestTransform.IsNone ? plain : settings.TestTransform.Apply(plain, seed, TransformTarget.Test);
                try
                {
                    foreach (string name in names)
                    {
                        using var model = catalog.Create(name, device);
                        Experiment.CheckFitsFashionMnist(name, model);
                        parameters[name] = model is ILayerModel layered ? layered.Info.Parameters : model.parameters().Sum(p => p.numel());
                        var result = Score(model, name, folder, epochs, trained[(name, seed)], images, labels, device, cancellationToken);
                        runs[name].Add((seed, result, Checkpoint.PathFor(folder, name, epochs)));
                        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{name} (seed {seed}): test accuracy {result.Final.Accuracy:F4}, test loss {result.Final.Loss:F4} after epoch {epochs}"));
                    }
                }
                finally
                {
                    if (!ReferenceEquals(images, plain))
                    {
                        images.Dispose();
                    }
                }
            }
        }
        finally
        {
            plain.Dispose();
            labels.Dispose();
        }

        var models = names.Select(name => ModelResult.FromRuns(name, parameters[name], runs[name], FashionMnist.ClassNames)).ToList();
        var experimentSettings = new ExperimentSettings(
            names,
            epochs,
            first.BatchSize,
            first.LearningRate,
            first.Optimizer,
            seeds.Min(s => s.Seed),
            seeds.Count,
            null,
            settings.TestLimit,
            (int)(first.TrainingExamples ?? 0),
            test.Count,
            torch.get_num_threads(),
            device.type.ToString().ToLowerInvariant(),
            location.Directory,
            Experiment.Describe(location.Source),
            false)
        {
            Command = settings.Arguments.ToArray(),
            TrainTransform = Experiment.TrainTransformOf(first.Data),
            TestTransform = settings.TestTransform.Describe(),
            Augmentation = first.Augmentation ?? Augmentation.None.Describe(),
            Schedule = first.Schedule ?? LearningRateSchedules.Name(LearningRateSchedule.Constant),
            WeightDecay = first.WeightDecay ?? 0,
            Momentum = first.Momentum ?? 0,
            LabelSmoothing = first.LabelSmoothing ?? 0,
            ScoredFrom = runDirectory,
        };
        var results = new ExperimentResults(models, experimentSettings, MachineInfo.Current(started))
        {
            PairedTests = ExperimentResults.Compare(models),
        };
        results = results with { Verdict = Report.Verdict(results) };

        Directory.CreateDirectory(outDirectory);
        (results, string resultsPath, string chartPath, string? reportPath) = Experiment.WriteAndPrint(console, outDirectory, results, models, settings.Report, wall);

        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wall time: {wall.Elapsed.TotalSeconds:F1} s"));
        return new ExperimentOutcome(results, outDirectory, resultsPath, chartPath, reportPath);
    }

    /// <summary>
    /// One model and seed: the checkpoint of every epoch scored on <paramref name="images"/>, with the training numbers
    /// (loss, accuracy, seconds) its run recorded.
    /// </summary>
    private static TrainingResult Score(nn.Module<Tensor, Tensor> model, string name, string folder, int epochs, CheckpointMetadata last, Tensor images, Tensor labels, Device device, CancellationToken cancellationToken)
    {
        var history = new List<EpochResult>();
        EvaluationResult? score = null;
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string path = Checkpoint.PathFor(folder, name, epoch);
            Checkpoint.Load(path, model);
            score = Evaluator.Evaluate(model, images, labels, FashionMnist.Classes, 1000, device);
            var training = last.History.FirstOrDefault(h => h.Epoch == epoch)
                ?? throw new InvalidDataException($"{Checkpoint.PathFor(folder, name, epochs)}: its history lacks epoch {epoch}");
            history.Add(new EpochResult(epoch, training.TrainLoss, training.TrainAccuracy, score.Loss, score.Accuracy, training.TrainSeconds, training.ImagesPerSecond));
        }

        long parameters = model.parameters().Sum(p => p.numel());
        return new TrainingResult(name, parameters, history, score!, 0);
    }

    /// <summary>The run's <c>checkpoints/seed-N</c> folders by seed; refused when there are none.</summary>
    private static IReadOnlyList<(int Seed, string Folder)> SeedFolders(string given, string runDirectory)
    {
        string checkpoints = Path.Combine(runDirectory, "checkpoints");
        if (!Directory.Exists(checkpoints))
        {
            throw new UsageException(Directory.Exists(runDirectory)
                ? $"--run {given}: no checkpoints folder there; give the --out folder of a compare run"
                : $"--run {given}: no such folder; give the --out folder of a compare run");
        }

        var seeds = Directory.GetDirectories(checkpoints, "seed-*")
            .Select(folder => (Folder: folder, Ok: int.TryParse(Path.GetFileName(folder).AsSpan("seed-".Length), NumberStyles.None, CultureInfo.InvariantCulture, out int seed), Seed: seed))
            .Where(s => s.Ok)
            .OrderBy(s => s.Seed)
            .Select(s => (s.Seed, s.Folder))
            .ToArray();
        return seeds.Length > 0
            ? seeds
            : throw new UsageException($"--run {given}: {checkpoints} holds no seed-<N> folder; give the --out folder of a compare run that finished an epoch");
    }

    /// <summary>The models asked for, else every model with a checkpoint in the run, in the order its results.json lists them.</summary>
    private IReadOnlyList<string> ModelNames(RunEvaluationSettings settings, string runDirectory, IReadOnlyList<(int Seed, string Folder)> seeds)
    {
        if (settings.Models.Count > 0)
        {
            return settings.Models.Select(catalog.Resolve).Distinct(StringComparer.Ordinal).ToArray();
        }

        var found = seeds
            .SelectMany(s => Directory.EnumerateFiles(s.Folder, "*.ckpt"))
            .Select(path => Path.GetFileName(path))
            .Where(file => file.LastIndexOf(".epoch", StringComparison.Ordinal) > 0)
            .Select(file => file[..file.LastIndexOf(".epoch", StringComparison.Ordinal)])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (found.Count == 0)
        {
            throw new UsageException($"--run {settings.RunDirectory}: no checkpoint in {Path.Combine(runDirectory, "checkpoints")}; give the --out folder of a compare run that finished an epoch");
        }

        var order = RunOrder(runDirectory);
        return found
            .OrderBy(name => order.IndexOf(name) is int i and >= 0 ? i : int.MaxValue)
            .ThenBy(name => name, StringComparer.Ordinal)
            .Select(catalog.Resolve)
            .ToArray();
    }

    /// <summary>The models of the run's results.json in its order; empty when it has none (a run still going or interrupted).</summary>
    private static List<string> RunOrder(string runDirectory)
    {
        string path = Path.Combine(runDirectory, "results.json");
        if (!File.Exists(path))
        {
            return new List<string>();
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.TryGetProperty("settings", out var s) && s.TryGetProperty("models", out var m) && m.ValueKind == JsonValueKind.Array
                ? m.EnumerateArray().Select(e => e.GetString() ?? "").ToList()
                : new List<string>();
        }
        catch (JsonException)
        {
            return new List<string>();
        }
    }

    /// <summary>The epoch to score up to: <c>--epochs</c>, else the last epoch, which every model and seed must have reached.</summary>
    private static int Epochs(RunEvaluationSettings settings, string runDirectory, IReadOnlyList<string> names, IReadOnlyList<(int Seed, string Folder)> seeds)
    {
        var reached = new List<(string Name, int Seed, int Epoch)>();
        foreach (string name in names)
        {
            foreach (var (seed, folder) in seeds)
            {
                string latest = Checkpoint.Latest(folder, name)
                    ?? throw new UsageException($"--run {settings.RunDirectory}: {name} has no checkpoint for seed {seed} (in {folder}); every model needs one for every seed to be compared seed by seed; give --models to leave it out");
                reached.Add((name, seed, Checkpoint.ReadMetadata(latest).Epoch));
            }
        }

        int fewest = reached.Min(r => r.Epoch);
        var behind = reached.First(r => r.Epoch == fewest);
        if (settings.Epochs is int asked)
        {
            return asked <= fewest
                ? asked
                : throw new UsageException($"--epochs {asked}: {behind.Name} seed {behind.Seed} reached only epoch {fewest} in {runDirectory}; give --epochs {fewest} or fewer");
        }

        int most = reached.Max(r => r.Epoch);
        var ahead = reached.First(r => r.Epoch == most);
        return most == fewest
            ? fewest
            : throw new UsageException($"--run {settings.RunDirectory}: {ahead.Name} seed {ahead.Seed} reached epoch {most} but {behind.Name} seed {behind.Seed} only epoch {fewest}; give --epochs {fewest} to score every model at the same epoch, or finish the run with compare --resume");
    }

    /// <summary>The training settings every scored checkpoint shares; refused, naming two checkpoints and the setting, when they differ.</summary>
    private static CheckpointMetadata RequireOneSetting(string given, IReadOnlyDictionary<(string Name, int Seed), CheckpointMetadata> trained)
    {
        var all = trained.OrderBy(t => t.Key.Seed).ThenBy(t => t.Key.Name, StringComparer.Ordinal).ToArray();
        var (firstKey, first) = (all[0].Key, all[0].Value);
        foreach (var ((name, seed), metadata) in all)
        {
            foreach (var (what, a, b) in Settings(first).Zip(Settings(metadata), (x, y) => (x.What, x.Value, y.Value)))
            {
                if (a != b)
                {
                    throw new UsageException(
                        $"--run {given}: {firstKey.Name} seed {firstKey.Seed} was trained with {what} {a} but {name} seed {seed} with {b}; the models of one comparison must share their training settings; give --models to score those trained alike");
                }
            }
        }

        return first;

        static IEnumerable<(string What, string Value)> Settings(CheckpointMetadata m) => new[]
        {
            ("optimizer", m.Optimizer),
            ("learning rate", m.LearningRate.ToString("R", CultureInfo.InvariantCulture)),
            ("batch size", m.BatchSize.ToString(CultureInfo.InvariantCulture)),
            ("training examples", m.TrainingExamples?.ToString(CultureInfo.InvariantCulture) ?? "unrecorded"),
            ("augmentation", m.Augmentation ?? Augmentation.None.Describe()),
            ("data", m.Data ?? "none"),
            ("learning-rate schedule", m.Schedule ?? LearningRateSchedules.Name(LearningRateSchedule.Constant)),
            ("weight decay", (m.WeightDecay ?? 0).ToString("R", CultureInfo.InvariantCulture)),
            ("momentum", (m.Momentum ?? 0).ToString("R", CultureInfo.InvariantCulture)),
            ("label smoothing", (m.LabelSmoothing ?? 0).ToString("R", CultureInfo.InvariantCulture)),
        };
    }
}
