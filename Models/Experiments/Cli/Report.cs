using System;
using System.Globalization;
using System.Linq;
using LayerDsl.Experiments.Data;
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
        console.WriteLine(Verdict(results));
    }

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
        table.AddColumn(new TableColumn("test loss").RightAligned());
        foreach (var m in results.Models)
        {
            table.AddRow(
                Markup.Escape(m.Name),
                m.Parameters.ToString("N0", CultureInfo.InvariantCulture),
                m.Epochs.ToString(CultureInfo.InvariantCulture),
                m.TrainSeconds.ToString("F1", CultureInfo.InvariantCulture),
                m.ImagesPerSecond.ToString("F0", CultureInfo.InvariantCulture),
                seeds ? string.Create(CultureInfo.InvariantCulture, $"{m.TestAccuracy:F4} ± {m.TestAccuracyStd:F4}") : m.TestAccuracy.ToString("F4", CultureInfo.InvariantCulture),
                seeds ? string.Create(CultureInfo.InvariantCulture, $"{m.TestLoss:F4} ± {m.TestLossStd:F4}") : m.TestLoss.ToString("F4", CultureInfo.InvariantCulture));
        }

        return table;
    }

    public static string SettingsLine(ExperimentSettings s)
    {
        string seeds = s.Seeds > 1
            ? FormattableString.Invariant($"mean ± std over {s.Seeds} seeds ({s.Seed}..{s.Seed + s.Seeds - 1})")
            : FormattableString.Invariant($"seed {s.Seed}");
        return FormattableString.Invariant($"{s.TrainImages} train / {s.TestImages} test images, {s.Optimizer} lr {s.LearningRate:G}, batch {s.BatchSize}, {seeds}");
    }

    /// <summary>Which model won and by how much; with several seeds, whether the gap exceeds the noise.</summary>
    public static string Verdict(ExperimentResults results)
    {
        var ranked = results.Models.OrderByDescending(m => m.TestAccuracy).ToArray();
        if (ranked.Length < 2)
        {
            return ranked.Length == 1 ? string.Create(CultureInfo.InvariantCulture, $"{ranked[0].Name}: test accuracy {ranked[0].TestAccuracy:F4}") : "no model ran";
        }

        var (best, next) = (ranked[0], ranked[1]);
        double points = (best.TestAccuracy - next.TestAccuracy) * 100;
        string verdict = string.Create(CultureInfo.InvariantCulture,
            $"Winner: {best.Name} by {points:F2} percentage points of test accuracy over {next.Name} ({best.TestAccuracy:F4} vs {next.TestAccuracy:F4}).");
        int n = results.Settings.Seeds;
        if (n > 1 && best.TestAccuracyStd is double sa && next.TestAccuracyStd is double sb)
        {
            double standardError = Math.Sqrt((sa * sa / n) + (sb * sb / n)) * 100;
            verdict += standardError > 0 && points > 2 * standardError
                ? string.Create(CultureInfo.InvariantCulture, $" Over {n} seeds the gap is {points / standardError:F1} standard errors ({standardError:F2} points): likely real.")
                : string.Create(CultureInfo.InvariantCulture, $" Over {n} seeds the gap is within two standard errors ({standardError:F2} points): not distinguishable from seed noise.");
        }
        else if (n == 1)
        {
            verdict += " One seed only: run with --seeds 5 to see whether the gap exceeds seed-to-seed noise.";
        }

        return verdict;
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
