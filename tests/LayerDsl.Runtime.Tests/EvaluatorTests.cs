using System;
using System.Linq;
using LayerDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// Evaluation against numbers worked out by hand on a tiny data set: a model that answers each example with fixed logits,
/// so the confusion matrix, accuracy and loss are known without running any network.
/// </summary>
public sealed class EvaluatorTests
{
    /// <summary>Returns, for input <c>[N, 1]</c> holding example indices, the fixed logits of those examples.</summary>
    private sealed class FixedLogits : nn.Module<Tensor, Tensor>
    {
        private readonly Tensor table;

        public FixedLogits(double[][] logits)
            : base(nameof(FixedLogits))
        {
            table = tensor(logits.SelectMany(r => r).Select(v => (float)v).ToArray(), new long[] { logits.Length, logits[0].Length });
        }

        public override Tensor forward(Tensor input) => table.index_select(0, input.flatten().to_type(ScalarType.Int64));

        protected override void Dispose(bool disposing)
        {
            table.Dispose();
            base.Dispose(disposing);
        }
    }

    // Seven examples, three classes; each row's largest logit is the prediction.
    private static readonly double[][] Logits =
    {
        new[] { 2.0, 0.0, 0.0 },   // true 0, predicted 0
        new[] { 0.0, 1.0, 3.0 },   // true 0, predicted 2
        new[] { 0.0, 4.0, 1.0 },   // true 1, predicted 1
        new[] { 1.0, 0.0, 0.0 },   // true 2, predicted 0
        new[] { 0.0, 0.0, 5.0 },   // true 2, predicted 2
        new[] { 3.0, 1.0, 0.0 },   // true 1, predicted 0
        new[] { 0.5, 0.2, 0.1 },   // true 0, predicted 0
    };

    private static readonly long[] Labels = { 0, 0, 1, 2, 2, 1, 0 };

    /// <summary>Cross-entropy of one example, from its definition: log(sum(exp(logits))) - logits[label].</summary>
    private static double CrossEntropy(double[] logits, long label) => Math.Log(logits.Sum(Math.Exp)) - logits[label];

    [Theory]
    [InlineData(3)]    // batches of 3, 3 and 1: a loss averaged per batch, or summed per batch, differs from the mean per example
    [InlineData(2)]
    [InlineData(1000)] // one batch
    public void Scores_equal_the_hand_computed_ones_for_any_batch_size(int batchSize)
    {
        using var model = new FixedLogits(Logits);
        using var inputs = arange(Logits.Length, dtype: ScalarType.Float32).reshape(Logits.Length, 1);
        using var labels = tensor(Labels);

        var result = Evaluator.Evaluate(model, inputs, labels, batchSize: batchSize);

        // Rows are the true class, columns the predicted class.
        Assert.Equal(new[] { new long[] { 2, 0, 1 }, new long[] { 1, 1, 0 }, new long[] { 1, 0, 1 } }, result.ConfusionMatrix);
        Assert.Equal(7, result.Count);
        Assert.Equal(4.0 / 7.0, result.Accuracy, 12);
        double meanLoss = Logits.Select((row, i) => CrossEntropy(row, Labels[i])).Average();
        Assert.Equal(meanLoss, result.Loss, 5);
    }

    [Fact]
    public void The_number_of_classes_comes_from_the_logits_when_the_model_does_not_declare_it()
    {
        double[][] logits = { new[] { 0.0, 0, 0, 0, 1 }, new[] { 1.0, 0, 0, 0, 0 } };
        using var model = new FixedLogits(logits);
        using var inputs = arange(2, dtype: ScalarType.Float32).reshape(2, 1);
        using var labels = tensor(new long[] { 4, 3 });

        var result = Evaluator.Evaluate(model, inputs, labels);

        Assert.Equal(5, result.ConfusionMatrix.Length);
        Assert.All(result.ConfusionMatrix, row => Assert.Equal(5, row.Length));
        Assert.Equal(1, result.ConfusionMatrix[4][4]);
        Assert.Equal(1, result.ConfusionMatrix[3][0]);
    }

    [Fact]
    public void A_label_outside_the_classes_is_named_with_its_index()
    {
        using var model = new FixedLogits(Logits);
        using var inputs = arange(Logits.Length, dtype: ScalarType.Float32).reshape(Logits.Length, 1);
        using var labels = tensor(new long[] { 0, 0, 1, 2, 3, 1, 0 });

        var e = Assert.Throws<DataMismatchException>(() => Evaluator.Evaluate(model, inputs, labels));

        Assert.Equal("evaluation label 3 at index 4 is outside 0-2: FixedLogits has 3 classes (from the width of its output on the first input); labels must be class indices below that", e.Message);
    }

    [Fact]
    public void Evaluation_leaves_the_model_in_the_mode_it_found()
    {
        using var model = new FixedLogits(Logits);
        using var inputs = arange(Logits.Length, dtype: ScalarType.Float32).reshape(Logits.Length, 1);
        using var labels = tensor(Labels);
        model.train();

        Evaluator.Evaluate(model, inputs, labels);

        Assert.True(model.training);
    }
}
