using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using LayerDsl.Experiments.Cli;
using LayerDsl.Runtime.Tests.Fixtures;
using SkiaSharp;

namespace LayerDsl.Runtime.Tests;

/// <summary><c>compare --report</c>, transforms, augmentation and statistics end to end, on a tiny run of two tiny models over two seeds.</summary>
public sealed class ReportTests
{
    private static string Points(double fraction) => (fraction * 100).ToString("+0.00;-0.00;0.00", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Report_holds_the_setting_the_table_the_pairwise_test_and_valid_charts()
    {
        using var cli = new CliHarness(train: 256, test: 128);
        string[] args =
        {
            "compare", "--models", "SmallCnn,WideCnn", "--seeds", "2", "--batch-size", "64", "--data", cli.DataDirectory, "--out", cli.OutDirectory,
            "--train-transform", "scale", "--test-transform", "rotate,translate", "--rotate-degrees", "30", "--augment", "flip,erase", "--report",
        };

        Assert.Equal(0, cli.Run(args));

        string report = File.ReadAllText(Path.Combine(cli.OutDirectory, "report.md"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(cli.OutDirectory, "results.json")));
        var root = json.RootElement;

        // The setting: the command, the data, the transforms, the augmentation, the seeds and the machine.
        Assert.Contains("## Setting", report);
        Assert.Contains($"- Command: `{string.Join(" ", args.Select(CommandEcho.Quote))}`", report);
        Assert.Contains($"- Data: 256 training and 128 test images from `{cli.DataDirectory}`", report);
        Assert.Contains("training images scale(0.5-1); test images rotate(±30°), translate(±6 px)", report);
        Assert.Contains("- Augmentation of training batches: flip, erase(p 0.5, area 0.02-0.4, aspect 0.3-3.33)", report);
        Assert.Contains("- Seeds: 0..1 (2 seeds;", report);
        Assert.Contains($"{Environment.ProcessorCount} logical processor(s)", report);
        var settings = root.GetProperty("settings");
        Assert.Equal("scale(0.5-1)", settings.GetProperty("train_transform").GetString());
        Assert.Equal("rotate(±30°), translate(±6 px)", settings.GetProperty("test_transform").GetString());
        Assert.Equal("flip, erase(p 0.5, area 0.02-0.4, aspect 0.3-3.33)", settings.GetProperty("augmentation").GetString());

        // The table: each model's mean ± sd and 95% interval, as results.json has them; each seed's accuracy.
        foreach (var model in root.GetProperty("models").EnumerateArray())
        {
            string name = model.GetProperty("name").GetString()!;
            double mean = model.GetProperty("test_accuracy").GetDouble();
            var runs = model.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("test_accuracy").GetDouble()).ToArray();
            var ci = model.GetProperty("test_accuracy_ci95");
            double low = ci.GetProperty("low").GetDouble();
            double high = ci.GetProperty("high").GetDouble();

            // With two seeds the interval is the mean -+ 12.706 sd / sqrt(2) (t table, one degree of freedom).
            double sd = Math.Abs(runs[0] - runs[1]) / Math.Sqrt(2);
            Assert.Equal(mean - (12.7062 * sd / Math.Sqrt(2)), low, 3);
            Assert.Equal(mean + (12.7062 * sd / Math.Sqrt(2)), high, 3);
            Assert.Contains(FormattableString.Invariant($"| {name} | "), report);
            Assert.Contains(FormattableString.Invariant($"| {mean:F4} ± {model.GetProperty("test_accuracy_std").GetDouble():F4} | [{low:F4}, {high:F4}] |"), report);
            Assert.Equal(2, runs.Length);
        }

        // The pairwise test, as results.json records it, and the winner line.
        var test = Assert.Single(root.GetProperty("paired_tests").EnumerateArray());
        Assert.Equal(1, test.GetProperty("df").GetInt32());
        Assert.Equal(2, test.GetProperty("seeds").GetInt32());
        string pair = $"| {test.GetProperty("model_a").GetString()} − {test.GetProperty("model_b").GetString()} | {Points(test.GetProperty("mean_difference").GetDouble())} |";
        Assert.Contains(pair, report);
        double p = test.GetProperty("p").GetDouble();
        Assert.Contains(p < 0.05 ? "Winner: " : FormattableString.Invariant($"Winner: not distinguishable (p = {p:F3})"), root.GetProperty("verdict").GetString());
        Assert.Contains(root.GetProperty("verdict").GetString()!, report);
        Assert.Contains(root.GetProperty("verdict").GetString()!, cli.Output.Replace("\n", " ", StringComparison.Ordinal).Replace("  ", " ", StringComparison.Ordinal));

        // The charts, referenced and valid PNGs that are not blank.
        foreach (var (file, width, height) in new[] { ("accuracy-per-epoch.png", 900, 600), ("per-class-accuracy.png", 1200, 600) })
        {
            Assert.Contains($"]({file})", report);
            using var bitmap = SKBitmap.Decode(Path.Combine(cli.OutDirectory, file));
            Assert.NotNull(bitmap);
            Assert.Equal((width, height), (bitmap.Width, bitmap.Height));
            int coloured = bitmap.Pixels.Count(c => c.Red != c.Green || c.Green != c.Blue);
            Assert.True(coloured > 500, $"{file} has only {coloured} coloured pixels");
        }

        Assert.Contains("| Ankle boot | ", report);
        Assert.Empty(Directory.GetFiles(cli.OutDirectory, "*.tmp*", SearchOption.AllDirectories));
        Assert.Contains($"Report:  {Path.Combine(cli.OutDirectory, "report.md")}", cli.Output);
    }

