using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Training;

/// <summary>
/// Trains any classifier (a LayerDsl model or any <c>Module&lt;Tensor, Tensor&gt;</c> returning logits) on any labelled
/// data with cross-entropy, evaluates it after every epoch, and writes a checkpoint per epoch. The same seed gives the same
/// shuffling, so the same initial weights give the same accuracies.
/// </summary>
public static class Trainer
{
    /// <summary>Seeds TorchSharp's global generator; call it before building a model so its initial weights are reproducible.</summary>
    public static void Seed(int seed)
    {
        torch.manual_seed(seed);
    }

    /// <summary>
    /// The model's logits: <see cref="ILayerModel.ForwardLogits"/> when the model is a LayerDsl model ending in a softmax,
    /// else its output (a module that is not a LayerDsl model must return logits).
    /// </summary>
    public static Tensor Logits(nn.Module<Tensor, Tensor> model, Tensor input) =>
        model is ILayerModel { Info.OutputActivation: Activation.Softmax } layered ? layered.ForwardLogits(input) : model.call(input);

    /// <summary>
    /// Trains the classifier <paramref name="model"/> (already on <see cref="TrainingOptions.Device"/>) with cross-entropy on
    /// its logits and evaluates it on <paramref name="test"/> after every epoch. Inputs are float tensors <c>[N, ...]</c> of
    /// whatever shape the model takes; labels are int64 class indices <c>[N]</c>. Both may stay on the CPU: each batch is
    /// moved to the device. The number of classes is the model's output width (a LayerDsl model's
    /// <see cref="ModelInfo.OutputShape"/>, else the width of its output on the first input); a label outside it, or data
    /// that does not fit the model, throws <see cref="DataMismatchException"/> before any training. With a
    /// <see cref="TrainingOptions.CheckpointDirectory"/> every epoch is checkpointed atomically; with
    /// <see cref="TrainingOptions.Resume"/> training continues from the latest checkpoint there (throwing
    /// <see cref="ResumeMismatchException"/> when it was trained with other settings). Cancelling
    /// <paramref name="cancellationToken"/> stops at the next batch with <see cref="OperationCanceledException"/>; finished
    /// epochs stay checkpointed.
    /// </summary>
    public static TrainingResult Train(
        nn.Module<Tensor, Tensor> model,
        (Tensor Inputs, Tensor Labels) train,
        (Tensor Inputs, Tensor Labels) test,
        TrainingOptions options,
        Action<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "batch size must be positive");
        }

        if (options.Epochs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, "epochs cannot be negative");
        }

        if (options.LearningRate is not > 0 || double.IsInfinity(options.LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LearningRate, "the learning rate must be a positive number");
        }

        if (!(options.LabelSmoothing >= 0 && options.LabelSmoothing < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LabelSmoothing, "the label smoothing must be at least 0 and below 1 (0 turns it off)");
        }

        Optimizers.Validate(options.Optimizer, options.WeightDecay, options.Momentum);
        var augmentation = options.Augmentation ?? Augmentation.None;
        augmentation.Validate();
        options = options with { Augmentation = augmentation };
        string name = options.ModelName ?? Checkpoint.ModelName(model);
        Device device = options.Device ?? train.Inputs.device;
        long count = train.Inputs.shape[0];
        var classes = ClassCount.Of(model, name, train.Inputs, device);
        classes.CheckLabels(train.Labels, count, "training", name);
        classes.CheckLabels(test.Labels, test.Inputs.shape[0], "test", name);
        if (!augmentation.IsNone && train.Inputs.dim() != 4)
        {
            throw new DataMismatchException(
                $"augmentation ({augmentation.Describe()}) works on images [N, C, H, W], but the training inputs have shape [{string.Join(", ", train.Inputs.shape)}]; turn augmentation off for data that is not images");
        }

        long parameters = 0;
        foreach (var p in model.parameters())
        {
            parameters += p.numel();
        }

        using var optimizer = Optimizers.Create(options.Optimizer, model.parameters(), options.LearningRate, options.WeightDecay, options.Momentum);
        var history = new List<EpochResult>();
        int startEpoch = 1;
        int resumedFrom = 0;
        if (options.Resume && options.CheckpointDirectory is not null && Checkpoint.Latest(options.CheckpointDirectory, name) is string latest)
        {
            Checkpoint.CheckResumable(latest, Checkpoint.ReadMetadata(latest), name, options, count);
            var metadata = Checkpoint.Load(latest, model, optimizer);
            history.AddRange(metadata.History);
            resumedFrom = metadata.Epoch;
            startEpoch = metadata.Epoch + 1;
        }

        int batches = (int)((count + options.BatchSize - 1) / options.BatchSize);
        NativeMemory.KeepFreedMemory();
        EvaluationResult? final = null;
        for (int epoch = startEpoch; epoch <= options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (loss, accuracy, seconds) = TrainEpoch(model, optimizer, train, options, device, name, epoch, batches, progress, cancellationToken);
            final = Evaluator.Evaluate(model, test.Inputs, test.Labels, classes.Count, options.EvaluationBatchSize, device);
            NativeMemory.ReturnFreedMemory();
            var result = new EpochResult(epoch, loss, accuracy, final.Loss, final.Accuracy, seconds, seconds > 0 ? count / seconds : 0);
            history.Add(result);
            if (options.CheckpointDirectory is not null)
            {
                Checkpoint.Save(Checkpoint.PathFor(options.CheckpointDirectory, name, epoch), model, optimizer, new CheckpointMetadata
                {
                    Model = name,
                    Epoch = epoch,
                    Optimizer = Optimizers.Name(options.Optimizer),
                    LearningRate = options.LearningRate,
                    BatchSize = options.BatchSize,
                    Seed = options.Seed,
                    TrainingExamples = count,
                    Augmentation = augmentation.Describe(),
                    Data = options.DataDescription,
                    Schedule = LearningRateSchedules.Name(options.Schedule),
                    Epochs = options.Epochs,
                    WeightDecay = options.WeightDecay,
                    Momentum = options.Momentum,
                    LabelSmoothing = options.LabelSmoothing,
                    Tensors = Checkpoint.Describe(model),
                    History = history.ToArray(),
                });
            }
        }

        // Nothing left to train (resumed at or past the last epoch): the final score is that of the restored weights.
        final ??= Evaluator.Evaluate(model, test.Inputs, test.Labels, classes.Count, options.EvaluationBatchSize, device);
        return new TrainingResult(name, parameters, history, final, resumedFrom);
    }

    private static (double Loss, double Accuracy, double Seconds) TrainEpoch(
        nn.Module<Tensor, Tensor> model,
        OptimizerHelper optimizer,
        (Tensor Inputs, Tensor Labels) train,
        TrainingOptions options,
        Device device,
        string name,
        int epoch,
        int batches,
        Action<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        model.train();
        long count = train.Inputs.shape[0];
        var stopwatch = Stopwatch.StartNew();
        double lossSum = 0;
        long correct = 0;
        long seen = 0;

        // Each epoch's order depends only on (seed, epoch), so a resumed run shuffles exactly as an uninterrupted one.
        using var generator = new Generator(unchecked((ulong)options.Seed * 1_000_003UL + (ulong)epoch));
        using var order = randperm(count, generator: generator);
        for (int batch = 0; batch < batches; batch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            long start = (long)batch * options.BatchSize;
            long length = Math.Min(options.BatchSize, count - start);
            var indices = order.narrow(0, start, length).to(train.Inputs.device);
            var x = train.Inputs.index_select(0, indices).to(device);
            var y = train.Labels.index_select(0, indices).to(device);
            if (!options.Augmentation.IsNone)
            {
                using var random = Augmentation.BatchGenerator(options.Seed, epoch, batch);
                x = options.Augmentation.Apply(x, random);
            }

            LearningRateSchedules.Apply(optimizer, options.Schedule, options.LearningRate, ((long)(epoch - 1) * batches) + batch, (long)options.Epochs * batches);
            optimizer.zero_grad();
            var logits = Logits(model, x);
            var loss = nn.functional.cross_entropy(logits, y, label_smoothing: options.LabelSmoothing);
            loss.backward();
            optimizer.step();

            lossSum += loss.to_type(ScalarType.Float64).item<double>() * length;
            correct += logits.argmax(1).eq(y).sum().item<long>();
            seen += length;
            if (NativeMemory.ReleaseFinalizedEachBatch)
                NativeMemory.ReleaseFinalizedNativeMemory();
            if ((batch + 1) % 25 == 0)
                NativeMemory.ReturnFreedMemoryIfGrown();
            if (progress is not null)
            {
                var elapsed = stopwatch.Elapsed;
                double rate = seen / Math.Max(elapsed.TotalSeconds, 1e-9);
                progress(new TrainingProgress(
                    name, epoch, options.Epochs, batch + 1, batches, lossSum / seen, (double)correct / seen, rate, elapsed,
                    TimeSpan.FromSeconds((count - seen) / Math.Max(rate, 1e-9))));
            }
        }

        return (seen == 0 ? 0 : lossSum / seen, seen == 0 ? 0 : (double)correct / seen, stopwatch.Elapsed.TotalSeconds);
    }
}
