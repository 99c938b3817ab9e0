using System.Collections.Generic;
using static TorchSharp.torch;

namespace LayerDsl;

/// <summary>What every LayerDsl-generated block offers beyond <c>forward</c>: the input shape it was built for and a per-layer trace.</summary>
public interface ILayerBlock
{
    /// <summary>The shape of one sample of the block's input, without the batch, as given to its constructor.</summary>
    IReadOnlyList<long> InputShape { get; }

    /// <summary>Runs the block and returns every layer's output (layers of nested blocks included, children before the block that holds them), its own output last; the caller owns the tensors.</summary>
    IReadOnlyList<Tensor> ForwardTrace(Tensor input);
}
