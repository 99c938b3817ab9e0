using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using LayerDsl.Runtime.Tests.Fixtures;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// <c>evaluate --test-transform</c> and <c>evaluate --run</c>: scoring trained weights on a transformed test set gives the
/// numbers <c>compare --test-transform</c> gives when it trains the same models, without training again.
/// </summary>
public sealed class EvaluateRunTests
{
    private static string OneLine(string text) => text.Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal);

    private static JsonElement Results(string directory) => JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "results.json"))).RootElement;

    private static double[] PerEpoch(JsonElement run) => run.GetProperty("test_accuracy_per_epoch").EnumerateArray().Select(e => e.GetDouble()).ToArray();

    private static JsonElement Model(JsonElement results, string name) => results.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == name);

    [Fact]
    public void Scoring_a_plain_runs_checkpoints_on_rotated_images_gives_what_compare_gives_trained_alike_and_tested_rotated()
    {
        using var cli = new CliHarness(train: 192, test: 64);
        string plain = Path.Combine(cli.OutDirectory, "plain");
        string direct = Path.Combine(cli.OutDirectory, "direct");
        string scored = Path.Combine(cli.OutDirectory, "scored");
        string[] common = { "--models", "SmallCnn,WideCnn", "--seeds", "2", "--epochs", "2", "--batch-size", "32", "--data", cli.DataDirectory };

        Assert.Equal(0, cli.Run(new[] { "compare", "--out", plain }.Concat(common).ToArray()));
        Assert.Equal(0, cli.Run(new[] { "compare", "--out", direct, "--test-transform", "rotate", "--rotate-degrees", "30" }.Concat(common).ToArray()));
        Assert.Equal(0, cli.Run("evaluate", "--run", plain, "--test-transform", "rotate", "--rotate-degrees", "30", "--data", cli.DataDirectory, "--out", scored, "--report"));

        var expected = Results(direct);
        var actual = Results(scored);
        foreach (string name in new[] { "SmallCnn", "WideCnn" })
        {
            var expectedRuns = Model(expected, name).GetProperty("runs").EnumerateArray().ToArray();
            var actualRuns = Model(actual, name).GetProperty("runs").EnumerateArray().ToArray();
            Assert.Equal(expectedRuns.Select(r => r.GetProperty("seed").GetInt32()), actualRuns.Select(r => r.GetProperty("seed").GetInt32()));
            for (int i = 0; i < expectedRuns.Length; i++)
            {
                Assert.Equal(PerEpoch(expectedRuns[i]), PerEpoch(actualRuns[i]));
                Assert.Equal(expectedRuns[i].GetProperty("test_loss").GetDouble(), actualRuns[i].GetProperty("test_loss").GetDouble(), 4);
            }

            // The training times are the plain run's, which trained these weights; the rotation changed what was scored.
            var plainRuns = Model(Results(plain), name).GetProperty("runs").EnumerateArray().ToArray();
            Assert.Equal(plainRuns.Select(r => r.GetProperty("train_seconds").GetDouble()), actualRuns.Select(r => r.GetProperty("train_seconds").GetDouble()));
            Assert.NotEqual(plainRuns.Select(r => r.GetProperty("test_loss").GetDouble()), actualRuns.Select(r => r.GetProperty("test_loss").GetDouble()));
        }

        var expectedTest = expected.GetProperty("paired_tests").EnumerateArray().Single();
        var actualTest = actual.GetProperty("paired_tests").EnumerateArray().Single();
        Assert.Equal(expectedTest.GetProperty("p").GetDouble(), actualTest.GetProperty("p").GetDouble(), 9);
        Assert.Equal(expected.GetProperty("verdict").GetString(), actual.GetProperty("verdict").GetString());
        Assert.Equal("rotate(±30°)", actual.GetProperty("settings").GetProperty("test_transform").GetString());
        Assert.Equal(plain, actual.GetProperty("settings").GetProperty("scored_from").GetString());

        string report = File.ReadAllText(Path.Combine(scored, "report.md"));
        Assert.Contains($"- Weights: the checkpoints of the run in `{plain}` (trained there with the settings above, scored here on this test set without retraining", report);
        Assert.Contains("- Transforms (parameters drawn per image from each seed): training images none; test images rotate(±30°)", report);
        Assert.True(File.Exists(Path.Combine(scored, "accuracy-per-epoch.png")));
    }

    [Fact]
    public void One_checkpoint_scored_on_a_transformed_test_set_draws_its_own_seeds_images_as_compare_did()
    {
        using var cli = new CliHarness(train: 128, test: 64);
        string plain = Path.Combine(cli.OutDirectory, "plain");
        string direct = Path.Combine(cli.OutDirectory, "direct");
        string[] common = { "--models", "SmallCnn", "--seeds", "2", "--batch-size", "32", "--data", cli.DataDirectory };
        Assert.Equal(0, cli.Run(new[] { "compare", "--out", plain }.Concat(common).ToArray()));
        Assert.Equal(0, cli.Run(new[] { "compare", "--out", direct, "--test-transform", "scale,rotate" }.Concat(common).ToArray()));
        var seed1 = Model(Results(direct), "SmallCnn").GetProperty("runs").EnumerateArray().Single(r => r.GetProperty("seed").GetInt32() == 1);

        Assert.Equal(0, cli.Run("evaluate", "--checkpoint", Path.Combine(plain, "checkpoints", "seed-1", "SmallCnn.epoch1.ckpt"), "--test-transform", "scale,rotate", "--data", cli.DataDirectory));

        Assert.Contains(string.Create(CultureInfo.InvariantCulture,
            $"test accuracy {seed1.GetProperty("test_accuracy").GetDouble():F4}, test loss {seed1.GetProperty("test_loss").GetDouble():F4} on 64 images transformed scale(0.5-1), rotate(±45°) (drawn from seed 1)"), OneLine(cli.Output));
    }

    [Fact]
    public void A_run_whose_models_differ_is_scored_only_where_they_agree()
    {
        using var cli = new CliHarness(train: 64, test: 32);
        string run = Path.Combine(cli.OutDirectory, "run");
        Assert.Equal(0, cli.Run("compare", "--models", "SmallCnn", "--epochs", "2", "--batch-size", "32", "--data", cli.DataDirectory, "--out", run));
        Assert.Equal(0, cli.Run("compare", "--models", "WideCnn", "--lr", "0.01", "--batch-size", "32", "--data", cli.DataDirectory, "--out", run));

        Assert.Equal(2, cli.Run("evaluate", "--run", run, "--data", cli.DataDirectory, "--out", Path.Combine(cli.OutDirectory, "a")));
        Assert.Contains($"error: --run {run}: SmallCnn seed 0 reached epoch 2 but WideCnn seed 0 only epoch 1; give --epochs 1 to score every model at the same epoch, or finish the run with compare --resume", OneLine(cli.Output));

        Assert.Equal(2, cli.Run("evaluate", "--run", run, "--epochs", "1", "--data", cli.DataDirectory, "--out", Path.Combine(cli.OutDirectory, "b")));
        Assert.Contains($"error: --run {run}: SmallCnn seed 0 was trained with learning rate 0.001 but WideCnn seed 0 with 0.01; the models of one comparison must share their training settings; give --models to score those trained alike", OneLine(cli.Output));

        Assert.Equal(2, cli.Run("evaluate", "--run", run, "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", run));
        Assert.Contains($"error: --out {run}: that is the scored run's own folder, whose results.json would be overwritten; give another --out", OneLine(cli.Output));

        Assert.Equal(0, cli.Run("evaluate", "--run", run, "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", Path.Combine(cli.OutDirectory, "c")));
        var scored = Model(Results(Path.Combine(cli.OutDirectory, "c")), "SmallCnn");
        Assert.Equal(2, PerEpoch(scored.GetProperty("runs").EnumerateArray().Single()).Length);
    }

    [Theory]
    [InlineData("", "error: evaluate needs one of --checkpoint FILE (one model's weights) or --run DIR (every checkpoint of a compare run)")]
    [InlineData("--checkpoint x.ckpt --run runs/x", "error: evaluate needs one of --checkpoint FILE (one model's weights) or --run DIR (every checkpoint of a compare run)")]
    [InlineData("--checkpoint x.ckpt --report --epochs 2", "error: --epochs, --report go with --run, not --checkpoint; leave them out (see evaluate --help)")]
    [InlineData("--run runs/x --seed 1", "error: --seed goes with --checkpoint, not --run; leave it out (see evaluate --help)")]
    [InlineData("--run /nonexistent/run", "error: --run /nonexistent/run: no such folder; give the --out folder of a compare run")]
    [InlineData("--checkpoint x.ckpt --test-transform shear", "error: --test-transform shear: unknown transform 'shear'; use scale, rotate, translate, elastic (comma-separated) or none (see evaluate --help)")]
    [InlineData("--checkpoint x.ckpt --rotate-degrees 200", "error: --rotate-degrees 200: must be from 0 to 180, such as 45 (see evaluate --help)")]
    public void Evaluate_usage_errors_are_one_line_and_exit_2(string options, string message)
    {
        using var cli = new CliHarness(withData: false);
        string[] args = new[] { "evaluate" }.Concat(options.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        Assert.Equal(2, cli.Run(args));
        Assert.Equal(message, cli.Output.TrimEnd('\n', '\r'));
    }

    [Fact]
    public void Help_documents_every_evaluate_option()
    {
        using var cli = new CliHarness(withData: false);
        Assert.Equal(0, cli.Run("evaluate", "--help"));
        foreach (string option in new[] { "--checkpoint", "--run", "--model", "--models", "--epochs", "--seed", "--test-transform", "--scale-range", "--rotate-degrees", "--translate-pixels", "--elastic-alpha", "--elastic-sigma", "--test-limit", "--threads", "--data", "--device", "--out", "--report" })
        {
            Assert.Contains(option, cli.Output);
        }
    }
}
