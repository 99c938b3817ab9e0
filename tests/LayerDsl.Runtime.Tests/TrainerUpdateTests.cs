using System;
using System.Linq;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// What <see cref="Trainer.Train"/> does to the weights and reports, worked out independently of it: the gradient of the
/// mean cross-entropy is taken by hand on the same model, each optimizer's first step is written from its formula with
/// the learning rate the options give, and the epoch's losses and accuracies are computed from the model's logits.
/// </summary>
public sealed class TrainerUpdateTests
{
    /// <summary>The gradient of the mean cross-entropy at the model's current weights, in float64; the model's gradients are left at zero.</summary>
    private static Tensor[] Gradient(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels)
    {
        model.zero_grad();
        nn.functional.cross_entropy(model.call(inputs), labels).backward();
        var gradients = model.parameters().Select(p => p.grad!.detach().to_type(ScalarType.Float64).clone()).ToArray();
        model.zero_grad();
        return gradients;
    }

    private static Tensor[] Weights(nn.Module<Tensor, Tensor> model) =>
        model.parameters().Select(p => p.detach().to_type(ScalarType.Float64).clone()).ToArray();

    /// <summary>
    /// The first step of each optimizer from zero state on gradient g: SGD lr g; RMSprop (alpha 0.99) lr g / (sqrt(0.01 g²) + 1e-8);
    /// Adam (betas 0.9, 0.999, bias-corrected) lr g / (|g| + 1e-8).
    /// </summary>
    private static Tensor FirstStep(OptimizerKind kind, double lr, Tensor g) => kind switch
    {
        OptimizerKind.Sgd => g.mul(lr),
        OptimizerKind.RmsProp => g.mul(lr).div(g.mul(g).mul(0.01).sqrt().add(1e-8)),
        OptimizerKind.Adam => g.mul(lr).div(g.abs().add(1e-8)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static void AssertClose(Tensor[] expected, nn.Module<Tensor, Tensor> model, double atol, string what)
    {
        var actual = Weights(model);
        for (int i = 0; i < expected.Length; i++)
        {
            double worst = actual[i].sub(expected[i]).abs().max().item<double>();
            Assert.True(actual[i].allclose(expected[i], rtol: 1e-3, atol: atol), $"{what}: parameter {i} is off by up to {worst:G3}");
        }
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, 0.05)]
    [InlineData(OptimizerKind.Sgd, 0.2)]
    [InlineData(OptimizerKind.RmsProp, 1e-3)]
    [InlineData(OptimizerKind.RmsProp, 4e-3)]
    [InlineData(OptimizerKind.Adam, 1e-3)]
    [InlineData(OptimizerKind.Adam, 4e-3)]
    public void One_step_of_the_trainer_moves_every_weight_as_the_optimizers_formula_with_the_given_learning_rate(OptimizerKind kind, double lr)
    {
        using var scope = NewDisposeScope();
        var (inputs, labels) = TrainingTests.Synthetic(32, 3);
        Trainer.Seed(1);
        using var model = new PlainClassifier(4);
        var before = Weights(model);
        var gradient = Gradient(model, inputs, labels);
        var expected = gradient.Select(g => FirstStep(kind, lr, g).neg()).ToArray();

        // One epoch of one batch: exactly one optimizer step on the gradient above.
        Trainer.Train(model, (inputs, labels), (inputs, labels), new TrainingOptions { Optimizer = kind, LearningRate = lr, BatchSize = 32 });

        // The change of every weight, to 0.1 % of the largest change: a learning rate off by more than that fails.
        var change = Weights(model).Zip(before, (after, b) => after - b).ToArray();
        var largest = expected.Max(e => e.abs().max().item<double>());
        for (int i = 0; i < expected.Length; i++)
        {
            double worst = change[i].sub(expected[i]).abs().max().item<double>();
            Assert.True(worst <= largest * 1e-3, $"{kind} with lr {lr}: parameter {i} moved up to {worst:G3} away from the formula's step (largest step {largest:G3})");
        }
    }

    [Fact]
    public void Each_step_uses_only_its_own_batchs_gradient()
    {
        // Two epochs of one batch each with SGD: the second step is taken from the weights after the first, on a fresh
        // gradient; a gradient left over from the first step would be added to it.
        const double lr = 0.1;
        using var scope = NewDisposeScope();
        var (inputs, labels) = TrainingTests.Synthetic(32, 5);
        Trainer.Seed(2);
        using var model = new PlainClassifier(4);
        var start = Weights(model);
        var first = start.Zip(Gradient(model, inputs, labels), (p, g) => p - (lr * g)).ToArray();
        using (no_grad())
        {
            foreach (var (parameter, value) in model.parameters().Zip(first))
            {
                parameter.copy_(value);
            }
        }

        var expected = first.Zip(Gradient(model, inputs, labels), (p, g) => p - (lr * g)).ToArray();
        using (no_grad())
        {
            foreach (var (parameter, value) in model.parameters().Zip(start))
            {
                parameter.copy_(value);
            }
        }

        Trainer.Train(model, (inputs, labels), (inputs, labels), new TrainingOptions { Optimizer = OptimizerKind.Sgd, LearningRate = lr, BatchSize = 32, Epochs = 2 });

        AssertClose(expected, model, atol: 1e-6, "two SGD steps");
    }

    [Theory]
    [InlineData(4, 3)]    // training batches of 4, 4 and 2; test batches of 3, 3 and 1
    [InlineData(10, 1000)]
    public void An_epochs_losses_and_accuracies_are_means_per_example_whatever_the_batches(int batchSize, int evaluationBatchSize)
    {
        // A learning rate so small that the weights do not move measurably: every number of the epoch is then that of
        // the initial weights, computed here from the logits.
        using var scope = NewDisposeScope();
        var (trainInputs, trainLabels) = TrainingTests.Synthetic(10, 7);
        var (testInputs, testLabels) = TrainingTests.Synthetic(7, 8);
        Trainer.Seed(3);
        using var model = new PlainClassifier(4);
        double trainLoss, trainAccuracy, testLoss, testAccuracy;
        using (no_grad())
        {
            var trainLogits = model.call(trainInputs);
            trainLoss = nn.functional.cross_entropy(trainLogits, trainLabels).item<float>();
            trainAccuracy = trainLogits.argmax(1).eq(trainLabels).sum().item<long>() / 10.0;
            var testLogits = model.call(testInputs);
            testLoss = nn.functional.cross_entropy(testLogits, testLabels).item<float>();
            testAccuracy = testLogits.argmax(1).eq(testLabels).sum().item<long>() / 7.0;
        }

        var result = Trainer.Train(
            model,
            (trainInputs, trainLabels),
            (testInputs, testLabels),
            new TrainingOptions { Optimizer = OptimizerKind.Sgd, LearningRate = 1e-9, BatchSize = batchSize, EvaluationBatchSize = evaluationBatchSize });

        var epoch = Assert.Single(result.History);
        Assert.Equal(trainLoss, epoch.TrainLoss, 5);
        Assert.Equal(trainAccuracy, epoch.TrainAccuracy, 9);
        Assert.Equal(testLoss, epoch.TestLoss, 5);
        Assert.Equal(testAccuracy, epoch.TestAccuracy, 9);
        Assert.Equal((epoch.TestLoss, epoch.TestAccuracy, 7), (result.Final.Loss, result.Final.Accuracy, result.Final.Count));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_learning_rate_that_is_not_a_positive_number_is_refused_before_training(double lr)
    {
        var (inputs, labels) = TrainingTests.Synthetic(8, 1);
        using var model = new PlainClassifier(4);
        var before = Weights(model);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(model, (inputs, labels), (inputs, labels), new TrainingOptions { LearningRate = lr }));

        Assert.StartsWith("the learning rate must be a positive number", e.Message);
        Assert.All(Weights(model).Zip(before), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0)));
    }

    [Theory]
    [InlineData(0, 1, "batch size must be positive")]
    [InlineData(-4, 1, "batch size must be positive")]
    [InlineData(8, -1, "epochs cannot be negative")]
    public void A_batch_size_or_epoch_count_out_of_range_is_refused_naming_it(int batchSize, int epochs, string message)
    {
        var (inputs, labels) = TrainingTests.Synthetic(8, 1);
        using var model = new PlainClassifier(4);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(model, (inputs, labels), (inputs, labels), new TrainingOptions { BatchSize = batchSize, Epochs = epochs }));

        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void Zero_epochs_trains_nothing_and_scores_the_weights_as_they_are()
    {
        var (inputs, labels) = TrainingTests.Synthetic(16, 4);
        Trainer.Seed(5);
        using var model = new PlainClassifier(4);
        var before = Weights(model);
        var score = Evaluator.Evaluate(model, inputs, labels);

        var result = Trainer.Train(model, (inputs, labels), (inputs, labels), new TrainingOptions { Epochs = 0 });

        Assert.Empty(result.History);
        Assert.Equal((score.Loss, score.Accuracy), (result.Final.Loss, result.Final.Accuracy));
        Assert.All(Weights(model).Zip(before), pair => Assert.True(pair.First.allclose(pair.Second, rtol: 0, atol: 0)));
    }
}
