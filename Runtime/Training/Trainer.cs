using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Training;

/// <summary>
/// Trains a classifier with cross-entropy on logits, evaluates it on the test set after every epoch, and writes a
/// checkpoint per epoch. The same seed gives the same shuffling, so the same initial weights give the same accuracies.
/// </summary>
public static class Trainer
{
    /// <summary>Seeds TorchSharp's global generator; call it before building a model so its initial weights are reproducible.</summary>
    public static void Seed(int seed)
    {
        torch.manual_seed(seed);
        torch.random.manual_seed(seed);
    }

    /// <summary>
    /// The model's logits: <see cref="ILayerModel.ForwardLogits"/> when the model ends in a softmax, else its forward output.
    /// </summary>
    public static Tensor Logits(nn.Module<Tensor, Tensor> model, Tensor input) =>
        model is ILayerModel { Info.OutputActivation: Activation.Softmax } layered ? layered.ForwardLogits(input) : model.forward(input);

    /// <summary>
    /// Trains <paramref name="model"/> (already on <see cref="TrainingOptions.Device"/>) on the training tensors and evaluates it on
    /// the test tensors after every epoch. Images are float <c>[N, C, H, W]</c>, labels int64 <c>[N]</c>; they may stay on the CPU,
    /// each batch is moved to the device. Resumes from the last checkpoint when asked to.
    /// </summary>
    public static TrainingResult Train(
        nn.Module<Tensor, Tensor> model,
        (Tensor Images, Tensor Labels) train,
        (Tensor Images, Tensor Labels) test,
        TrainingOptions options,
        Action<TrainingProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        if (options.BatchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "batch size must be positive");
        }

        string name = Checkpoint.ModelName(model);
        Device device = options.Device ?? train.Images.device;
        long parameters = 0;
        foreach (var p in model.parameters())
        {
            parameters += p.numel();
        }

        using var optimizer = Optimizers.Create(options.Optimizer, model.parameters(), options.LearningRate);
        var history = new List<EpochResult>();
        int startEpoch = 1;
        int resumedFrom = 0;
        if (options.Resume && options.CheckpointDirectory is not null && Checkpoint.Latest(options.CheckpointDirectory, name) is string latest)
        {
            var metadata = Checkpoint.Load(latest, model, optimizer);
            history.AddRange(metadata.History);
            resumedFrom = metadata.Epoch;
            startEpoch = metadata.Epoch + 1;
        }

        int count = (int)train.Images.shape[0];
        int batches = (count + options.BatchSize - 1) / options.BatchSize;
        EvaluationResult? final = null;
        for (int epoch = startEpoch; epoch <= options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (loss, accuracy, seconds) = TrainEpoch(model, optimizer, train, options, device, name, epoch, batches, progress, cancellationToken);
            final = Evaluator.Evaluate(model, test.Images, test.Labels, 10, options.EvaluationBatchSize, device);
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
                    Tensors = Checkpoint.Describe(model),
                    History = history.ToArray(),
                });
            }
        }

        // Nothing left to train (resumed at or past the last epoch): the final score is that of the restored weights.
        final ??= Evaluator.Evaluate(model, test.Images, test.Labels, 10, options.EvaluationBatchSize, device);
        return new TrainingResult(name, parameters, history, final, resumedFrom);
    }

    private static (double Loss, double Accuracy, double Seconds) TrainEpoch(
        nn.Module<Tensor, Tensor> model,
        OptimizerHelper optimizer,
        (Tensor Images, Tensor Labels) train,
        TrainingOptions options,
        Device device,
        string name,
        int epoch,
        int batches,
        Action<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        model.train();
        long count = train.Images.shape[0];
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
            var indices = order.narrow(0, start, length).to(train.Images.device);
            var x = train.Images.index_select(0, indices).to(device);
            var y = train.Labels.index_select(0, indices).to(device);

            optimizer.zero_grad();
            var logits = Logits(model, x);
            var loss = nn.functional.cross_entropy(logits, y);
            loss.backward();
            optimizer.step();

            lossSum += loss.to_type(ScalarType.Float64).item<double>() * length;
            correct += logits.argmax(1).eq(y).sum().item<long>();
            seen += length;
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
