using System;
using System.Linq;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// The learning rate seen in a parameter update: one step on a known gradient, compared with each optimizer's formula.
/// </summary>
public sealed class OptimizerTests
{
    private static readonly float[] Start = { 1f, -2f, 3f, 0.5f };

    // Gradients of different sizes and signs: RMSprop and Adam normalise by the gradient's size, SGD does not.
    private static readonly float[] Gradient = { 0.5f, -1f, 2f, -0.01f };

    /// <summary>Takes one step from <see cref="Start"/> with the loss sum(p * g), whose gradient is exactly g, and returns the change.</summary>
    private static double[] OneStep(OptimizerKind kind, double learningRate)
    {
        using var scope = NewDisposeScope();
        var p = new Parameter(tensor(Start), requires_grad: true);
        using var optimizer = Optimizers.Create(kind, new[] { p }, learningRate);
        optimizer.zero_grad();
        p.mul(tensor(Gradient)).sum().backward();
        optimizer.step();
        return p.detach().data<float>().ToArray().Select((v, i) => (double)v - Start[i]).ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])) + 1e-7, $"element {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(0.003)]
    public void Sgd_moves_by_exactly_the_learning_rate_times_the_gradient(double lr)
    {
        AssertClose(Gradient.Select(g => -lr * g).ToArray(), OneStep(OptimizerKind.Sgd, lr));
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1e-2)]
    public void RmsProp_first_step_is_lr_times_g_over_the_root_of_its_mean_square(double lr)
    {
        // PyTorch's RMSprop: v = alpha v + (1 - alpha) g^2 with v0 = 0, alpha = 0.99; step = lr g / (sqrt(v) + eps), eps = 1e-8.
        var expected = Gradient.Select(g => -lr * g / (Math.Sqrt(0.01 * g * g) + 1e-8)).ToArray();
        AssertClose(expected, OneStep(OptimizerKind.RmsProp, lr));
    }

    [Theory]
    [InlineData(1e-3)]
    [InlineData(1e-2)]
    public void Adam_first_step_is_lr_times_the_bias_corrected_ratio(double lr)
    {
        // Adam: m = 0.1 g, v = 0.001 g^2; bias-corrected m / (1 - 0.9) = g, v / (1 - 0.999) = g^2; step = lr g / (|g| + eps).
        var expected = Gradient.Select(g => -lr * (0.1 * g / 0.1) / (Math.Sqrt(0.001 * g * g / 0.001) + 1e-8)).ToArray();
        AssertClose(expected, OneStep(OptimizerKind.Adam, lr));
    }

    [Fact]
    public void The_trainer_hands_the_learning_rate_to_the_optimizer()
    {
        // One SGD step on the whole set (one batch): the new weights are the old ones minus lr times the gradient of the mean loss.
        const double lr = 0.05;
        var (inputs, labels) = TrainingTests.Synthetic(32, 3);
        Trainer.Seed(1);
        using var model = new PlainClassifier(4);
        var before = model.parameters().Select(p => p.detach().clone()).ToArray();
        var expected = TrainingScheduleTests.SgdSteps(model, inputs, labels, new[] { lr });

        Trainer.Train(model, (inputs, labels), (inputs, labels), new TrainingOptions { Optimizer = OptimizerKind.Sgd, LearningRate = lr, BatchSize = 32 });

        var after = model.parameters().ToArray();
        for (int i = 0; i < after.Length; i++)
        {
            Assert.True(after[i].allclose(expected[i], rtol: 1e-4, atol: 1e-6), $"parameter {i} did not move by lr x gradient");
            Assert.False(after[i].allclose(before[i]), $"parameter {i} did not move");
        }
    }

    [Fact]
    public void Each_kind_has_the_name_checkpoints_record_and_parses_back_from_it()
    {
        Assert.Equal(new[] { "rmsprop", "adam", "sgd" }, Optimizers.Names);
        Assert.Equal("rmsprop", Optimizers.Name(OptimizerKind.RmsProp));
        Assert.Equal("adam", Optimizers.Name(OptimizerKind.Adam));
        Assert.Equal("sgd", Optimizers.Name(OptimizerKind.Sgd));
        foreach (var kind in Enum.GetValues<OptimizerKind>())
        {
            Assert.Equal(kind, Optimizers.Parse(Optimizers.Name(kind)));
        }
    }

    [Theory]
    [InlineData("RMSProp", OptimizerKind.RmsProp)]
    [InlineData(" Adam ", OptimizerKind.Adam)]
    [InlineData("SGD", OptimizerKind.Sgd)]
    public void Parsing_ignores_case_and_surrounding_spaces(string name, OptimizerKind kind)
    {
        Assert.Equal(kind, Optimizers.Parse(name));
    }

    [Theory]
    [InlineData("adamw")]
    [InlineData("")]
    [InlineData("s g d")]
    public void An_unknown_name_is_refused_with_the_names_there_are(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => Optimizers.Parse(name));

        Assert.Equal("name", error.ParamName);
        Assert.Equal($"unknown optimizer '{name}': use one of rmsprop, adam, sgd (Parameter 'name')", error.Message);
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, 0.0, 0.0)]
    [InlineData(OptimizerKind.Sgd, 5e-4, 0.9)]
    [InlineData(OptimizerKind.RmsProp, 1e-2, 0.5)]
    [InlineData(OptimizerKind.Adam, 1e-2, 0.0)]
    [InlineData(OptimizerKind.Sgd, 0.0, 0.999)]
    public void Weight_decay_of_zero_or_more_and_momentum_in_zero_to_one_are_accepted(OptimizerKind kind, double weightDecay, double momentum)
    {
        Optimizers.Validate(kind, weightDecay, momentum);
        using var p = new Parameter(tensor(Start), requires_grad: true);
        using var optimizer = Optimizers.Create(kind, new[] { p }, 0.1, weightDecay, momentum);
    }

    [Theory]
    [InlineData(-1e-4)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void A_weight_decay_below_zero_or_not_finite_is_refused(double weightDecay)
    {
        foreach (var kind in Enum.GetValues<OptimizerKind>())
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Validate(kind, weightDecay, 0));
            Assert.Equal("weightDecay", error.ParamName);
            Assert.StartsWith("the weight decay must be a number of at least 0 (0 turns it off)", error.Message);
        }
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, 1.0)]
    [InlineData(OptimizerKind.Sgd, -0.1)]
    [InlineData(OptimizerKind.RmsProp, 1.5)]
    [InlineData(OptimizerKind.RmsProp, double.NaN)]
    public void A_momentum_outside_zero_to_one_is_refused(OptimizerKind kind, double momentum)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Validate(kind, 0, momentum));
        Assert.Equal("momentum", error.ParamName);
        Assert.StartsWith("the momentum must be at least 0 and below 1 (0 turns it off)", error.Message);
    }

    [Fact]
    public void Adam_refuses_a_momentum_and_says_what_to_use()
    {
        using var p = new Parameter(tensor(Start), requires_grad: true);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Optimizers.Create(OptimizerKind.Adam, new[] { p }, 0.1, 0, 0.9));
        Assert.Equal("momentum", error.ParamName);
        Assert.StartsWith("adam takes no momentum (its beta 1, 0.9, plays that part); use sgd or rmsprop with a momentum, or set it to 0", error.Message);
    }
}
