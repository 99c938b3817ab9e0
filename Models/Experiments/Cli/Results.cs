using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization;
using LayerDsl.Training;

namespace LayerDsl.Experiments.Cli;

/// <summary>The content of <c>results.json</c>: one entry per model, the settings and the machine.</summary>
internal sealed record ExperimentResults(IReadOnlyList<ModelResult> Models, ExperimentSettings Settings, MachineInfo Machine)
{
    /// <summary>Seconds the whole command took, data loading included.</summary>
    public double WallSeconds { get; init; }

    /// <summary>With several seeds, a paired t-test of test accuracy for every pair of models, the better one (by mean) first.</summary>
    public IReadOnlyList<PairedTest>? PairedTests { get; init; }

    /// <summary>The winner line as printed.</summary>
    public string? Verdict { get; init; }

    /// <summary>The paired t-test of every pair of models over the seeds they share (none with one seed), better mean first.</summary>
    public static IReadOnlyList<PairedTest>? Compare(IReadOnlyList<ModelResult> models)
    {
        if (models.Count < 2 || models.Any(m => m.Runs.Count < 2))
        {
            return null;
        }

        var ranked = models.OrderByDescending(m => m.TestAccuracy).ToArray();
        var tests = new List<PairedTest>();
        for (int i = 0; i < ranked.Length; i++)
        {
            for (int j = i + 1; j < ranked.Length; j++)
            {
                // Pair runs by seed: the same seed means the same initial-weight seed and the same data order.
                var other = ranked[j].Runs.ToDictionary(r => r.Seed);
                var pairs = ranked[i].Runs.Where(r => other.ContainsKey(r.Seed)).OrderBy(r => r.Seed).ToArray();
                if (pairs.Length < 2)
                {
                    continue;
                }

                tests.Add(Statistics.Paired(
                    ranked[i].Name, pairs.Select(r => r.TestAccuracy).ToArray(),
                    ranked[j].Name, pairs.Select(r => other[r.Seed].TestAccuracy).ToArray()));
            }
        }

        return tests;
    }

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Indented JSON with every array of plain numbers (confusion-matrix rows) kept on one line.</summary>
    public string ToJson() => NumberArray.Replace(JsonSerializer.Serialize(this, JsonOptions), m => "[" + Whitespace.Replace(m.Groups[1].Value, " ") + "]");

    private static readonly Regex NumberArray = new(@"\[\s*((?:-?[0-9.eE+-]+,\s*)*-?[0-9.eE+-]+)\s*\]", RegexOptions.CultureInvariant);

    private static readonly Regex Whitespace = new(@"\s+", RegexOptions.CultureInvariant);

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson() + "\n");
}

/// <summary>One model's outcome; with several seeds the numbers are means and <see cref="Runs"/> holds each seed's.</summary>
internal sealed record ModelResult(
    string Name,
    long Parameters,
    int Epochs,
    double TrainSeconds,
    double ImagesPerSecond,
    double TestAccuracy,
    double TestLoss,
    IReadOnlyList<HistoryEntry> History,
    long[][] ConfusionMatrix)
{
    /// <summary>Standard deviation of the test accuracy over seeds (null with one seed).</summary>
    public double? TestAccuracyStd { get; init; }

    /// <summary>Standard deviation of the test loss over seeds (null with one seed).</summary>
    public double? TestLossStd { get; init; }

    /// <summary>95% confidence interval of the mean test accuracy over seeds, from the t distribution (null with one seed).</summary>
    public Interval? TestAccuracyCi95 { get; init; }

    /// <summary>Each seed's run.</summary>
    public IReadOnlyList<SeedRun> Runs { get; init; } = Array.Empty<SeedRun>();

    /// <summary>The last epoch's checkpoint of the first seed.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>The class names, in confusion-matrix order (rows: true class, columns: predicted).</summary>
    public IReadOnlyList<string>? Classes { get; init; }

    /// <summary>Combines the runs of one model over seeds: means, standard deviations, summed confusion matrices.</summary>
    public static ModelResult FromRuns(string name, long parameters, IReadOnlyList<(int Seed, TrainingResult Result, string? Checkpoint)> runs, IReadOnlyList<string> classes)
    {
        var results = runs.Select(r => r.Result).ToArray();
        int epochs = results.Max(r => r.History.Count);
        var history = Enumerable.Range(1, epochs).Select(epoch =>
        {
            var at = results.Select(r => r.History.FirstOrDefault(h => h.Epoch == epoch)).Where(h => h is not null).Select(h => h!).ToArray();
            return new HistoryEntry(epoch, Mean(at.Select(h => h.TestAccuracy)), Round(Mean(at.Select(h => h.TestLoss)), 5))
            {
                TrainAccuracy = Round(Mean(at.Select(h => h.TrainAccuracy)), 5),
                TrainLoss = Round(Mean(at.Select(h => h.TrainLoss)), 5),
                TrainSeconds = Round(Mean(at.Select(h => h.TrainSeconds)), 2),
            };
        }).ToArray();

        int size = results[0].Final.ConfusionMatrix.Length;
        var confusion = new long[size][];
        for (int row = 0; row < size; row++)
        {
            confusion[row] = new long[size];
            foreach (var result in results)
            {
                for (int column = 0; column < size; column++)
                {
                    confusion[row][column] += result.Final.ConfusionMatrix[row][column];
                }
            }
        }

        bool several = results.Length > 1;
        return new ModelResult(
            name,
            parameters,
            epochs,
            Round(Mean(results.Select(r => r.TrainSeconds)), 2),
            Round(Mean(results.Select(r => r.ImagesPerSecond)), 1),
            Mean(results.Select(r => r.Final.Accuracy)),
            Round(Mean(results.Select(r => r.Final.Loss)), 5),
            history,
            confusion)
        {
            TestAccuracyStd = several ? Round(StandardDeviation(results.Select(r => r.Final.Accuracy)), 6) : null,
            TestAccuracyCi95 = Statistics.ConfidenceInterval(results.Select(r => r.Final.Accuracy).ToArray()),
            TestLossStd = several ? Round(StandardDeviation(results.Select(r => r.Final.Loss)), 6) : null,
            Runs = runs.Select(r => new SeedRun(r.Seed, r.Result.Final.Accuracy, Round(r.Result.Final.Loss, 5), Round(r.Result.TrainSeconds, 2), Round(r.Result.ImagesPerSecond, 1))
            {
                ResumedFromEpoch = r.Result.ResumedFromEpoch == 0 ? null : r.Result.ResumedFromEpoch,
                TestAccuracyPerEpoch = r.Result.History.OrderBy(h => h.Epoch).Select(h => h.TestAccuracy).ToArray(),
            }).ToArray(),
            Checkpoint = runs[0].Checkpoint,
            Classes = classes,
        };
    }

    private static double Round(double value, int digits) => Math.Round(value, digits, MidpointRounding.AwayFromZero);

    public static double Mean(IEnumerable<double> values)
    {
        var array = values.ToArray();
        return array.Length == 0 ? double.NaN : array.Average();
    }

    /// <summary>Sample standard deviation (n - 1); 0 for a single value.</summary>
    public static double StandardDeviation(IEnumerable<double> values) => Statistics.StandardDeviation(values.ToArray());

    /// <summary>Each class's test accuracy (diagonal over row total of the confusion matrix summed over seeds; NaN for a class with no test image).</summary>
    public double[] PerClassAccuracy() => ConfusionMatrix
        .Select((row, i) => row.Sum() == 0 ? double.NaN : (double)row[i] / row.Sum())
        .ToArray();
}

