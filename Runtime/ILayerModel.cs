using System.Collections.Generic;
using static TorchSharp.torch;

namespace LayerDsl;

/// <summary>What every LayerDsl-generated model offers beyond <c>forward</c>: its compile-time shapes, its logits, and a per-layer trace.</summary>
public interface ILayerModel
{
    /// <summary>The architecture as the generator inferred it at compile time.</summary>
    ModelInfo Info { get; }

    /// <summary>
    /// The forward pass without a final softmax (identical to <c>forward</c> when the model does not end in one),
    /// so training can use a numerically stable loss on logits.
    /// </summary>
    Tensor ForwardLogits(Tensor input);

    /// <summary>Runs the model and returns every layer's output, in layer order (the caller owns the tensors).</summary>
    IReadOnlyList<Tensor> ForwardTrace(Tensor input);
}
