using System;
using System.Collections.Generic;
using TorchSharp.Modules;

namespace LayerDsl.Training;

/// <summary>How the learning rate moves over a training run, batch by batch.</summary>
public enum LearningRateSchedule
{
    /// <summary>The learning rate throughout (the default, and the origin's setting).</summary>
    Constant = 0,

    /// <summary>Cosine annealing from the learning rate down to zero over every batch of the run (PyTorch's <c>CosineAnnealingLR</c> with <c>T_max</c> the run's batches).</summary>
    Cosine = 1,

    /// <summary>
    /// The one-cycle policy (Smith and Topin, 2019) with PyTorch's <c>OneCycleLR</c> defaults and the learning rate as its
    /// peak: from peak / 25 up to the peak over the first 30 % of the run's batches, then down to peak / 250,000, both halves
    /// along a cosine. Momentum is not cycled.
    /// </summary>
    OneCycle = 2,
}

/// <summary>
/// The learning rate of every batch under a <see cref="LearningRateSchedule"/>: a pure function of the batch's position in
/// the run, so a resumed run follows exactly the schedule of an uninterrupted one with no scheduler state to save.
/// </summary>
public static class LearningRateSchedules
{
    /// <summary>The fraction of a one-cycle run spent rising to the peak (PyTorch's <c>pct_start</c>).</summary>
    public const double OneCycleRise = 0.3;

    /// <summary>The peak divided by a one-cycle run's starting learning rate (PyTorch's <c>div_factor</c>).</summary>
    public const double OneCycleStartDivisor = 25;

    /// <summary>The starting learning rate divided by a one-cycle run's final one (PyTorch's <c>final_div_factor</c>).</summary>
    public const double OneCycleFinalDivisor = 1e4;

    /// <summary>The schedules' names, in <see cref="LearningRateSchedule"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "constant", "cosine", "one-cycle" };

    /// <summary>The name of <paramref name="schedule"/> (<c>constant</c>, <c>cosine</c>, <c>one-cycle</c>).</summary>
    public static string Name(LearningRateSchedule schedule) => Names[(int)schedule];

    /// <summary>Parses <c>constant</c>, <c>cosine</c> or <c>one-cycle</c> (any case).</summary>
    public static LearningRateSchedule Parse(string name) => (LearningRateSchedule)OptionNames.IndexOf(Names, name, "learning-rate schedule");

    /// <summary>
    /// The learning rate of batch <paramref name="step"/> (0 for the run's first) of a run of <paramref name="steps"/>
    /// batches whose schedule peaks at (or, constant, stays at) <paramref name="learningRate"/>.
    /// </summary>
    public static double At(LearningRateSchedule schedule, double learningRate, long step, long steps)
    {
        if (steps < 1 || step < 0 || step >= steps)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, $"a batch of a run of {steps} batches is numbered from 0 to {steps - 1}");
        }

        switch (schedule)
        {
            case LearningRateSchedule.Constant:
                return learningRate;
            case LearningRateSchedule.Cosine:
                return learningRate * (1 + Math.Cos(Math.PI * step / steps)) / 2;
            case LearningRateSchedule.OneCycle:
                // PyTorch's two phases: the rise ends at batch pct_start * steps - 1, the fall at the last batch.
                double start = learningRate / OneCycleStartDivisor;
                double end = start / OneCycleFinalDivisor;
                double peakStep = (OneCycleRise * steps) - 1;
                return step <= peakStep
                    ? Anneal(start, learningRate, peakStep <= 0 ? 1 : step / peakStep)
                    : Anneal(learningRate, end, (step - peakStep) / (steps - 1 - peakStep));
            default:
                throw new ArgumentOutOfRangeException(nameof(schedule), schedule, null);
        }

        static double Anneal(double from, double to, double fraction) => to + ((from - to) / 2 * (Math.Cos(Math.PI * fraction) + 1));
    }

    /// <summary>Sets the learning rate of every parameter group of <paramref name="optimizer"/> for batch <paramref name="step"/> of <paramref name="steps"/>; nothing under <see cref="LearningRateSchedule.Constant"/>.</summary>
    internal static void Apply(OptimizerHelper optimizer, LearningRateSchedule schedule, double learningRate, long step, long steps)
    {
        if (schedule == LearningRateSchedule.Constant)
        {
            return;
        }

        double rate = At(schedule, learningRate, step, steps);
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }
    }
}
