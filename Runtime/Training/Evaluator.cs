using System;
using static TorchSharp.torch;

namespace LayerDsl.Training;

/// <summary>Scores a classifier: accuracy, mean cross-entropy and confusion matrix.</summary>
public static class Evaluator
{
    /// <summary>
    /// Evaluates <paramref name="model"/> on <paramref name="inputs"/> (<c>[N, ...]</c>) and <paramref name="labels"/> (int64
    /// class indices <c>[N]</c>) in eval mode without gradients, <paramref name="batchSize"/> examples at a time. The loss is
    /// the mean cross-entropy per example. <paramref name="classes"/> sizes the confusion matrix; null takes the model's
    /// output width (a LayerDsl model's <see cref="ModelInfo.OutputShape"/>, else the width of its output on the first input).
    /// A label outside the classes throws <see cref="DataMismatchException"/> naming it.
    /// </summary>
    public static EvaluationResult Evaluate(nn.Module<Tensor, Tensor> model, Tensor inputs, Tensor labels, int? classes = null, int batchSize = 1000, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        }

        string name = Checkpoint.ModelName(model);
        long count = inputs.shape[0];
        var classCount = classes is int given
            ? (given > 0 ? new ClassCount(given, "as the caller said") : throw new ArgumentOutOfRangeException(nameof(classes), given, "the number of classes must be positive"))
            : ClassCount.Of(model, name, inputs, device);
        classCount.CheckLabels(labels, count, "evaluation", name);
        int k = classCount.Count;

        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var outer = NewDisposeScope();
            var confusion = zeros((long)k * k, dtype: ScalarType.Int64, device: device ?? inputs.device);
            double lossSum = 0;
            long correct = 0;
            for (long start = 0; start < count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long length = Math.Min(batchSize, count - start);
                var x = inputs.narrow(0, start, length);
                var y = labels.narrow(0, start, length);
                if (device is not null)
                {
                    x = x.to(device);
                    y = y.to(device);
                }

                var logits = Trainer.Logits(model, x);
                if (logits.dim() != 2 || logits.shape[1] != k)
                {
                    throw new DataMismatchException(
                        $"{name}'s output has shape [{string.Join(", ", logits.shape)}] but {k} classes were expected; a classifier's output must be [batch, classes]");
                }

                lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).to_type(ScalarType.Float64).item<double>();
                var predicted = logits.argmax(1);
                correct += predicted.eq(y).sum().item<long>();
                confusion.add_(y.mul(k).add(predicted).bincount(null, (long)k * k));
            }

            long[] flat = confusion.cpu().data<long>().ToArray();
            var matrix = new long[k][];
            for (int row = 0; row < k; row++)
            {
                matrix[row] = flat.AsSpan(row * k, k).ToArray();
            }

            return new EvaluationResult((int)count, count == 0 ? 0 : (double)correct / count, count == 0 ? 0 : lossSum / count, matrix);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
