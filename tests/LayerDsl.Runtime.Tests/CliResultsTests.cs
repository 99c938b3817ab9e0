using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using LayerDsl.Experiments.Data;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// What <c>compare</c> reports, recomputed from the weights it saved: the test loss, accuracy and confusion matrix in
/// results.json against the logits of the checkpointed model on the same test images, and the optimizer settings the
/// command line was given against those the trainer recorded in the checkpoint.
/// </summary>
public sealed class CliResultsTests
{
    [Fact]
    public void Results_json_holds_the_loss_accuracy_and_confusion_matrix_of_the_saved_weights()
    {
        using var cli = new CliHarness(train: 128, test: 48);
        int exit = cli.Run("compare", "--models", "SmallCnn", "--data", cli.DataDirectory, "--out", cli.OutDirectory, "--batch-size", "32", "--lr", "0.004", "--optimizer", "adam");
        Assert.True(exit == 0, cli.Output);

        // The command line's settings reached the trainer: it records what it trained with in every checkpoint.
        string checkpoint = Path.Combine(cli.OutDirectory, "checkpoints", "seed-0", "SmallCnn.epoch1.ckpt");
        var metadata = Checkpoint.ReadMetadata(checkpoint);
        Assert.Equal((0.004, "adam", 32), (metadata.LearningRate, metadata.Optimizer, metadata.BatchSize));

        // The saved weights scored independently: mean cross-entropy per image on the logits, rows = true class.
        using var scope = NewDisposeScope();
        using var model = new SmallCnn();
        Checkpoint.Load(checkpoint, model);
        model.eval();
        var (images, labels) = FashionMnist.Load(cli.DataDirectory).Test.ToTensors();
        double loss;
        long[] predicted;
        using (no_grad())
        {
            var logits = model.ForwardLogits(images);
            loss = logits.log_softmax(1).gather(1, labels.unsqueeze(1)).neg().mean().to_type(ScalarType.Float64).item<double>();
            predicted = logits.argmax(1).data<long>().ToArray();
        }

        long[] truth = labels.data<long>().ToArray();
        var matrix = new long[10, 10];
        for (int i = 0; i < truth.Length; i++)
        {
            matrix[truth[i], predicted[i]]++;
        }

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(cli.OutDirectory, "results.json")));
        var reported = json.RootElement.GetProperty("models")[0];
        Assert.Equal(loss, reported.GetProperty("test_loss").GetDouble(), 4);
        Assert.Equal(truth.Zip(predicted).Count(p => p.First == p.Second) / 48.0, reported.GetProperty("test_accuracy").GetDouble(), 9);
        var rows = reported.GetProperty("confusion_matrix").EnumerateArray().Select(r => r.EnumerateArray().Select(c => c.GetInt64()).ToArray()).ToArray();
        for (int row = 0; row < 10; row++)
        {
            Assert.Equal(Enumerable.Range(0, 10).Select(column => matrix[row, column]), rows[row]);
        }

        // A matrix that is its own transpose could not tell rows from columns: this one is not.
        Assert.Contains(Enumerable.Range(0, 100), i => matrix[i / 10, i % 10] != matrix[i % 10, i / 10]);

        var settings = json.RootElement.GetProperty("settings");
        Assert.Equal((0.004, "adam"), (settings.GetProperty("learning_rate").GetDouble(), settings.GetProperty("optimizer").GetString()));
    }
}
