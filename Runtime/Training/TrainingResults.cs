using System;
using System.Collections.Generic;

namespace LayerDsl.Training;

/// <summary>Where training is, reported after every batch.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Epoch">The epoch in progress, from 1.</param>
/// <param name="Epochs">Epochs in all.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches in an epoch.</param>
/// <param name="Loss">Mean training loss so far in this epoch.</param>
/// <param name="Accuracy">Training accuracy so far in this epoch (a fraction).</param>
/// <param name="ImagesPerSecond">Training throughput so far in this epoch, in examples per second.</param>
/// <param name="Elapsed">Time spent in this epoch.</param>
/// <param name="Remaining">Estimated time to the end of this epoch.</param>
public sealed record TrainingProgress(
    string Model, int Epoch, int Epochs, int Batch, int Batches, double Loss, double Accuracy, double ImagesPerSecond, TimeSpan Elapsed, TimeSpan Remaining);

/// <summary>One epoch's outcome.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="TrainLoss">Mean training loss over the epoch.</param>
/// <param name="TrainAccuracy">Training accuracy over the epoch (a fraction).</param>
/// <param name="TestLoss">Mean cross-entropy on the test set after the epoch.</param>
/// <param name="TestAccuracy">Accuracy on the test set after the epoch (a fraction).</param>
/// <param name="TrainSeconds">Wall time of the epoch's training (not evaluation).</param>
/// <param name="ImagesPerSecond">Training throughput of the epoch, in examples per second.</param>
public sealed record EpochResult(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss, double TestAccuracy, double TrainSeconds, double ImagesPerSecond);

/// <summary>A model's score on a labelled data set.</summary>
/// <param name="Count">Examples scored.</param>
/// <param name="Accuracy">Fraction classified correctly.</param>
/// <param name="Loss">Mean cross-entropy per example.</param>
/// <param name="ConfusionMatrix">Counts by true class (row) and predicted class (column), one row and column per class of the model.</param>
public sealed record EvaluationResult(int Count, double Accuracy, double Loss, long[][] ConfusionMatrix);

/// <summary>The outcome of training one model.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="History">Every epoch, including those restored from a checkpoint.</param>
/// <param name="Final">The final evaluation on the test set.</param>
/// <param name="ResumedFromEpoch">The checkpoint epoch training resumed from (0 when it started afresh).</param>
public sealed record TrainingResult(string Model, long Parameters, IReadOnlyList<EpochResult> History, EvaluationResult Final, int ResumedFromEpoch)
{
    /// <summary>Training wall time over all epochs.</summary>
    public double TrainSeconds
    {
        get
        {
            double total = 0;
            foreach (var epoch in History)
            {
                total += epoch.TrainSeconds;
            }

            return total;
        }
    }

    /// <summary>Training throughput over all epochs.</summary>
    public double ImagesPerSecond
    {
        get
        {
            double images = 0;
            foreach (var epoch in History)
            {
                images += epoch.ImagesPerSecond * epoch.TrainSeconds;
            }

            return TrainSeconds > 0 ? images / TrainSeconds : 0;
        }
    }
}
