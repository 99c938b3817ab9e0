using System;
using System.Collections.Generic;
using System.Linq;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// What the trainer reports while and after it trains: progress in epoch and batch order with running means that end at the
/// epoch's result, the history and its test scores, the parameter count, and the options it refuses before touching the model.
/// </summary>
public sealed class TrainerReportTests
{
    [Fact]
    public void Progress_comes_in_epoch_and_batch_order_and_its_running_means_end_at_the_epochs_result()
    {
        var train = TrainingTests.Synthetic(40, 1);
        var test = TrainingTests.Synthetic(12, 2);
        Trainer.Seed(3);
        using var model = new PlainClassifier(4);
        var reports = new List<TrainingProgress>();

        var result = Trainer.Train(model, train, test, new TrainingOptions { Epochs = 2, BatchSize = 16, LearningRate = 1e-3 }, reports.Add);

        // 40 examples in batches of 16: 3 batches per epoch, the last one of 8.
        Assert.Equal(new[] { (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3) }, reports.Select(r => (r.Epoch, r.Batch)));
        Assert.All(reports, r => Assert.Equal(("PlainClassifier", 2, 3), (r.Model, r.Epochs, r.Batches)));
        Assert.Equal(new[] { 1, 2 }, result.History.Select(h => h.Epoch));
        foreach (var epoch in result.History)
        {
            var last = reports.Last(r => r.Epoch == epoch.Epoch);
            Assert.Equal(epoch.TrainLoss, last.Loss, 12);
            Assert.Equal(epoch.TrainAccuracy, last.Accuracy, 12);
            Assert.Equal(TimeSpan.Zero, last.Remaining);
            Assert.True(reports.First(r => r.Epoch == epoch.Epoch).Remaining > TimeSpan.Zero);
            Assert.InRange(epoch.TrainAccuracy, 0, 1);
            Assert.True(epoch.TrainSeconds > 0);
            Assert.Equal(40 / epoch.TrainSeconds, epoch.ImagesPerSecond, 6);
        }

        // Throughput and time left are those of the examples seen so far in the epoch.
        foreach (var r in reports)
        {
            long seen = Math.Min(r.Batch * 16, 40);
            Assert.Equal(seen, r.ImagesPerSecond * r.Elapsed.TotalSeconds, 6);
            Assert.Equal((40 - seen) / r.ImagesPerSecond, r.Remaining.TotalSeconds, 3);
        }

        // The running accuracy is a fraction of the examples seen so far: after the first batch, a multiple of 1/16.
        double first = reports[0].Accuracy * 16;
        Assert.Equal(Math.Round(first), first, 9);
    }

    [Fact]
    public void The_history_holds_each_epochs_test_score_and_the_final_score_is_the_last_epochs()
    {
        var train = TrainingTests.Synthetic(32, 4);
        var test = TrainingTests.Synthetic(20, 5);
        Trainer.Seed(7);
        using var model = new PlainClassifier(4);

        var result = Trainer.Train(model, train, test, new TrainingOptions { Epochs = 2, BatchSize = 8, LearningRate = 1e-3 });

        var now = Evaluator.Evaluate(model, test.Images, test.Labels);
        Assert.Equal(now.Loss, result.History[^1].TestLoss, 9);
        Assert.Equal(now.Accuracy, result.History[^1].TestAccuracy, 12);
        Assert.Equal((now.Loss, now.Accuracy), (result.Final.Loss, result.Final.Accuracy));
        Assert.NotEqual(result.History[0].TestLoss, result.History[1].TestLoss);
        Assert.Equal(0, result.ResumedFromEpoch);
    }

