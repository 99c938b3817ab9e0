using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using LayerDsl.Experiments.Data;
using LayerDsl.Training;
using Spectre.Console;

namespace LayerDsl.Experiments.Cli;

/// <summary>The comparison as the user reads it: the table, the winner and by how much, each confusion matrix.</summary>
internal static class Report
{
    public static void Print(IAnsiConsole console, ExperimentResults results)
    {
        foreach (var model in results.Models)
        {
            console.Write(ConfusionTable(model));
        }

        console.Write(SummaryTable(results));
        if (results.PairedTests is { Count: > 0 } tests)
        {
            console.Write(PairedTable(results.Settings, tests));
        }

        console.WriteLine(results.Verdict ?? Verdict(results));
    }

    /// <summary>Every pair's paired t-test over the seeds: the difference of mean accuracy, its 95% interval, t, df, p.</summary>
    public static Table PairedTable(ExperimentSettings settings, IReadOnlyList<PairedTest> tests)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(FormattableString.Invariant($"Paired t-tests of test accuracy over seeds {settings.Seed}..{settings.Seed + settings.Seeds - 1} (same seeds, same data order)"));
        table.AddColumn("models");
        table.AddColumn(new TableColumn("difference (points)").RightAligned());
        table.AddColumn(new TableColumn("95% interval").RightAligned());
        table.AddColumn(new TableColumn("t").RightAligned());
        table.AddColumn(new TableColumn("df").RightAligned());
        table.AddColumn(new TableColumn("p").RightAligned());
        table.AddColumn("verdict");
        foreach (var t in tests)
        {
            table.AddRow(
                Markup.Escape($"{t.ModelA} − {t.ModelB}"),
                Points(t.MeanDifference),
                Markup.Escape(FormattableString.Invariant($"[{Points(t.Ci95.Low)}, {Points(t.Ci95.High)}]")),
                TText(t),
                t.Df.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(Statistics.FormatP(t.P).TrimStart('=', ' ')),
                Markup.Escape(PairVerdict(t)));
        }

