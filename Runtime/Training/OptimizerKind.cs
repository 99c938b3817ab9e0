using System;
using System.Collections.Generic;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Training;

/// <summary>The optimizers the trainer offers.</summary>
public enum OptimizerKind
{
    /// <summary>RMSprop with PyTorch's defaults (alpha 0.99, epsilon 1e-8), the origin's optimizer.</summary>
    RmsProp = 0,

    /// <summary>Adam (beta 0.9 / 0.999, epsilon 1e-8).</summary>
    Adam = 1,

    /// <summary>Plain stochastic gradient descent, no momentum.</summary>
    Sgd = 2,
}

/// <summary>Creates optimizers by kind, and names them (the names checkpoints record).</summary>
public static class Optimizers
{
    /// <summary>The optimizers' names, in <see cref="OptimizerKind"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "rmsprop", "adam", "sgd" };

    /// <summary>The name of <paramref name="kind"/> (<c>rmsprop</c>, <c>adam</c>, <c>sgd</c>).</summary>
    public static string Name(OptimizerKind kind) => Names[(int)kind];

    /// <summary>Parses <c>rmsprop</c>, <c>adam</c> or <c>sgd</c> (any case).</summary>
    public static OptimizerKind Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "rmsprop" => OptimizerKind.RmsProp,
        "adam" => OptimizerKind.Adam,
        "sgd" => OptimizerKind.Sgd,
        _ => throw new ArgumentException($"unknown optimizer '{name}': use one of {string.Join(", ", Names)}", nameof(name)),
    };

    /// <summary>Creates an optimizer of <paramref name="kind"/> over <paramref name="parameters"/> with learning rate <paramref name="learningRate"/>.</summary>
    public static OptimizerHelper Create(OptimizerKind kind, IEnumerable<Parameter> parameters, double learningRate) => kind switch
    {
        OptimizerKind.RmsProp => optim.RMSProp(parameters, lr: learningRate),
        OptimizerKind.Adam => optim.Adam(parameters, lr: learningRate),
        OptimizerKind.Sgd => optim.SGD(parameters, learningRate),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
