using System;
using static TorchSharp.torch;

namespace LayerDsl.Training;

/// <summary>Scores a classifier: accuracy, mean cross-entropy and confusion matrix.</summary>
public static class Evaluator
{
    /// <summary>
    /// Evaluates <paramref name="model"/> on <paramref name="images"/> / <paramref name="labels"/> in eval mode without gradients,
    /// <paramref name="batchSize"/> images at a time; <paramref name="classes"/> sizes the confusion matrix.
    /// </summary>
    public static EvaluationResult Evaluate(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels, int classes = 10, int batchSize = 1000, Device? device = null)
    {
        long count = images.shape[0];
        if (labels.shape[0] != count)
        {
            throw new ArgumentException($"{count} images but {labels.shape[0]} labels", nameof(labels));
        }

        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var outer = NewDisposeScope();
            var confusion = zeros(classes * classes, dtype: ScalarType.Int64, device: device ?? images.device);
            double lossSum = 0;
            long correct = 0;
            for (long start = 0; start < count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                long length = Math.Min(batchSize, count - start);
                var x = images.narrow(0, start, length);
                var y = labels.narrow(0, start, length);
                if (device is not null)
                {
                    x = x.to(device);
                    y = y.to(device);
                }

                var logits = Trainer.Logits(model, x);
                lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).to_type(ScalarType.Float64).item<double>();
                var predicted = logits.argmax(1);
                correct += predicted.eq(y).sum().item<long>();
                confusion.add_(y.mul(classes).add(predicted).bincount(null, classes * classes));
            }

            long[] flat = confusion.cpu().data<long>().ToArray();
            var matrix = new long[classes][];
            for (int row = 0; row < classes; row++)
            {
                matrix[row] = flat.AsSpan(row * classes, classes).ToArray();
            }

            return new EvaluationResult((int)count, count == 0 ? 0 : (double)correct / count, count == 0 ? 0 : lossSum / count, matrix);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
