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
    public static OptimizerKind Parse(string name) => (OptimizerKind)OptionNames.IndexOf(Names, name, "optimizer");

    /// <summary>Creates an optimizer of <paramref name="kind"/> over <paramref name="parameters"/> with learning rate <paramref name="learningRate"/>.</summary>
    public static OptimizerHelper Create(OptimizerKind kind, IEnumerable<Parameter> parameters, double learningRate) =>
        Create(kind, parameters, learningRate, weightDecay: 0, momentum: 0);

    /// <summary>
    /// Creates an optimizer of <paramref name="kind"/> over <paramref name="parameters"/> with learning rate
    /// <paramref name="learningRate"/>, L2 penalty <paramref name="weightDecay"/> (PyTorch's <c>weight_decay</c>) and
    /// <paramref name="momentum"/> (SGD and RMSprop only). Throws <see cref="ArgumentOutOfRangeException"/> for a negative
    /// weight decay, a momentum outside [0, 1), or momentum for Adam.
    /// </summary>
    public static OptimizerHelper Create(OptimizerKind kind, IEnumerable<Parameter> parameters, double learningRate, double weightDecay, double momentum)
    {
        Validate(kind, weightDecay, momentum);
        return kind switch
        {
            OptimizerKind.RmsProp => optim.RMSProp(parameters, lr: learningRate, weight_decay: weightDecay, momentum: momentum),
            OptimizerKind.Adam => optim.Adam(parameters, lr: learningRate, weight_decay: weightDecay),
            OptimizerKind.Sgd => optim.SGD(parameters, learningRate, momentum: momentum, weight_decay: weightDecay),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming a weight decay or momentum that <paramref name="kind"/> cannot take, and the fix.</summary>
    public static void Validate(OptimizerKind kind, double weightDecay, double momentum)
    {
        if (!(weightDecay >= 0) || double.IsInfinity(weightDecay))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "the weight decay must be a number of at least 0 (0 turns it off)");
        }

        if (!(momentum >= 0 && momentum < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "the momentum must be at least 0 and below 1 (0 turns it off)");
        }

        if (kind == OptimizerKind.Adam && momentum != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "adam takes no momentum (its beta 1, 0.9, plays that part); use sgd or rmsprop with a momentum, or set it to 0");
        }
    }
}