/// <summary>One epoch of a model's history (means over seeds).</summary>
internal sealed record HistoryEntry(int Epoch, double TestAccuracy, double TestLoss)
{
    public double TrainAccuracy { get; init; }

    public double TrainLoss { get; init; }

    public double TrainSeconds { get; init; }
}

/// <summary>One seed's final numbers.</summary>
internal sealed record SeedRun(int Seed, double TestAccuracy, double TestLoss, double TrainSeconds, double ImagesPerSecond)
{
    public int? ResumedFromEpoch { get; init; }

    /// <summary>Test accuracy after each epoch, from epoch 1.</summary>
    public IReadOnlyList<double> TestAccuracyPerEpoch { get; init; } = Array.Empty<double>();
}

/// <summary>The settings a comparison ran with.</summary>
internal sealed record ExperimentSettings(
    IReadOnlyList<string> Models,
    int Epochs,
    int BatchSize,
    double LearningRate,
    string Optimizer,
    int Seed,
    int Seeds,
    int? TrainLimit,
    int? TestLimit,
    int TrainImages,
    int TestImages,
    int Threads,
    string Device,
    string DataDirectory,
    string DataSource,
    bool Resume,
    string Loss = "cross_entropy")
{
    /// <summary>The command's arguments as given.</summary>
    public IReadOnlyList<string> Command { get; init; } = Array.Empty<string>();

    /// <summary>The transforms applied to the training images (<c>none</c> when none).</summary>
    public string TrainTransform { get; init; } = "none";

    /// <summary>The transforms applied to the test images (<c>none</c> when none).</summary>
    public string TestTransform { get; init; } = "none";

    /// <summary>The augmentation of training batches (<c>none</c> when none).</summary>
    public string Augmentation { get; init; } = "none";

    /// <summary>The learning-rate schedule (<c>constant</c> when none).</summary>
    public string Schedule { get; init; } = "constant";

    /// <summary>The optimizer's weight decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>The optimizer's momentum.</summary>
    public double Momentum { get; init; }

    /// <summary>Label smoothing of the training loss.</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>When the models were not trained by this command but scored from an earlier run's checkpoints: that run's folder.</summary>
    public string? ScoredFrom { get; init; }
}

/// <summary>What the numbers were measured on.</summary>
internal sealed record MachineInfo(
    string Os,
    string Architecture,
    int ProcessorCount,
    string? Cpu,
    string Dotnet,
    [property: JsonPropertyName("torchsharp")] string TorchSharp,
    string StartedUtc)
{
    public static MachineInfo Current(DateTime startedUtc) => new(
        RuntimeInformation.OSDescription,
        RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
        Environment.ProcessorCount,
        CpuModel(),
        RuntimeInformation.FrameworkDescription,
        typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        startedUtc.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));

    private static string? CpuModel()
    {
        try
        {
            const string cpuinfo = "/proc/cpuinfo";
            if (System.IO.File.Exists(cpuinfo))
            {
                foreach (string line in System.IO.File.ReadLines(cpuinfo))
                {
                    if (line.StartsWith("model name", StringComparison.Ordinal))
                    {
                        return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                    }
                }
            }
        }
        catch (System.IO.IOException)
        {
        }

        return null;
    }
}