    [Fact]
    public void Without_report_no_report_is_written()
    {
        using var cli = new CliHarness(train: 64, test: 32);
        Assert.Equal(0, cli.Run("compare", "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory));
        Assert.False(File.Exists(Path.Combine(cli.OutDirectory, "report.md")));
        Assert.False(File.Exists(Path.Combine(cli.OutDirectory, "per-class-accuracy.png")));
    }

    [Theory]
    [InlineData(new[] { "--test-transform", "rotate" }, new string[0], "was trained with train transform none, test transform rotate(±45°), this run asks for no image transforms; resume with the --train-transform and --test-transform options of that run")]
    [InlineData(new[] { "--train-transform", "elastic" }, new[] { "--train-transform", "elastic", "--elastic-alpha", "8" }, "was trained with train transform elastic(alpha 34 px, sigma 4 px), test transform none, this run asks for train transform elastic(alpha 8 px, sigma 4 px), test transform none;")]
    [InlineData(new[] { "--augment", "flip" }, new[] { "--augment", "crop" }, "was trained with augmentation flip, this run asks for crop(padding 4); resume with the --augment options of that run")]
    public void Resume_with_other_transforms_or_augmentation_is_refused_and_with_the_same_it_continues(string[] first, string[] second, string message)
    {
        using var cli = new CliHarness(train: 64, test: 32);
        string[] common = { "compare", "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory };
        Assert.Equal(0, cli.Run(common.Concat(first).ToArray()));
        string checkpoint = Path.Combine(cli.OutDirectory, "checkpoints", "seed-0", "SmallCnn.epoch1.ckpt");

        Assert.Equal(2, cli.Run(common.Concat(second).Concat(new[] { "--resume", "--epochs", "2" }).ToArray()));
        Assert.Contains($"error: --resume: {checkpoint} {message}", cli.Output);
        Assert.False(File.Exists(Path.Combine(cli.OutDirectory, "checkpoints", "seed-0", "SmallCnn.epoch2.ckpt")));

        Assert.Equal(0, cli.Run(common.Concat(first).Concat(new[] { "--resume", "--epochs", "2" }).ToArray()));
        Assert.Contains("SmallCnn: resumed from epoch 1", cli.Output);
    }
}

/// <summary>
/// Two trainings compared for exact equality: alone, after the parallel tests, like <see cref="RunsAlone"/>'s other
/// members (a parallel test's <c>compare</c> changes the process's thread count, and any parallel test can draw from
/// TorchSharp's process-wide generator between a seed and its use).
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class MultiSeedReproducibilityTests
{
    [Fact]
    public void A_seed_of_a_transformed_multi_seed_run_is_the_run_with_that_seed_alone()
    {
        using var several = new CliHarness(train: 128, test: 64);
        using var alone = new CliHarness(train: 128, test: 64);
        string[] common = { "compare", "--models", "SmallCnn", "--test-transform", "rotate,elastic", "--train-transform", "translate", "--augment", "crop,flip" };

        Assert.Equal(0, several.Run(common.Concat(new[] { "--seeds", "2", "--data", several.DataDirectory, "--out", several.OutDirectory }).ToArray()));
        Assert.Equal(0, alone.Run(common.Concat(new[] { "--seed", "1", "--data", alone.DataDirectory, "--out", alone.OutDirectory }).ToArray()));

        using var a = JsonDocument.Parse(File.ReadAllText(Path.Combine(several.OutDirectory, "results.json")));
        using var b = JsonDocument.Parse(File.ReadAllText(Path.Combine(alone.OutDirectory, "results.json")));
        var seed1 = a.RootElement.GetProperty("models")[0].GetProperty("runs")[1];
        var only = b.RootElement.GetProperty("models")[0].GetProperty("runs")[0];
        Assert.Equal(1, seed1.GetProperty("seed").GetInt32());
        Assert.Equal(only.GetProperty("test_accuracy").GetDouble(), seed1.GetProperty("test_accuracy").GetDouble());
        Assert.Equal(only.GetProperty("test_loss").GetDouble(), seed1.GetProperty("test_loss").GetDouble());
    }
}