    [Fact]
    public void The_parameter_count_is_every_weight_of_the_model()
    {
        var data = TrainingTests.Synthetic(8, 1);
        using var model = new PlainClassifier(4);

        var result = Trainer.Train(model, data, data, new TrainingOptions { Epochs = 0 });

        Assert.Equal((28 * 28 * 4) + 4, result.Parameters);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void A_label_smoothing_outside_zero_to_one_is_refused(double smoothing)
    {
        var data = TrainingTests.Synthetic(8, 1);
        using var model = new PlainClassifier(4);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(model, data, data, new TrainingOptions { LabelSmoothing = smoothing }));

        Assert.Equal("options", error.ParamName);
        Assert.StartsWith("the label smoothing must be at least 0 and below 1 (0 turns it off)", error.Message);
    }

    [Fact]
    public void A_label_smoothing_just_below_one_trains()
    {
        var data = TrainingTests.Synthetic(8, 1);
        using var model = new PlainClassifier(4);

        var result = Trainer.Train(model, data, data, new TrainingOptions { LabelSmoothing = 0.99, BatchSize = 8 });

        Assert.Single(result.History);
    }

    [Fact]
    public void Option_errors_are_reported_before_the_data_is_looked_at()
    {
        // Labels that do not fit the model as well: the option at fault is named first, whichever it is.
        var (inputs, _) = TrainingTests.Synthetic(8, 1);
        using var badLabels = full(8, 9L, dtype: ScalarType.Int64);
        using var model = new PlainClassifier(4);

        var optimizer = Assert.Throws<ArgumentOutOfRangeException>(
            () => Trainer.Train(model, (inputs, badLabels), (inputs, badLabels), new TrainingOptions { Optimizer = OptimizerKind.Adam, Momentum = 0.9 }));
        var augmentation = Assert.Throws<ArgumentOutOfRangeException>(
            () => Trainer.Train(model, (inputs, badLabels), (inputs, badLabels), new TrainingOptions { Augmentation = new Augmentation { EraseProbability = 1.5 } }));

        Assert.Equal("momentum", optimizer.ParamName);
        Assert.Equal("EraseProbability", augmentation.ParamName);
    }

    /// <summary>The examples each training epoch sees, in order, for 10 examples in batches of 4 over 3 epochs at <paramref name="seed"/>.</summary>
    private static List<long[]> OrderSeen(int seed)
    {
        using var inputs = arange(10, dtype: ScalarType.Float32).reshape(10, 1);
        using var labels = zeros(10, dtype: ScalarType.Int64);
        using var model = new Recorder();

        var result = Trainer.Train(model, (inputs, labels), (inputs, labels), new TrainingOptions { Epochs = 3, BatchSize = 4, Seed = seed, Optimizer = OptimizerKind.Sgd });

        Assert.Equal(3, result.History.Count);
        return model.Epochs;
    }

    [Fact]
    public void Every_epoch_sees_every_example_once_in_an_order_fixed_by_the_seed_and_the_epoch()
    {
        var first = OrderSeen(seed: 0);
        var again = OrderSeen(seed: 0);
        var other = OrderSeen(seed: 1);

        Assert.All(first.Concat(other), order => Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), order.Order()));
        Assert.Equal(first, again);
        Assert.NotEqual(first[0], first[1]);
        Assert.NotEqual(first[1], first[2]);
        Assert.NotEqual(first[0], other[0]);
        Assert.NotEqual(first[1], other[1]);
    }

    /// <summary>
    /// Records, per training epoch, the example indices its inputs carry (<c>[N, 1]</c>); evaluation calls (no gradients)
    /// close an epoch. Its logits <c>[N, 2]</c> depend on one trainable bias only.
    /// </summary>
    private sealed class Recorder : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Parameter bias = new(zeros(2));
        private readonly List<long> current = new();

        public Recorder()
            : base(nameof(Recorder))
        {
            RegisterComponents();
        }

        public List<long[]> Epochs { get; } = new();

        public override Tensor forward(Tensor input)
        {
            if (is_grad_enabled())
            {
                current.AddRange(input.flatten().to_type(ScalarType.Int64).data<long>().ToArray());
            }
            else if (current.Count > 0)
            {
                Epochs.Add(current.ToArray());
                current.Clear();
            }

            return input.mul(0).add(bias);
        }
    }
}
