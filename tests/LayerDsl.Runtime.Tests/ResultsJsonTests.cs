using System.IO;
using System.Linq;
using System.Text.Json;
using LayerDsl.Runtime.Tests.Fixtures;

namespace LayerDsl.Runtime.Tests;

public sealed class ResultsJsonTests
{
    private static string[] Keys(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public void Compare_writes_results_json_in_the_documented_shape_plus_chart_and_checkpoints()
    {
        using var cli = new CliHarness();
        int exit = cli.Run("compare", "--models", "SmallCnn,WideCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory, "--batch-size", "64");
        Assert.True(exit == 0, cli.Output);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(cli.OutDirectory, "results.json")));
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Array, root.GetProperty("models").ValueKind);
        Assert.Equal(JsonValueKind.Object, root.GetProperty("settings").ValueKind);
        Assert.Equal(JsonValueKind.Object, root.GetProperty("machine").ValueKind);
        Assert.Equal(new[] { "SmallCnn", "WideCnn" }, root.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()));

        foreach (var model in root.GetProperty("models").EnumerateArray())
        {
            Assert.Subset(Keys(model).ToHashSet(), new[] { "name", "parameters", "epochs", "train_seconds", "images_per_second", "test_accuracy", "test_loss", "history", "confusion_matrix" }.ToHashSet());
            Assert.True(model.GetProperty("parameters").GetInt64() > 0);
            Assert.Equal(1, model.GetProperty("epochs").GetInt32());
            Assert.True(model.GetProperty("train_seconds").GetDouble() > 0);
            Assert.True(model.GetProperty("images_per_second").GetDouble() > 0);
            double accuracy = model.GetProperty("test_accuracy").GetDouble();
            Assert.InRange(accuracy, 0.0, 1.0);
            Assert.True(model.GetProperty("test_loss").GetDouble() > 0);

            var history = Assert.Single(model.GetProperty("history").EnumerateArray());
            Assert.Subset(Keys(history).ToHashSet(), new[] { "epoch", "test_accuracy", "test_loss" }.ToHashSet());
            Assert.Equal(1, history.GetProperty("epoch").GetInt32());
            Assert.Equal(accuracy, history.GetProperty("test_accuracy").GetDouble());

            var matrix = model.GetProperty("confusion_matrix").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt64()).ToArray()).ToArray();
            Assert.Equal(10, matrix.Length);
            Assert.All(matrix, row => Assert.Equal(10, row.Length));
            Assert.Equal(64, matrix.Sum(r => r.Sum()));
            Assert.Equal(accuracy, Enumerable.Range(0, 10).Sum(i => matrix[i][i]) / 64.0, 9);
            Assert.True(File.Exists(model.GetProperty("checkpoint").GetString()));
        }

        var settings = root.GetProperty("settings");
        Assert.Equal(64, settings.GetProperty("batch_size").GetInt32());
        Assert.Equal("rmsprop", settings.GetProperty("optimizer").GetString());
        Assert.Equal(0.001, settings.GetProperty("learning_rate").GetDouble());
        Assert.Equal(0, settings.GetProperty("seed").GetInt32());
        Assert.Equal(192, settings.GetProperty("train_images").GetInt32());
        Assert.Equal(64, settings.GetProperty("test_images").GetInt32());
        Assert.Equal("cpu", settings.GetProperty("device").GetString());
        Assert.True(root.GetProperty("machine").GetProperty("processor_count").GetInt32() > 0);
        Assert.False(string.IsNullOrEmpty(root.GetProperty("machine").GetProperty("torchsharp").GetString()));

        byte[] png = File.ReadAllBytes(Path.Combine(cli.OutDirectory, "accuracy-loss.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.True(File.Exists(Path.Combine(cli.OutDirectory, "checkpoints", "seed-0", "SmallCnn.epoch1.ckpt")));
        Assert.True(File.Exists(Path.Combine(cli.OutDirectory, "checkpoints", "seed-0", "WideCnn.epoch1.ckpt")));
        Assert.Empty(Directory.GetFiles(cli.OutDirectory, "*.tmp*", SearchOption.AllDirectories));

        Assert.Contains("confusion matrix", cli.Output);
        Assert.Contains("test accuracy", cli.Output);
        Assert.Contains("Winner: ", cli.Output);
    }

    [Fact]
    public void Several_seeds_give_mean_and_standard_deviation_and_resume_extends_the_history()
    {
        using var cli = new CliHarness(train: 128, test: 32);
        Assert.Equal(0, cli.Run("compare", "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory, "--seeds", "2", "--seed", "7"));

        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(cli.OutDirectory, "results.json"))))
        {
            var model = json.RootElement.GetProperty("models")[0];
            var runs = model.GetProperty("runs").EnumerateArray().ToArray();
            Assert.Equal(new[] { 7, 8 }, runs.Select(r => r.GetProperty("seed").GetInt32()));
            double mean = runs.Average(r => r.GetProperty("test_accuracy").GetDouble());
            Assert.Equal(mean, model.GetProperty("test_accuracy").GetDouble(), 9);
            Assert.True(model.TryGetProperty("test_accuracy_std", out _));
            Assert.Equal(2, json.RootElement.GetProperty("settings").GetProperty("seeds").GetInt32());
        }

        Assert.Contains("±", cli.Output);

        Assert.Equal(0, cli.Run("compare", "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory, "--seeds", "2", "--seed", "7", "--epochs", "2", "--resume"));
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(cli.OutDirectory, "results.json"))))
        {
            var model = json.RootElement.GetProperty("models")[0];
            Assert.Equal(2, model.GetProperty("epochs").GetInt32());
            Assert.Equal(new[] { 1, 2 }, model.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("epoch").GetInt32()));
            Assert.All(model.GetProperty("runs").EnumerateArray(), r => Assert.Equal(1, r.GetProperty("resumed_from_epoch").GetInt32()));
        }

        Assert.True(File.Exists(Path.Combine(cli.OutDirectory, "checkpoints", "seed-8", "SmallCnn.epoch2.ckpt")));
    }
}
