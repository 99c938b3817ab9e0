using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// What the trainer and evaluator do to a model's mode and to checkpoints, as a user relies on: training steps run in
/// training mode whatever mode the model came in, evaluation in evaluation mode and leaves the mode as it found it,
/// checkpoints are resumed only when asked, and a cancelled run stops before its epoch is checkpointed.
/// </summary>
public sealed class TrainerModeTests
{
    private static readonly TrainingOptions Options = new() { Epochs = 2, BatchSize = 32, Seed = 3 };

    [Fact]
    public void Training_steps_run_in_training_mode_even_for_a_model_handed_over_in_evaluation_mode()
    {
        var (train, test) = Data();
        Trainer.Seed(3);
        using var model = new DropoutNet();
        model.eval();
        var modes = new List<bool>();

        Trainer.Train(model, train, test, Options, _ => modes.Add(model.Dropout.training));

        Assert.Equal(2 * 4, modes.Count);
        Assert.All(modes, training => Assert.True(training, "a training step ran with dropout in evaluation mode"));
    }

    [Fact]
    public void Evaluation_runs_in_evaluation_mode_and_leaves_the_mode_as_it_found_it()
    {
        var (_, test) = Data();
        Trainer.Seed(4);
        using var model = new DropoutNet();

        model.train();
        var first = Evaluator.Evaluate(model, test.Inputs, test.Labels, classes: 10, batchSize: 16);
        Assert.True(model.training, "Evaluate left a model in training mode switched to evaluation mode");
        var second = Evaluator.Evaluate(model, test.Inputs, test.Labels, classes: 10, batchSize: 16);
        model.eval();
        var third = Evaluator.Evaluate(model, test.Inputs, test.Labels, classes: 10, batchSize: 16);
        Assert.False(model.training, "Evaluate switched a model in evaluation mode to training mode");

        // Dropout at rate 0.9 would make every evaluation different; in evaluation mode they are identical.
        Assert.Equal(first.Loss, second.Loss);
        Assert.Equal(first.Loss, third.Loss);
        Assert.Equal(first.ConfusionMatrix, third.ConfusionMatrix);
    }

    [Fact]
    public void Checkpoints_are_resumed_only_when_asked()
    {
        var (train, test) = Data();
        using var dir = new TempDir();
        Trainer.Seed(3);
        using (var first = new TinyConvNet(4, 3))
        {
            Trainer.Train(first, train, test, Options with { CheckpointDirectory = dir.Path });
        }

        Trainer.Seed(3);
        using var again = new TinyConvNet(4, 3);
        var result = Trainer.Train(again, train, test, Options with { CheckpointDirectory = dir.Path, Resume = false });

        Assert.Equal(0, result.ResumedFromEpoch);
        Assert.Equal(new[] { 1, 2 }, result.History.Select(h => h.Epoch));
    }

    [Fact]
    public void A_cancelled_run_stops_at_the_next_batch_and_checkpoints_no_unfinished_epoch()
    {
        var (train, test) = Data();
        using var dir = new TempDir();
        using var stop = new CancellationTokenSource();
        using var model = new TinyConvNet(4, 3);
        var batches = new List<(int Epoch, int Batch)>();

        Assert.ThrowsAny<OperationCanceledException>(() => Trainer.Train(model, train, test, Options with { CheckpointDirectory = dir.Path },
            p =>
            {
                batches.Add((p.Epoch, p.Batch));
                if (p.Epoch == 2 && p.Batch == 2)
                {
                    stop.Cancel();
                }
            },
            stop.Token));

        Assert.Equal((2, 2), batches[^1]);
        Assert.Equal(Checkpoint.PathFor(dir.Path, "TinyConvNet", 1), Checkpoint.Latest(dir.Path, "TinyConvNet"));
        Assert.False(File.Exists(Checkpoint.PathFor(dir.Path, "TinyConvNet", 2)));
    }

    private static ((Tensor Inputs, Tensor Labels) Train, (Tensor Inputs, Tensor Labels) Test) Data() =>
        (TrainingTests.Synthetic(128, 1), TrainingTests.Synthetic(48, 2));

    /// <summary>A classifier with heavy dropout, so that a step or an evaluation in the wrong mode shows.</summary>
    private sealed class DropoutNet : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear dense;

        public DropoutNet()
            : base(nameof(DropoutNet))
        {
            dense = nn.Linear(28 * 28, 10);
            Dropout = nn.Dropout(0.9);
            RegisterComponents();
        }

        public TorchSharp.Modules.Dropout Dropout { get; }

        public override Tensor forward(Tensor input) => dense.call(Dropout.call(input.flatten(1)));
    }
}
