using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using LayerDsl.Runtime.Tests.Fixtures;

namespace LayerDsl.Runtime.Tests;

/// <summary><c>compare</c>'s learning-rate schedule, weight decay, momentum and label smoothing: their errors, their record, their resume rule.</summary>
public sealed class TrainingOptionsCliTests
{
    private static string OneLine(string text) => text.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);

    [Theory]
    [InlineData("--lr-schedule linear", "error: --lr-schedule linear: use constant, cosine or one-cycle (see compare --help)")]
    [InlineData("--weight-decay -1", "error: --weight-decay -1: must be at least 0, such as 5e-4 (see compare --help)")]
    [InlineData("--momentum 1", "error: --momentum 1: must be from 0 to 0.999, such as 0.9 (see compare --help)")]
    [InlineData("--label-smoothing 1", "error: --label-smoothing 1: must be from 0 to 0.999, such as 0.1 (see compare --help)")]
    [InlineData("--optimizer adam --momentum 0.9", "error: --momentum 0.9: adam takes no momentum (its beta 1, 0.9, plays that part); use --optimizer sgd or rmsprop with --momentum, or leave --momentum out")]
    public void Option_errors_are_one_line_exit_2_and_come_before_any_work(string option, string message)
    {
        using var cli = new CliHarness();
        string[] args = new[] { "compare", "--data", cli.DataDirectory, "--out", cli.OutDirectory }.Concat(option.Split(' ')).ToArray();

        Assert.Equal(2, cli.Run(args));
        Assert.Equal(message, cli.Output.TrimEnd('\n', '\r'));
        Assert.False(Directory.Exists(cli.OutDirectory), "an option error must stop the command before it writes anything");
    }

    [Fact]
    public void A_scheduled_run_records_its_settings_and_resumes_only_over_the_same_epochs()
    {
        using var cli = new CliHarness(train: 64, test: 32);
        string[] args = { "compare", "--models", "SmallCnn", "--batch-size", "32", "--optimizer", "sgd", "--lr", "0.05", "--lr-schedule", "one-cycle", "--momentum", "0.9", "--weight-decay", "5e-4", "--label-smoothing", "0.1", "--data", cli.DataDirectory, "--out", cli.OutDirectory, "--report" };
        Assert.Equal(0, cli.Run(args));

        var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(cli.OutDirectory, "results.json"))).RootElement.GetProperty("settings");
        Assert.Equal("one-cycle", settings.GetProperty("schedule").GetString());
        Assert.Equal(0.9, settings.GetProperty("momentum").GetDouble());
        Assert.Equal(5e-4, settings.GetProperty("weight_decay").GetDouble());
        Assert.Equal(0.1, settings.GetProperty("label_smoothing").GetDouble());
        Assert.Contains("- Training: 1 epoch(s), batch 32, sgd lr 0.05 (one-cycle), momentum 0.9, weight decay 0.0005, label smoothing 0.1, cross-entropy on logits", File.ReadAllText(Path.Combine(cli.OutDirectory, "report.md")));

        Assert.Equal(2, cli.Run(args.Concat(new[] { "--epochs", "2", "--resume" }).ToArray()));
        string checkpoint = Path.Combine(cli.OutDirectory, "checkpoints", "seed-0", "SmallCnn.epoch1.ckpt");
        Assert.Contains($"error: --resume: {checkpoint} follows a learning-rate schedule over 1 epochs, this run asks for 2; a schedule cannot be stretched mid-run: resume with --epochs 1, or leave out --resume and give another --out to start afresh", OneLine(cli.Output));

        Assert.Equal(2, cli.Run(args.Select(a => a == "0.9" ? "0.8" : a).Concat(new[] { "--resume" }).ToArray()));
        Assert.Contains($"error: --resume: {checkpoint} was trained with --momentum 0.9, this run asks for --momentum 0.8; resume with --momentum 0.9", OneLine(cli.Output));
    }

    [Fact]
    public void Help_documents_the_new_compare_options()
    {
        using var cli = new CliHarness(withData: false);
        Assert.Equal(0, cli.Run("compare", "--help"));
        foreach (string option in new[] { "--lr-schedule", "--weight-decay", "--momentum", "--label-smoothing" })
        {
            Assert.Contains(option, cli.Output);
        }
    }
}
