using System;
using LayerDsl.Training;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>What the evaluator refuses, and what it returns for an empty test set.</summary>
public sealed class EvaluatorRefusalTests
{
    [Fact]
    public void A_batch_size_of_zero_is_refused_naming_it()
    {
        using var model = nn.Linear(1, 3);
        using var inputs = zeros(4, 1);
        using var labels = zeros(4, dtype: ScalarType.Int64);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Evaluator.Evaluate(model, inputs, labels, batchSize: 0));

        Assert.Equal("batchSize", e.ParamName);
        Assert.StartsWith("batch size must be positive", e.Message);
    }

    [Fact]
    public void No_model_is_refused_naming_it()
    {
        using var inputs = zeros(4, 1);
        using var labels = zeros(4, dtype: ScalarType.Int64);

        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => Evaluator.Evaluate(null!, inputs, labels)).ParamName);
    }

    [Fact]
    public void Zero_classes_are_refused_naming_them()
    {
        using var model = nn.Linear(1, 3);
        using var inputs = zeros(4, 1);
        using var labels = zeros(4, dtype: ScalarType.Int64);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Evaluator.Evaluate(model, inputs, labels, classes: 0));

        Assert.Equal("classes", e.ParamName);
        Assert.StartsWith("the number of classes must be positive", e.Message);
    }

    [Fact]
    public void A_label_outside_classes_given_by_the_caller_says_where_the_count_came_from()
    {
        using var model = nn.Linear(1, 3);
        using var inputs = zeros(4, 1);
        using var labels = tensor(new long[] { 0, 1, 2, 0 });

        var e = Assert.Throws<DataMismatchException>(() => Evaluator.Evaluate(model, inputs, labels, classes: 2));

        Assert.Equal("evaluation label 2 at index 2 is outside 0-1: Linear has 2 classes (as the caller said); labels must be class indices below that", e.Message);
    }

    [Fact]
    public void Logits_wider_than_the_given_classes_are_refused_with_both_numbers()
    {
        using var model = nn.Linear(1, 3);
        using var inputs = zeros(4, 1);
        using var labels = tensor(new long[] { 0, 1, 1, 0 });

        var e = Assert.Throws<DataMismatchException>(() => Evaluator.Evaluate(model, inputs, labels, classes: 2));

        Assert.Contains("output has shape [4, 3] but 2 classes were expected", e.Message);
    }

    [Fact]
    public void An_empty_test_set_scores_zero_with_an_empty_confusion_matrix()
    {
        using var model = nn.Linear(1, 3);
        using var inputs = zeros(0, 1);
        using var labels = zeros(0, dtype: ScalarType.Int64);

        var result = Evaluator.Evaluate(model, inputs, labels, classes: 3);

        Assert.Equal(0, result.Count);
        Assert.Equal(0.0, result.Accuracy);
        Assert.Equal(0.0, result.Loss);
        Assert.All(result.ConfusionMatrix, row => Assert.Equal(new long[3], row));
    }
}
