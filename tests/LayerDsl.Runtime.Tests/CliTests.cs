using System.IO;
using System.Linq;
using LayerDsl.Runtime.Tests.Fixtures;

namespace LayerDsl.Runtime.Tests;

public sealed class CliTests
{
    [Fact]
    public void Help_documents_every_compare_option()
    {
        using var cli = new CliHarness(withData: false);
        cli.Run("compare", "--help");
        foreach (string option in new[] { "--models", "--epochs", "--batch-size", "--lr", "--optimizer", "--seed", "--seeds", "--train-limit", "--test-limit", "--threads", "--data", "--out", "--resume", "--device" })
        {
            Assert.Contains(option, cli.Output);
        }
    }

    [Fact]
    public void Missing_data_exits_non_zero_naming_the_three_remedies()
    {
        using var cli = new CliHarness(withData: false);
        int exit = cli.Run("compare", "--models", "SmallCnn", "--out", cli.OutDirectory);
        Assert.Equal(1, exit);
        Assert.Contains("Fashion-MNIST was not found", cli.Output);
        Assert.Contains("apt-get install dataset-fashion-mnist", cli.Output);
        Assert.Contains("--data DIR or FASHION_MNIST_DIR=DIR", cli.Output);
        Assert.Contains("network unreachable (test)", cli.Output);
        Assert.Contains($"download into {cli.CacheDirectory}", cli.Output.Replace("\n", "", System.StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_model_and_bad_options_are_refused()
    {
        using var cli = new CliHarness(withData: false);
        Assert.Equal(2, cli.Run("compare", "--models", "NoSuchNet"));
        Assert.Contains("unknown model 'NoSuchNet'; the models are: SmallCnn, WideCnn", cli.Output);
        Assert.NotEqual(0, cli.Run("compare", "--optimizer", "adagrad"));
        Assert.NotEqual(0, cli.Run("compare", "--epochs", "0"));
        Assert.NotEqual(0, cli.Run("compare", "--device", "tpu"));
    }

    [Fact]
    public void Evaluate_scores_a_checkpoint_and_refuses_another_architecture()
    {
        using var cli = new CliHarness(train: 64, test: 32);
        Assert.Equal(0, cli.Run("compare", "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory));
        string checkpoint = Path.Combine(cli.OutDirectory, "checkpoints", "seed-0", "SmallCnn.epoch1.ckpt");

        Assert.Equal(0, cli.Run("evaluate", "--checkpoint", checkpoint, "--data", cli.DataDirectory));
        Assert.Contains("SmallCnn from", cli.Output);
        Assert.Contains("on 32 images", cli.Output);

        Assert.Equal(1, cli.Run("evaluate", "--checkpoint", checkpoint, "--data", cli.DataDirectory, "--model", "WideCnn"));
        Assert.Contains("parameter 'conv1.weight' has shape [8, 1, 3, 3] in the checkpoint but [16, 1, 5, 5] in WideCnn", cli.Output.Replace("\n", "", System.StringComparison.Ordinal));
    }

    [Fact]
    public void Summary_prints_each_models_summary()
    {
        using var cli = new CliHarness(withData: false);
        Assert.Equal(0, cli.Run("summary", "--models", "SmallCnn", "WideCnn"));
        Assert.Contains("SmallCnn: ", cli.Output);
        Assert.Contains("WideCnn: ", cli.Output);
    }

    [Fact]
    public void Catalog_finds_only_buildable_layer_models()
    {
        // TinyConvNet has no constructor taking only a device, string is no model: neither is listed.
        Assert.Equal(new[] { "SmallCnn", "WideCnn" }, CliHarness.Catalog.Names.ToArray());
    }
}
