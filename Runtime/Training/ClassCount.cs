using System.Linq;
using static TorchSharp.torch;

namespace LayerDsl.Training;

/// <summary>How many classes a classifier has and where that number was read from, so that an error can say both.</summary>
/// <param name="Count">The number of classes (the width of the model's logits).</param>
/// <param name="Source">Where <paramref name="Count"/> comes from, e.g. <c>from its output shape [10]</c>.</param>
internal sealed record ClassCount(int Count, string Source)
{
    /// <summary>
    /// The class count of <paramref name="model"/>: the single dimension of a LayerDsl model's compile-time output shape,
    /// else the width of the model's output for the first of <paramref name="inputs"/> (run in eval mode, without gradients).
    /// </summary>
    public static ClassCount Of(nn.Module<Tensor, Tensor> model, string name, Tensor inputs, Device? device)
    {
        if (model is ILayerModel layered)
        {
            var shape = layered.Info.OutputShape;
            if (shape.Count != 1)
            {
                throw new DataMismatchException(
                    $"{name}'s output shape is {Format(shape.ToArray())}; a classifier's output must be [classes], one logit per class (end the model with a Dense layer of that many units)");
            }

            return new ClassCount(checked((int)shape[0]), $"from its output shape [{shape[0]}]");
        }

        if (inputs.shape[0] == 0)
        {
            throw new DataMismatchException($"{name} does not declare its number of classes and there is no input to measure its output on");
        }

        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var first = inputs.narrow(0, 0, 1);
            var logits = Trainer.Logits(model, device is null ? first : first.to(device));
            if (logits.dim() != 2)
            {
                throw new DataMismatchException(
                    $"{name}'s output for one input has shape {Format(logits.shape)}; a classifier's output must be [batch, classes], one logit per class");
            }

            return new ClassCount(checked((int)logits.shape[1]), "from the width of its output on the first input");
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// Throws <see cref="DataMismatchException"/> unless <paramref name="labels"/> are int64 <c>[N]</c> with
    /// N = <paramref name="inputCount"/> and every label in <c>[0, Count)</c>; the message names the first label outside.
    /// </summary>
    /// <param name="labels">The labels.</param>
    /// <param name="inputCount">How many inputs they label.</param>
    /// <param name="dataName">The data set as the message names it (<c>training</c>, <c>test</c>).</param>
    /// <param name="model">The model's name.</param>
    public void CheckLabels(Tensor labels, long inputCount, string dataName, string model)
    {
        if (labels.dtype != ScalarType.Int64)
        {
            throw new DataMismatchException(
                $"the {dataName} labels are {labels.dtype}; they must be int64 class indices (convert them with labels.to_type(ScalarType.Int64))");
        }

        if (labels.dim() != 1)
        {
            throw new DataMismatchException($"the {dataName} labels have shape {Format(labels.shape)}; they must be [N], one class index per input");
        }

        if (labels.shape[0] != inputCount)
        {
            throw new DataMismatchException($"{inputCount} {dataName} inputs but {labels.shape[0]} {dataName} labels; every input needs one label");
        }

        if (inputCount == 0)
        {
            return;
        }

        using var scope = NewDisposeScope();
        var outside = labels.lt(0).logical_or(labels.ge(Count));
        if (outside.any().item<bool>())
        {
            long index = outside.nonzero()[0, 0].item<long>();
            long value = labels[index].item<long>();
            throw new DataMismatchException(
                $"{dataName} label {value} at index {index} is outside 0-{Count - 1}: {model} has {Count} classes ({Source}); labels must be class indices below that");
        }
    }

    private static string Format(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
