using static TorchSharp.torch;

namespace LayerDsl.Training;

/// <summary>How to train: the origin's settings are the defaults (1 epoch, batch 128, RMSprop at 1e-3, seed 0).</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Examples per optimisation step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Learning rate of the optimizer.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.RmsProp;

    /// <summary>
    /// How the learning rate moves over the run, batch by batch, with <see cref="LearningRate"/> as its peak;
    /// <see cref="LearningRateSchedule.Constant"/> by default. The schedule spans <see cref="Epochs"/>, so a run under a
    /// schedule resumes only with the same number of epochs.
    /// </summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>The optimizer's L2 penalty on the weights, added to every gradient (PyTorch's <c>weight_decay</c>); 0 (the default) turns it off.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Momentum of <see cref="OptimizerKind.Sgd"/> or <see cref="OptimizerKind.RmsProp"/>, in [0, 1); 0 (the default) turns it off. Adam has its own (beta 1) and takes none.</summary>
    public double Momentum { get; init; }

    /// <summary>
    /// Label smoothing of the training loss, in [0, 1): the target puts this much probability evenly over every class and
    /// the rest on the true one (PyTorch's <c>label_smoothing</c>); 0 (the default) turns it off. The test loss is always
    /// plain cross-entropy.
    /// </summary>
    public double LabelSmoothing { get; init; }

    /// <summary>Seed of the shuffling order (each epoch derives its own from it). Seed the weights with <see cref="Trainer.Seed(int)"/> before building the model.</summary>
    public int Seed { get; init; }

    /// <summary>Where to train; null means the device the training data is on.</summary>
    public Device? Device { get; init; }

    /// <summary>Examples per batch when evaluating (memory only; it does not change results).</summary>
    public int EvaluationBatchSize { get; init; } = 1000;

    /// <summary>Folder for one checkpoint per epoch; null writes none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>
    /// Continue from the last checkpoint in <see cref="CheckpointDirectory"/> when there is one (it must have been trained
    /// with the same model name, optimizer, learning rate, batch size, seed, number of training examples, augmentation,
    /// data description, schedule, weight decay, momentum and label smoothing, and under a schedule the same number of
    /// epochs); without one,
    /// training starts afresh and <see cref="TrainingResult.ResumedFromEpoch"/> is 0.
    /// </summary>
    public bool Resume { get; init; }

    /// <summary>
    /// Data augmentation of every training batch (random crop, horizontal flip, random erasing); <see cref="Augmentation.None"/>
    /// by default. Recorded in checkpoints: a run resumes only with the same augmentation.
    /// </summary>
    public Augmentation Augmentation { get; init; } = Augmentation.None;

    /// <summary>
    /// What was done to the data before it reached the trainer (for instance the transforms applied to it), in words;
    /// recorded in checkpoints, and a run resumes only with the same text. Null: nothing to record.
    /// </summary>
    public string? DataDescription { get; init; }

    /// <summary>
    /// The name checkpoint files, progress reports and results use; null means the model's own name (a LayerDsl model's
    /// <see cref="ModelInfo.Name"/>, else its class name). Give distinct names to distinct models sharing a checkpoint directory.
    /// </summary>
    public string? ModelName { get; init; }
}
