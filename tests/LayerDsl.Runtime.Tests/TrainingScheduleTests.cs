using System;
using System.IO;
using System.Linq;
using System.Threading;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// Learning-rate schedules, weight decay, momentum and label smoothing: the schedules against TorchSharp's own schedulers,
/// each option against its formula in a parameter update, and every one of them resume-safe.
/// Alone, after the parallel tests (<see cref="RunsAlone"/>): its resume tests compare a resumed training with an
/// uninterrupted one for exact equality, which a parallel test can break by changing the intra-op thread count or drawing
/// from TorchSharp's process-wide generator between a seed and its use.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class TrainingScheduleTests
{
    private static double[] LibraryRates(Func<OptimizerHelper, optim.lr_scheduler.LRScheduler> scheduler, double learningRate, int steps)
    {
        using var scope = NewDisposeScope();
        var p = new Parameter(zeros(1), requires_grad: true);
        using var optimizer = optim.SGD(new[] { p }, learningRate);
        var schedule = scheduler(optimizer);
        var rates = new double[steps];
        for (int step = 0; step < steps; step++)
        {
            rates[step] = optimizer.ParamGroups.Single().LearningRate;
            optimizer.step();
            schedule.step();
        }

        return rates;
    }

    private static void AssertRates(double[] expected, Func<int, double> actual)
    {
        for (int step = 0; step < expected.Length; step++)
        {
            Assert.True(Math.Abs(expected[step] - actual(step)) <= 1e-9 * Math.Max(expected[step], 1e-12), $"batch {step}: TorchSharp {expected[step]:R}, ours {actual(step):R}");
        }
    }

    [Theory]
    [InlineData(50)]
    [InlineData(7)]
    [InlineData(469 * 3)]
    public void One_cycle_follows_torchsharps_OneCycleLR_batch_by_batch(int steps)
    {
        const double peak = 0.05;
        var expected = LibraryRates(o => optim.lr_scheduler.OneCycleLR(o, peak, total_steps: steps, cycle_momentum: false), peak, steps);

        AssertRates(expected, step => LearningRateSchedules.At(LearningRateSchedule.OneCycle, peak, step, steps));
        Assert.Equal(peak / 25, LearningRateSchedules.At(LearningRateSchedule.OneCycle, peak, 0, steps), 12);
        Assert.Equal(peak / 25 / 1e4, LearningRateSchedules.At(LearningRateSchedule.OneCycle, peak, steps - 1, steps), 12);
    }

    [Theory]
    [InlineData(40)]
    [InlineData(469 * 2)]
    public void Cosine_follows_torchsharps_CosineAnnealingLR_batch_by_batch(int steps)
    {
        const double rate = 0.1;
        var expected = LibraryRates(o => optim.lr_scheduler.CosineAnnealingLR(o, steps), rate, steps);

        AssertRates(expected, step => LearningRateSchedules.At(LearningRateSchedule.Cosine, rate, step, steps));
        Assert.Equal(rate / 2, LearningRateSchedules.At(LearningRateSchedule.Cosine, rate, steps / 2, steps), 12);
    }

    [Fact]
    public void Constant_is_the_learning_rate_and_names_parse_in_any_case()
    {
        Assert.Equal(0.003, LearningRateSchedules.At(LearningRateSchedule.Constant, 0.003, 5, 6));
        Assert.Equal(LearningRateSchedule.OneCycle, LearningRateSchedules.Parse("One-Cycle"));
        Assert.Equal("cosine", LearningRateSchedules.Name(LearningRateSchedule.Cosine));
        var e = Assert.Throws<ArgumentException>(() => LearningRateSchedules.Parse("linear"));
        Assert.StartsWith("unknown learning-rate schedule 'linear': use one of constant, cosine, one-cycle", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedules.At(LearningRateSchedule.Cosine, 0.1, 6, 6));
    }

    /// <summary>The gradient of <paramref name="loss"/> at <paramref name="model"/>'s weights, one tensor per parameter.</summary>
    private static Tensor[] Gradient(nn.Module<Tensor, Tensor> model, Func<Tensor> loss)
    {
        model.zero_grad();
        loss().backward();
        var gradient = model.parameters().Select(p => p.grad!.detach().clone()).ToArray();
        model.zero_grad();
        return gradient;
    }

    private static void AssertWeights(Tensor[] expected, nn.Module<Tensor, Tensor> model, string what)
    {
        var actual = model.parameters().ToArray();
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.True(actual[i].allclose(expected[i], rtol: 1e-4, atol: 1e-6), $"parameter {i}: {what}");
        }
    }

    /// <summary>The weights of <paramref name="model"/> after full-batch SGD steps at <paramref name="rates"/>, taken on a copy.</summary>
    internal static Tensor[] SgdSteps(PlainClassifier model, Tensor inputs, Tensor labels, System.Collections.Generic.IEnumerable<double> rates)
    {
        var weights = model.parameters().Select(p => p.detach().clone()).ToArray();
        using var reference = new PlainClassifier(4);
        foreach (double rate in rates)
        {
            reference.load_state_dict(Enumerable.Range(0, 2).ToDictionary(i => i == 0 ? "linear.weight" : "linear.bias", i => weights[i]));
            var g = Gradient(reference, () => nn.functional.cross_entropy(reference.call(inputs), labels));
            weights = weights.Select((w, i) => w - (rate * g[i])).ToArray();
        }

        return weights;
    }

    [Fact]
    public void The_trainer_steps_with_the_schedules_rate_of_each_batch()
    {
        // Two epochs of one batch under cosine: the first step uses lr, the second lr (1 + cos(pi / 2)) / 2 = lr / 2.
        const double lr = 0.2;
        var (inputs, labels) = TrainingTests.Synthetic(32, 3);
        Trainer.Seed(1);
        using var model = new PlainClassifier(4);
        var weights = SgdSteps(model, inputs, labels, new[] { lr, lr / 2 });

        Trainer.Train(model, (inputs, labels), (inputs, labels), new TrainingOptions { Optimizer = OptimizerKind.Sgd, LearningRate = lr, BatchSize = 32, Epochs = 2, Schedule = LearningRateSchedule.Cosine });

        AssertWeights(weights, model, "two SGD steps at lr and lr / 2");
    }

    [Fact]
    public void The_schedule_counts_steps_across_epochs_of_several_batches()
    {
        // 32 copies of one example, so every batch has the same gradient whatever the shuffle; batches of 16 over two
        // epochs are four cosine steps at lr (1 + cos(pi k / 4)) / 2, k = 0..3, numbered on across the epoch boundary.
        // A small lr keeps the gradient far from zero over the four steps (a large one fits the example in one).
        const double lr = 0.002;
        var (one, label) = TrainingTests.Synthetic(1, 3);
        var inputs = one.repeat(32, 1, 1, 1);
        var labels = label.repeat(32);
        Trainer.Seed(1);
        using var model = new PlainClassifier(4);
        var weights = SgdSteps(model, inputs, labels, Enumerable.Range(0, 4).Select(k => lr * (1 + Math.Cos(Math.PI * k / 4)) / 2));

        Trainer.Train(model, (inputs, labels), (inputs, labels), new TrainingOptions { Optimizer = OptimizerKind.Sgd, LearningRate = lr, BatchSize = 16, Epochs = 2, Schedule = LearningRateSchedule.Cosine });

        AssertWeights(weights, model, "four SGD steps down the cosine schedule");
    }

    [Fact]
    public void Label_smoothing_spreads_epsilon_evenly_over_the_classes()
    {
        // One SGD step on the loss (1 - e) CE(y) + e * mean over classes of -log p_k, the smoothed target written out.
        const double lr = 0.5;
        const double e = 0.2;
        var (inputs, labels) = TrainingTests.Synthetic(32, 4);
        Trainer.Seed(2);
        using var model = new PlainClassifier(4);
        var before = model.parameters().Select(p => p.detach().clone()).ToArray();
        var g = Gradient(model, () =>
        {
            var logProbabilities = nn.functional.log_softmax(model.call(inputs), 1);
            var trueClass = logProbabilities.gather(1, labels.unsqueeze(1)).squeeze(1).neg().mean();
            var uniform = logProbabilities.mean(new long[] { 1 }).neg().mean();
            return trueClass.mul(1 - e).add(uniform.mul(e));
        });

        Trainer.Train(model, (inputs, labels), (inputs, labels), new TrainingOptions { Optimizer = OptimizerKind.Sgd, LearningRate = lr, BatchSize = 32, LabelSmoothing = e });

        AssertWeights(before.Select((w, i) => w - (lr * g[i])).ToArray(), model, "one SGD step on the smoothed loss");
    }

    private static readonly float[] Start = { 1f, -2f, 3f, 0.5f };

    private static readonly float[] Slope = { 0.5f, -1f, 2f, -0.01f };

    /// <summary>Takes <paramref name="steps"/> steps from <see cref="Start"/> on the loss sum(p * g), whose gradient is g everywhere.</summary>
    private static float[] Steps(OptimizerKind kind, double lr, double weightDecay, double momentum, int steps)
    {
        using var scope = NewDisposeScope();
        var p = new Parameter(tensor(Start), requires_grad: true);
        using var optimizer = Optimizers.Create(kind, new[] { p }, lr, weightDecay, momentum);
        for (int i = 0; i < steps; i++)
        {
            optimizer.zero_grad();
            p.mul(tensor(Slope)).sum().backward();
            optimizer.step();
        }

        return p.detach().data<float>().ToArray();
    }

    [Fact]
    public void Weight_decay_adds_its_multiple_of_the_weights_to_the_gradient()
    {
        const double lr = 0.1;
        const double wd = 0.01;
        var expected = Start.Select((w, i) => w - (lr * (Slope[i] + (wd * w)))).ToArray();
        var actual = Steps(OptimizerKind.Sgd, lr, wd, 0, 1);
        for (int i = 0; i < Start.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 5);
        }
    }

    [Fact]
    public void Sgd_momentum_carries_the_last_step_into_the_next()
    {
        // Constant gradient g: the velocity is g, then m g + g; two steps move by lr g (2 + m).
        const double lr = 0.1;
        const double m = 0.9;
        var actual = Steps(OptimizerKind.Sgd, lr, 0, m, 2);
        for (int i = 0; i < Start.Length; i++)
        {
            Assert.Equal(Start[i] - (lr * Slope[i] * (2 + m)), actual[i], 5);
        }
    }

    [Fact]
    public void Bad_option_values_are_refused_naming_the_setting_and_the_fix()
    {
        var data = TrainingTests.Synthetic(16, 1);
        using var model = new PlainClassifier(4);
        var adam = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(model, data, data, new TrainingOptions { Optimizer = OptimizerKind.Adam, Momentum = 0.9 }));
        Assert.StartsWith("adam takes no momentum (its beta 1, 0.9, plays that part); use sgd or rmsprop with a momentum, or set it to 0", adam.Message);
        var smoothing = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(model, data, data, new TrainingOptions { LabelSmoothing = 1 }));
        Assert.StartsWith("the label smoothing must be at least 0 and below 1", smoothing.Message);
        var decay = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Train(model, data, data, new TrainingOptions { WeightDecay = -0.1 }));
        Assert.StartsWith("the weight decay must be a number of at least 0", decay.Message);
    }

    private static readonly TrainingOptions Scheduled = new()
    {
        Epochs = 3,
        BatchSize = 32,
        Seed = 5,
        Optimizer = OptimizerKind.Sgd,
        LearningRate = 0.05,
        Schedule = LearningRateSchedule.OneCycle,
        WeightDecay = 5e-4,
        Momentum = 0.9,
        LabelSmoothing = 0.1,
    };

    [Fact]
    public void A_run_under_a_schedule_killed_after_epoch_2_resumes_to_the_numbers_of_an_uninterrupted_run()
    {
        var train = TrainingTests.Synthetic(256, 1);
        var test = TrainingTests.Synthetic(128, 2);
        using var dir = new TempDir();

        Trainer.Seed(5);
        using var straight = new TinyConvNet(4, 3);
        var uninterrupted = Trainer.Train(straight, train, test, Scheduled);

        // The same run stopped as epoch 3 starts (the schedule spans three epochs throughout), then resumed by a fresh model.
        using (var stop = new CancellationTokenSource())
        {
            Trainer.Seed(5);
            using var first = new TinyConvNet(4, 3);
            Assert.Throws<OperationCanceledException>(() => Trainer.Train(first, train, test, Scheduled with { CheckpointDirectory = dir.Path }, p =>
            {
                if (p.Epoch == 3)
                {
                    stop.Cancel();
                }
            }, stop.Token));
        }

        Assert.Equal(Checkpoint.PathFor(dir.Path, "TinyConvNet", 2), Checkpoint.Latest(dir.Path, "TinyConvNet"));
        Trainer.Seed(99);
        using var second = new TinyConvNet(4, 3);
        var resumed = Trainer.Train(second, train, test, Scheduled with { CheckpointDirectory = dir.Path, Resume = true });

        Assert.Equal(2, resumed.ResumedFromEpoch);
        Assert.Equal(uninterrupted.History.Select(h => h.TestAccuracy), resumed.History.Select(h => h.TestAccuracy));
        Assert.Equal(uninterrupted.History[2].TrainLoss, resumed.History[2].TrainLoss, 5);
        Assert.Equal(uninterrupted.Final.Loss, resumed.Final.Loss, 5);
    }

    [Theory]
    [InlineData("Schedule", "learning-rate schedule one-cycle", "cosine")]
    [InlineData("Epochs", "a learning-rate schedule over epochs 1", "2")]
    [InlineData("WeightDecay", "weight decay 0.0005", "0.001")]
    [InlineData("Momentum", "momentum 0.9", "0.8")]
    [InlineData("LabelSmoothing", "label smoothing 0.1", "0")]
    public void Resuming_with_another_schedule_or_regulariser_is_refused_naming_both_values(string setting, string saved, string requested)
    {
        var train = TrainingTests.Synthetic(64, 1);
        var test = TrainingTests.Synthetic(32, 2);
        using var dir = new TempDir();
        var options = Scheduled with { Epochs = 1, CheckpointDirectory = dir.Path };
        Trainer.Seed(5);
        using (var first = new TinyConvNet(4, 3))
        {
            Trainer.Train(first, train, test, options);
        }

        var changed = setting switch
        {
            "Schedule" => options with { Schedule = LearningRateSchedule.Cosine, Epochs = 2 },
            "Epochs" => options with { Epochs = 2 },
            "WeightDecay" => options with { WeightDecay = 0.001 },
            "Momentum" => options with { Momentum = 0.8 },
            _ => options with { LabelSmoothing = 0 },
        };
        using var second = new TinyConvNet(4, 3);
        var e = Assert.Throws<ResumeMismatchException>(() => Trainer.Train(second, train, test, changed with { Resume = true }));

        string path = Checkpoint.PathFor(dir.Path, "TinyConvNet", 1);
        Assert.Equal($"checkpoint {path} was trained with {saved}, but this run asks for {requested}; resume with {saved}, or train afresh in another checkpoint directory", e.Message);
        Assert.Single(Directory.GetFiles(dir.Path, "*.ckpt"));
    }

    [Fact]
    public void Checkpoints_record_the_schedule_and_regularisers_and_older_ones_mean_none()
    {
        var train = TrainingTests.Synthetic(64, 1);
        using var dir = new TempDir();
        Trainer.Seed(5);
        using (var model = new TinyConvNet(4, 3))
        {
            Trainer.Train(model, train, train, Scheduled with { Epochs = 1, CheckpointDirectory = dir.Path });
        }

        var metadata = Checkpoint.ReadMetadata(Checkpoint.PathFor(dir.Path, "TinyConvNet", 1));
        Assert.Equal(("one-cycle", 1, 5e-4, 0.9, 0.1), (metadata.Schedule, metadata.Epochs, metadata.WeightDecay, metadata.Momentum, metadata.LabelSmoothing));

        // A checkpoint written before these were recorded resumes as constant, no decay, no momentum, no smoothing.
        var older = metadata with { Schedule = null, Epochs = null, WeightDecay = null, Momentum = null, LabelSmoothing = null };
        Checkpoint.CheckResumable("old.ckpt", older, "TinyConvNet", new TrainingOptions { Epochs = 4, BatchSize = 32, Seed = 5, Optimizer = OptimizerKind.Sgd, LearningRate = 0.05 }, 64);
        Assert.Throws<ResumeMismatchException>(() => Checkpoint.CheckResumable("old.ckpt", older, "TinyConvNet", Scheduled, 64));
    }
}
