using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using MathNet.Numerics.Distributions;

namespace LayerDsl.Experiments.Cli;

/// <summary>A two-sided confidence interval.</summary>
/// <param name="Low">Its lower end.</param>
/// <param name="High">Its upper end.</param>
internal sealed record Interval(double Low, double High);

/// <summary>
/// A paired t-test of two models' test accuracies over the same seeds (same initial-weight seeds, same data order):
/// the differences <c>A - B</c> per seed, their mean and standard deviation, <c>t = mean / (sd / sqrt(n))</c> with
/// <c>n - 1</c> degrees of freedom, the two-sided p-value and the 95% confidence interval of the mean difference.
/// </summary>
/// <param name="ModelA">The first model (the better one by mean accuracy).</param>
/// <param name="ModelB">The second model.</param>
/// <param name="Seeds">The number of paired seeds.</param>
/// <param name="MeanDifference">Mean of A's accuracy minus B's, as a fraction.</param>
/// <param name="SdDifference">Sample standard deviation of the differences.</param>
/// <param name="T">The t statistic; null when every difference is the same (the standard deviation is 0).</param>
/// <param name="Df">Degrees of freedom, seeds - 1.</param>
/// <param name="P">Two-sided p-value: 1 when every difference is 0, 0 when every difference is the same non-zero value.</param>
/// <param name="Ci95">95% confidence interval of the mean difference.</param>
internal sealed record PairedTest(string ModelA, string ModelB, int Seeds, double MeanDifference, double SdDifference, double? T, int Df, double P, Interval Ci95)
{
    /// <summary>The significance level the verdicts use.</summary>
    public const double Alpha = 0.05;

    /// <summary>Whether the difference is significant at <see cref="Alpha"/>.</summary>
    public bool Distinguishable => P < Alpha;
}

/// <summary>Means, standard deviations, t-distribution confidence intervals and paired t-tests over seeds.</summary>
internal static class Statistics
{
    /// <summary>The two-sided critical value of Student's t with <paramref name="df"/> degrees of freedom at <paramref name="level"/> (2.776 for 0.95 and 4).</summary>
    public static double TCritical(int df, double level = 0.95)
    {
        if (df < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(df), df, "a t interval needs at least one degree of freedom (two seeds)");
        }

        return StudentT.InvCDF(0, 1, df, 1 - ((1 - level) / 2));
    }

    /// <summary>The mean of <paramref name="values"/>.</summary>
    public static double Mean(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Average();

    /// <summary>The sample standard deviation (n - 1) of <paramref name="values"/>; 0 for a single value.</summary>
    public static double StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    /// <summary>The <paramref name="level"/> confidence interval of the mean of <paramref name="values"/> (t distribution, n - 1 degrees of freedom); null for fewer than two values.</summary>
    public static Interval? ConfidenceInterval(IReadOnlyList<double> values, double level = 0.95)
    {
        if (values.Count < 2)
        {
            return null;
        }

        double half = TCritical(values.Count - 1, level) * StandardDeviation(values) / Math.Sqrt(values.Count);
        double mean = Mean(values);
        return new Interval(mean - half, mean + half);
    }

    /// <summary>
    /// The paired t-test of <paramref name="a"/> against <paramref name="b"/> (one value per seed, in the same seed
    /// order). Throws <see cref="ArgumentException"/> when the counts differ or there are fewer than two pairs.
    /// </summary>
    public static PairedTest Paired(string modelA, IReadOnlyList<double> a, string modelB, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count)
        {
            throw new ArgumentException($"a paired test needs one value of each model per seed: {modelA} has {a.Count}, {modelB} has {b.Count}", nameof(b));
        }

        if (a.Count < 2)
        {
            throw new ArgumentException($"a paired test needs at least two seeds; {modelA} and {modelB} have {a.Count}", nameof(a));
        }

        var differences = a.Zip(b, (x, y) => x - y).ToArray();
        int n = differences.Length;
        double mean = Mean(differences);
        double sd = StandardDeviation(differences);
        double standardError = sd / Math.Sqrt(n);
        int df = n - 1;
        double half = TCritical(df) * standardError;
        var interval = new Interval(mean - half, mean + half);
        if (sd <= 1e-12 * Math.Max(1, Math.Abs(mean)))
        {
            // Every seed gives the same difference (up to the rounding of accuracies): no noise to weigh it against.
            bool zero = Math.Abs(mean) <= 1e-12;
            return new PairedTest(modelA, modelB, n, zero ? 0 : mean, 0, null, df, zero ? 1 : 0, zero ? new Interval(0, 0) : new Interval(mean, mean));
        }

        double t = mean / standardError;
        double p = 2 * StudentT.CDF(0, 1, df, -Math.Abs(t));
        return new PairedTest(modelA, modelB, n, mean, sd, t, df, Math.Min(1, p), interval);
    }

    /// <summary>A p-value as the report writes it: three decimals, or <c>&lt; 0.001</c>.</summary>
    public static string FormatP(double p) => p < 0.001 ? "< 0.001" : "= " + p.ToString("F3", CultureInfo.InvariantCulture);
}
