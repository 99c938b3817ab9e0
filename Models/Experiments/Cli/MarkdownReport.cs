using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using LayerDsl.Experiments.Data;

namespace LayerDsl.Experiments.Cli;

/// <summary>
/// <c>compare --report</c>: <c>report.md</c> next to results.json with the setting, the results table, the per-seed
/// accuracies, the pairwise tests and two charts (test accuracy per epoch with its spread over seeds, per-class accuracy).
/// Every file is written atomically, the charts before the markdown that references them.
/// </summary>
internal static class MarkdownReport
{
    public const string FileName = "report.md";

    public const string AccuracyChart = "accuracy-per-epoch.png";

    public const string PerClassChart = "per-class-accuracy.png";

    /// <summary>Writes the charts and report.md into <paramref name="directory"/>; returns the report's path.</summary>
    public static string Write(string directory, ExperimentResults results)
    {
        ChartWriter.SaveAccuracyBand(Path.Combine(directory, AccuracyChart), results.Models);
        ChartWriter.SavePerClass(Path.Combine(directory, PerClassChart), results.Models, FashionMnist.ClassNames);
        string path = Path.Combine(directory, FileName);
        AtomicFile.WriteAllText(path, Render(results));
        return path;
    }

    /// <summary>The report's markdown.</summary>
    public static string Render(ExperimentResults results)
    {
        var s = results.Settings;
        var m = results.Machine;
        bool seeds = s.Seeds > 1;
        var md = new StringBuilder();
        void Line(FormattableString text) => md.Append(FormattableString.Invariant(text)).Append('\n');

        Line($"# Fashion-MNIST: {Cell(string.Join(" vs ", results.Models.Select(x => x.Name)))}");
        Line($"");
        Line($"{Cell(results.Verdict ?? Report.Verdict(results))}");
        Line($"");
        Line($"## Setting");
        Line($"");
        Line($"- Command: `{string.Join(" ", s.Command.Select(CommandEcho.Quote))}`");
        Line($"- Data: {s.TrainImages} training and {s.TestImages} test images from `{s.DataDirectory}` ({s.DataSource})");
        Line($"- Training: {s.Epochs} epoch(s), batch {s.BatchSize}, {Report.OptimizerText(s)}, {s.Loss.Replace('_', '-')} on logits");
        if (s.ScoredFrom is not null)
        {
            Line($"- Weights: the checkpoints of the run in `{s.ScoredFrom}` (trained there with the settings above, scored here on this test set without retraining; train s and images/s are that run's)");
        }

        Line($"- Transforms (parameters drawn per image from each seed): training images {s.TrainTransform}; test images {s.TestTransform}");
        Line($"- Augmentation of training batches: {s.Augmentation}");
        Line($"- Seeds: {(seeds ? FormattableString.Invariant($"{s.Seed}..{s.Seed + s.Seeds - 1} ({s.Seeds} seeds; every model trains on every seed with the same initial-weight seed and data order)") : FormattableString.Invariant($"{s.Seed} (one seed)"))}");
        Line($"- Machine: {m.Os}, {m.Architecture}, {m.Cpu ?? "unknown CPU"}, {m.ProcessorCount} logical processor(s), {s.Threads} thread(s) on {s.Device}; {m.Dotnet}; TorchSharp {m.TorchSharp}");
        Line($"- Started {m.StartedUtc}; the whole command took {results.WallSeconds:F1} s");
        Line($"");
        Line($"## Results");
        Line($"");
        if (seeds)
        {
            Line($"Test accuracy is the mean ± sample standard deviation over the seeds, with the 95% confidence interval of the mean from Student's t distribution ({s.Seeds - 1} degrees of freedom).");
            Line($"");
            Line($"| model | parameters | epochs | train s | images/s | test accuracy | 95% interval | test loss |");
            Line($"|---|--:|--:|--:|--:|--:|--:|--:|");
            foreach (var x in results.Models)
            {
                string interval = x.TestAccuracyCi95 is { } ci ? FormattableString.Invariant($"[{ci.Low:F4}, {ci.High:F4}]") : "–";
                Line($"| {Cell(x.Name)} | {x.Parameters:N0} | {x.Epochs} | {x.TrainSeconds:F1} | {x.ImagesPerSecond:F0} | {x.TestAccuracy:F4} ± {x.TestAccuracyStd ?? 0:F4} | {interval} | {x.TestLoss:F4} ± {x.TestLossStd ?? 0:F4} |");
            }

            Line($"");
            Line($"Test accuracy of every seed:");
            Line($"");
            Line($"| seed | {string.Join(" | ", results.Models.Select(x => Cell(x.Name)))} |");
            Line($"|--:|{string.Concat(results.Models.Select(_ => "--:|"))}");
            foreach (int seed in results.Models.SelectMany(x => x.Runs).Select(r => r.Seed).Distinct().Order())
            {
                var cells = results.Models.Select(x => x.Runs.FirstOrDefault(r => r.Seed == seed) is { } run ? run.TestAccuracy.ToString("F4", CultureInfo.InvariantCulture) : "–");
                Line($"| {seed} | {string.Join(" | ", cells)} |");
            }
        }
        else
        {
            Line($"| model | parameters | epochs | train s | images/s | test accuracy | test loss |");
            Line($"|---|--:|--:|--:|--:|--:|--:|");
            foreach (var x in results.Models)
            {
                Line($"| {Cell(x.Name)} | {x.Parameters:N0} | {x.Epochs} | {x.TrainSeconds:F1} | {x.ImagesPerSecond:F0} | {x.TestAccuracy:F4} | {x.TestLoss:F4} |");
            }
        }

        Line($"");
        Line($"## Pairwise tests");
        Line($"");
        if (results.PairedTests is { Count: > 0 } tests)
        {
            Line($"Paired t-test of test accuracy over the {s.Seeds} seeds for every pair of models (the difference is the first model's accuracy minus the second's, in percentage points; two-sided p; a pair is distinguishable when p < {PairedTest.Alpha:G}).");
            Line($"");
            Line($"| models | difference (points) | 95% interval | t | df | p | verdict |");
            Line($"|---|--:|--:|--:|--:|--:|---|");
            foreach (var t in tests)
            {
                Line($"| {Cell(t.ModelA)} − {Cell(t.ModelB)} | {Report.Points(t.MeanDifference)} | [{Report.Points(t.Ci95.Low)}, {Report.Points(t.Ci95.High)}] | {Report.TText(t)} | {t.Df} | {Statistics.FormatP(t.P).TrimStart('=', ' ')} | {Cell(Report.PairVerdict(t))} |");
            }

            if (tests.Count > 1)
            {
                Line($"");
                Line($"The {tests.Count} p-values are not corrected for multiple comparisons.");
            }
        }
        else
        {
            Line($"{(results.Models.Count < 2 ? "One model: nothing to compare." : "One seed only: no test is possible; run with --seeds 5 (or more) to compare the models against seed-to-seed noise.")}");
        }

        Line($"");
        Line($"## Charts");
        Line($"");
        Line($"![Test accuracy per epoch{(seeds ? ", mean with the lowest-to-highest band over seeds" : "")}]({AccuracyChart})");
        Line($"");
        Line($"![Test accuracy per class]({PerClassChart})");
        Line($"");
        Line($"Test accuracy per class{(seeds ? " (confusion matrices summed over the seeds)" : "")}:");
        Line($"");
        Line($"| class | {string.Join(" | ", results.Models.Select(x => Cell(x.Name)))} |");
        Line($"|---|{string.Concat(results.Models.Select(_ => "--:|"))}");
        var perClass = results.Models.Select(x => x.PerClassAccuracy()).ToArray();
        int classes = perClass.Length == 0 ? 0 : perClass.Max(a => a.Length);
        for (int c = 0; c < classes; c++)
        {
            string name = c < FashionMnist.ClassNames.Count ? FashionMnist.ClassNames[c] : c.ToString(CultureInfo.InvariantCulture);
            var cells = perClass.Select(a => c < a.Length && !double.IsNaN(a[c]) ? a[c].ToString("F4", CultureInfo.InvariantCulture) : "–");
            Line($"| {Cell(name)} | {string.Join(" | ", cells)} |");
        }

        return md.ToString();
    }

    /// <summary>Text safe inside a markdown table cell.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
