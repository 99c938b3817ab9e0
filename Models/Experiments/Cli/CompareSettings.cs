using System.Collections.Generic;
using LayerDsl.Experiments.Data;
using LayerDsl.Training;

namespace LayerDsl.Experiments.Cli;

/// <summary>Everything <c>compare</c> was asked to do; the defaults are the origin's settings.</summary>
internal sealed record CompareSettings
{
    /// <summary>The models to compare, by any name the catalog resolves.</summary>
    public IReadOnlyList<string> Models { get; init; } = System.Array.Empty<string>();

    public int Epochs { get; init; } = 1;

    public int BatchSize { get; init; } = 128;

    public double LearningRate { get; init; } = 1e-3;

    public OptimizerKind Optimizer { get; init; } = OptimizerKind.RmsProp;

    /// <summary>The learning-rate schedule over the run (constant by default).</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Constant;

    /// <summary>The optimizer's L2 penalty (0: none).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Momentum of SGD or RMSprop (0: none).</summary>
    public double Momentum { get; init; }

    /// <summary>Label smoothing of the training loss (0: none).</summary>
    public double LabelSmoothing { get; init; }

    public int Seed { get; init; }

    public int Seeds { get; init; } = 1;

    public int? TrainLimit { get; init; }

    public int? TestLimit { get; init; }

    /// <summary>Intra-op threads; null keeps TorchSharp's default (one per core).</summary>
    public int? Threads { get; init; }

    public string? Data { get; init; }

    public string? Out { get; init; }

    public bool Resume { get; init; }

    public string Device { get; init; } = "cpu";

    /// <summary>Transforms of the training images, drawn per seed.</summary>
    public ImageTransform TrainTransform { get; init; } = ImageTransform.None;

    /// <summary>Transforms of the test images, drawn per seed.</summary>
    public ImageTransform TestTransform { get; init; } = ImageTransform.None;

    /// <summary>Augmentation of every training batch.</summary>
    public Augmentation Augmentation { get; init; } = Augmentation.None;

    /// <summary>Whether to write report.md and its charts next to results.json.</summary>
    public bool Report { get; init; }

    /// <summary>The command's arguments as given, to print the command that resumes the run after an interruption.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = new[] { "compare" };

    /// <summary>Whether to download the dataset when it is found nowhere (tests turn it off).</summary>
    public bool AllowDownload { get; init; } = true;
}
