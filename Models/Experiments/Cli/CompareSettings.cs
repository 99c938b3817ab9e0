using System.Collections.Generic;
using LayerDsl.Training;

namespace LayerDsl.Models.Cli;

/// <summary>Everything <c>compare</c> was asked to do; the defaults are the origin's settings.</summary>
internal sealed record CompareSettings
{
    public static IReadOnlyList<string> DefaultModels { get; } = new[] { "StandardCnn", "MaskedConvNet" };

    public IReadOnlyList<string> Models { get; init; } = DefaultModels;

    public int Epochs { get; init; } = 1;

    public int BatchSize { get; init; } = 128;

    public double LearningRate { get; init; } = 1e-3;

    public OptimizerKind Optimizer { get; init; } = OptimizerKind.RmsProp;

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

    /// <summary>Whether to download the dataset when it is found nowhere (tests turn it off).</summary>
    public bool AllowDownload { get; init; } = true;
}
