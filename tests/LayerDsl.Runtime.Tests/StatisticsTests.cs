using System;
using System.Linq;
using LayerDsl.Experiments.Cli;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// The statistics against values computed elsewhere: printed t tables, R's documented output on Student's sleep data, and
/// a two-seed case worked by hand through the Cauchy distribution (Student's t with one degree of freedom).
/// </summary>
public sealed class StatisticsTests
{
    // Student's sleep data (Cushny and Peebles): extra hours of sleep under two drugs, the same ten patients.
    private static readonly double[] Drug1 = { 0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0 };
    private static readonly double[] Drug2 = { 1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4 };

    [Theory]
    [InlineData(1, 12.706)]
    [InlineData(2, 4.303)]
    [InlineData(4, 2.776)]
    [InlineData(9, 2.262)]
    [InlineData(30, 2.042)]
    public void Critical_values_are_those_of_a_printed_t_table(int df, double tableValue)
    {
        Assert.Equal(tableValue, Statistics.TCritical(df), 3);
    }

    [Fact]
    public void The_paired_test_on_the_sleep_data_gives_Rs_documented_result()
    {
        // R: t.test(extra ~ group, data = sleep, paired = TRUE): t = -4.0621, df = 9, p-value = 0.002833,
        // 95 percent confidence interval -2.4598858 -0.7001142, mean difference -1.58.
        var test = Statistics.Paired("drug 1", Drug1, "drug 2", Drug2);

        Assert.Equal(-1.58, test.MeanDifference, 10);
        Assert.Equal(-4.0621, test.T!.Value, 4);
        Assert.Equal(9, test.Df);
        Assert.Equal(0.002833, test.P, 6);
        Assert.Equal(-2.4598858, test.Ci95.Low, 6);
        Assert.Equal(-0.7001142, test.Ci95.High, 6);
        Assert.True(test.Distinguishable);
    }

    [Fact]
    public void The_confidence_interval_of_a_mean_gives_Rs_documented_result()
    {
        // R: t.test(sleep$extra[sleep$group == 1]): mean 0.75, 95 percent confidence interval -0.5297804 2.0297804.
        var interval = Statistics.ConfidenceInterval(Drug1)!;

        Assert.Equal(0.75, Statistics.Mean(Drug1), 10);
        Assert.Equal(-0.5297804, interval.Low, 6);
        Assert.Equal(2.0297804, interval.High, 6);
        Assert.Null(Statistics.ConfidenceInterval(new[] { 0.9 }));
    }

    [Fact]
    public void Two_seeds_worked_by_hand()
    {
        // Differences 0.02 and 0.03: mean 0.025, sd 0.01 / sqrt(2), standard error 0.005, t = 5 with one degree of
        // freedom, whose distribution is Cauchy's: p = 1 - 2 atan(5) / pi = 0.125666. The interval is
        // 0.025 -+ 12.7062 * 0.005 (the table value for one degree of freedom).
        var test = Statistics.Paired("A", new[] { 0.80, 0.82 }, "B", new[] { 0.78, 0.79 });

        Assert.Equal(5, test.T!.Value, 9);
        Assert.Equal(1, test.Df);
        Assert.Equal(1 - (2 * Math.Atan(5) / Math.PI), test.P, 9);
        Assert.Equal(0.125666, test.P, 6);
        Assert.Equal(0.025 - (12.7062 * 0.005), test.Ci95.Low, 4);
        Assert.False(test.Distinguishable);
    }

    [Fact]
    public void Differences_without_spread_are_certain_and_a_mismatch_is_refused()
    {
        var same = Statistics.Paired("A", new[] { 0.8, 0.9, 0.7 }, "B", new[] { 0.8, 0.9, 0.7 });
        Assert.Null(same.T);
        Assert.Equal(1, same.P);

        var shifted = Statistics.Paired("A", new[] { 0.8, 0.9, 0.7 }, "B", new[] { 0.75, 0.85, 0.65 });
        Assert.Null(shifted.T);
        Assert.Equal(0, shifted.P);

        var e = Assert.Throws<ArgumentException>(() => Statistics.Paired("A", new[] { 0.8, 0.9 }, "B", new[] { 0.8 }));
        Assert.StartsWith("a paired test needs one value of each model per seed: A has 2, B has 1", e.Message);
        Assert.Throws<ArgumentException>(() => Statistics.Paired("A", new[] { 0.8 }, "B", new[] { 0.7 }));
    }

    private static ModelResult Model(string name, params double[] accuracies) =>
        new(name, 100, 1, 1, 1, accuracies.Average(), 0.5, Array.Empty<HistoryEntry>(), Array.Empty<long[]>())
        {
            TestAccuracyStd = Statistics.StandardDeviation(accuracies),
            Runs = accuracies.Select((a, i) => new SeedRun(i, a, 0.5, 1, 1)).ToArray(),
        };

    private static ExperimentResults Results(params ModelResult[] models)
    {
        var settings = new ExperimentSettings(models.Select(m => m.Name).ToArray(), 1, 128, 1e-3, "rmsprop", 0, models[0].Runs.Count, null, null, 100, 100, 1, "cpu", "/data", "--data", false);
        var results = new ExperimentResults(models, settings, MachineInfo.Current(DateTime.UtcNow));
        return results with { PairedTests = ExperimentResults.Compare(models) };
    }

    [Fact]
    public void The_winner_line_names_a_winner_only_when_p_is_below_005()
    {
        // A is ahead on every seed by about a point: the sleep data's kind of clear difference.
        var clear = Results(Model("B", 0.860, 0.870, 0.865, 0.858, 0.872), Model("A", 0.871, 0.880, 0.874, 0.869, 0.884));
        string verdict = Report.Verdict(clear);
        Assert.StartsWith("Winner: A by 1.06 percentage points of test accuracy over B (0.8756 vs 0.8650; paired t-test over 5 seeds: t = ", verdict);
        Assert.Contains("df = 4, p < 0.001", verdict);

        // A leads on average but B wins two of five seeds: noise.
        var noisy = Results(Model("A", 0.870, 0.860, 0.875, 0.866, 0.868), Model("B", 0.865, 0.868, 0.861, 0.869, 0.866));
        var test = Assert.Single(noisy.PairedTests!);
        Assert.Equal(("A", "B"), (test.ModelA, test.ModelB));
        Assert.True(test.P >= 0.05);
        Assert.StartsWith($"Winner: not distinguishable (p = {test.P:F3}): A leads B by ", Report.Verdict(noisy));

        var one = Results(Model("A", 0.87), Model("B", 0.86));
        Assert.Null(one.PairedTests);
        Assert.EndsWith("One seed only: run with --seeds 5 to see whether the gap exceeds seed-to-seed noise.", Report.Verdict(one));
    }

    [Fact]
    public void Every_pair_of_three_models_is_tested_better_mean_first()
    {
        var results = Results(Model("C", 0.80, 0.81, 0.79), Model("A", 0.90, 0.91, 0.89), Model("B", 0.85, 0.87, 0.86));
        Assert.Equal(new[] { ("A", "B"), ("A", "C"), ("B", "C") }, results.PairedTests!.Select(t => (t.ModelA, t.ModelB)));
        Assert.All(results.PairedTests!, t => Assert.True(t.MeanDifference > 0));
    }
}