        return table;
    }

    /// <summary>A difference of accuracies (fractions) in percentage points, signed.</summary>
    public static string Points(double difference) => (difference * 100).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);

    /// <summary>The t statistic to two decimals, or a dash when every seed gave the same difference.</summary>
    public static string TText(PairedTest test) => test.T is double t ? t.ToString("F2", CultureInfo.InvariantCulture) : "–";

    /// <summary>One pair's verdict in words.</summary>
    public static string PairVerdict(PairedTest test) => test.Distinguishable
        ? $"{test.ModelA} better"
        : "not distinguishable";

    public static Table SummaryTable(ExperimentResults results)
    {
        bool seeds = results.Settings.Seeds > 1;
        var table = new Table().Border(TableBorder.Rounded).Title("Fashion-MNIST, " + SettingsLine(results.Settings));
        table.AddColumn("model");
        table.AddColumn(new TableColumn("parameters").RightAligned());
        table.AddColumn(new TableColumn("epochs").RightAligned());
        table.AddColumn(new TableColumn("train s").RightAligned());
        table.AddColumn(new TableColumn("images/s").RightAligned());
        table.AddColumn(new TableColumn("test accuracy").RightAligned());
        if (seeds)
        {
            table.AddColumn(new TableColumn("95% interval").RightAligned());
        }

        table.AddColumn(new TableColumn("test loss").RightAligned());
        foreach (var m in results.Models)
        {
            var cells = new List<string>
            {
                Markup.Escape(m.Name),
                m.Parameters.ToString("N0", CultureInfo.InvariantCulture),
                m.Epochs.ToString(CultureInfo.InvariantCulture),
                m.TrainSeconds.ToString("F1", CultureInfo.InvariantCulture),
                m.ImagesPerSecond.ToString("F0", CultureInfo.InvariantCulture),
                seeds ? string.Create(CultureInfo.InvariantCulture, $"{m.TestAccuracy:F4} ± {m.TestAccuracyStd:F4}") : m.TestAccuracy.ToString("F4", CultureInfo.InvariantCulture),
            };
            if (seeds)
            {
                cells.Add(Markup.Escape(m.TestAccuracyCi95 is { } ci ? string.Create(CultureInfo.InvariantCulture, $"[{ci.Low:F4}, {ci.High:F4}]") : "–"));
            }

            cells.Add(seeds ? string.Create(CultureInfo.InvariantCulture, $"{m.TestLoss:F4} ± {m.TestLossStd:F4}") : m.TestLoss.ToString("F4", CultureInfo.InvariantCulture));
            table.AddRow(cells.ToArray());
        }

        return table;
    }

    public static string SettingsLine(ExperimentSettings s)
    {
        string seeds = s.Seeds > 1
            ? FormattableString.Invariant($"mean ± std over {s.Seeds} seeds ({s.Seed}..{s.Seed + s.Seeds - 1})")
            : FormattableString.Invariant($"seed {s.Seed}");
        string line = FormattableString.Invariant($"{s.TrainImages} train / {s.TestImages} test images, {OptimizerText(s)}, batch {s.BatchSize}, {seeds}");
        if (s.TrainTransform != "none")
        {
            line += $", training images {s.TrainTransform}";
        }

        if (s.TestTransform != "none")
        {
            line += $", test images {s.TestTransform}";
        }

        return s.Augmentation != "none" ? line + $", augmented: {s.Augmentation}" : line;
    }

    /// <summary>The optimizer and what shapes its steps: <c>rmsprop lr 0.001</c>, or with the options that are on, <c>sgd lr 0.1 (one-cycle), momentum 0.9, weight decay 0.0005, label smoothing 0.1</c>.</summary>
    public static string OptimizerText(ExperimentSettings s) => OptimizerText(s.Optimizer, s.LearningRate, s.Schedule, s.WeightDecay, s.Momentum, s.LabelSmoothing);

    /// <summary>The optimizer and what shapes its steps, from their values.</summary>
    public static string OptimizerText(string optimizer, double learningRate, string schedule, double weightDecay, double momentum, double labelSmoothing)
    {
        var text = new StringBuilder(FormattableString.Invariant($"{optimizer} lr {learningRate:G}"));
        if (schedule != LearningRateSchedules.Name(LearningRateSchedule.Constant))
        {
            text.Append(" (").Append(schedule).Append(')');
        }

        if (momentum != 0)
        {
            text.Append(FormattableString.Invariant($", momentum {momentum:G}"));
        }

        if (weightDecay != 0)
        {
            text.Append(FormattableString.Invariant($", weight decay {weightDecay:G}"));
        }

        if (labelSmoothing != 0)
        {
            text.Append(FormattableString.Invariant($", label smoothing {labelSmoothing:G}"));
        }

        return text.ToString();
    }

    /// <summary>
    /// Which model won and by how much. With several seeds the best model (by mean) is tested against the runner-up with a
    /// paired t-test over the seeds, and the line says "not distinguishable (p = ...)" unless p &lt; 0.05.
    /// </summary>
    public static string Verdict(ExperimentResults results)
    {
        var ranked = results.Models.OrderByDescending(m => m.TestAccuracy).ToArray();
        if (ranked.Length < 2)
        {
            return ranked.Length == 1 ? string.Create(CultureInfo.InvariantCulture, $"{ranked[0].Name}: test accuracy {ranked[0].TestAccuracy:F4}") : "no model ran";
        }

        var (best, next) = (ranked[0], ranked[1]);
        double points = (best.TestAccuracy - next.TestAccuracy) * 100;
        var test = results.PairedTests?.FirstOrDefault(t => t.ModelA == best.Name && t.ModelB == next.Name);
        if (test is null)
        {
            string verdict = string.Create(CultureInfo.InvariantCulture,
                $"Winner: {best.Name} by {points:F2} percentage points of test accuracy over {next.Name} ({best.TestAccuracy:F4} vs {next.TestAccuracy:F4}).");
            return results.Settings.Seeds == 1
                ? verdict + " One seed only: run with --seeds 5 to see whether the gap exceeds seed-to-seed noise."
                : verdict;
        }

        string statistic = string.Create(CultureInfo.InvariantCulture,
            $"paired t-test over {test.Seeds} seeds: t = {TText(test)}, df = {test.Df}, p {Statistics.FormatP(test.P)}");
        return test.Distinguishable
            ? string.Create(CultureInfo.InvariantCulture,
                $"Winner: {best.Name} by {points:F2} percentage points of test accuracy over {next.Name} ({best.TestAccuracy:F4} vs {next.TestAccuracy:F4}; {statistic}).")
            : string.Create(CultureInfo.InvariantCulture,
                $"Winner: not distinguishable (p {Statistics.FormatP(test.P)}): {best.Name} leads {next.Name} by {points:F2} percentage points of test accuracy ({best.TestAccuracy:F4} vs {next.TestAccuracy:F4}), within seed-to-seed noise ({statistic}).");
    }

    public static Table ConfusionTable(ModelResult model)
    {
        var table = new Table().Border(TableBorder.Simple)
            .Title(Markup.Escape($"{model.Name}: confusion matrix on the test set (rows: true class, columns: predicted)"));
        table.AddColumn("true \\ predicted");
        int size = model.ConfusionMatrix.Length;
        for (int column = 0; column < size; column++)
        {
            table.AddColumn(new TableColumn(Name(column)).RightAligned());
        }

        for (int row = 0; row < size; row++)
        {
            var cells = new string[size + 1];
            cells[0] = Name(row);
            for (int column = 0; column < size; column++)
            {
                string count = model.ConfusionMatrix[row][column].ToString(CultureInfo.InvariantCulture);
                cells[column + 1] = row == column ? $"[bold]{count}[/]" : count;
            }

            table.AddRow(cells);
        }

        return table;
    }

    private static string Name(int label) => label < FashionMnist.ShortClassNames.Count ? FashionMnist.ShortClassNames[label] : label.ToString(CultureInfo.InvariantCulture);
}
