using System.Linq;
using LayerDsl.Models;
using LayerDsl.Training;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// The sequence layers, declared in Runtime as modules with shape contracts, at work: a Transformer text classifier (a
/// [Block] of Models/) learns a task that needs word order.
/// </summary>
public class TextClassifierTests
{
    /// <summary>Sequences of 16 ids below 32 whose first and last ids differ; the label says whether the first is larger.</summary>
    private static (Tensor Tokens, Tensor Labels) Task(int count, int seed)
    {
        var generator = new Generator((ulong)seed);
        var tokens = randint(0, 32, new long[] { count, 16 }, dtype: ScalarType.Int64, generator: generator);
        var first = tokens[.., 0];
        var last = tokens[.., 15];
        // Where first and last tie, move the last id up by one (mod 32) so that every label is defined.
        tokens[.., 15] = where(first == last, (last + 1).remainder(32), last);
        var labels = (tokens[.., 0] > tokens[.., 15]).to_type(ScalarType.Int64);
        return (tokens, labels);
    }

    [Fact]
    public void ATransformerLearnsWhetherTheFirstTokenIsLargerThanTheLast()
    {
        using var scope = NewDisposeScope();
        var train = Task(4096, seed: 1);
        var test = Task(1024, seed: 2);
        Trainer.Seed(0);
        using var model = new TextClassifier();

        var result = Trainer.Train(model, train, test, new TrainingOptions { Epochs = 16, BatchSize = 64, Optimizer = OptimizerKind.Adam, LearningRate = 2e-3 });

        Assert.True(result.Final.Accuracy >= 0.95, $"test accuracy {result.Final.Accuracy:F4} after {result.History.Count} epochs: {string.Join(", ", result.History.Select(h => h.TestAccuracy.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}");
    }

    [Fact]
    public void TokenInputsMustBeInt64Ids()
    {
        using var model = new TextClassifier();
        var error = Assert.Throws<System.ArgumentException>(() => model.call(zeros(2, 16)));
        Assert.Contains("expects int64 token ids, but got Float32", error.Message);
        Assert.Equal(new long[] { 2, 2 }, model.call(zeros(new long[] { 2, 16 }, ScalarType.Int64)).shape);
    }
}
