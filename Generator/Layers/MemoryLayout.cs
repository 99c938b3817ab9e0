using System.Collections.Generic;
using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Layers;

/// <summary>
/// Where a model switches its feature maps to channels-last strides (NHWC in memory, same shape and values). A 2-D
/// convolution over several channels runs on oneDNN's channels-last kernels then, with no reordering of its input and
/// output around every call; BatchNorm, activations, pooling and residual sums keep the layout. Measured on a ResNet-style
/// model at batch 128 on the CPU: about 1.2× faster training at one thread. Only models made entirely of layers whose
/// emitted code and TorchSharp modules take any strides are switched (user layers, for one, may call <c>view</c>), and
/// only where a convolution reads several channels (a one-channel map is the same in both layouts).
/// </summary>
internal static class MemoryLayout
{
    /// <summary>The statement that switches <c>x</c> to channels-last strides.</summary>
    public const string Statement = "x = global::LayerDsl.MemoryLayout.ChannelsLast(x);";

    /// <summary>The statement that gives <c>x</c> the default (contiguous) layout again, for a model's feature-map output.</summary>
    public const string Restore = "x = x.contiguous();";

    /// <summary>
    /// The index of the first top-level layer that reads a map of several channels, in a model that gains from
    /// channels-last (the switch goes just before it); -1 when the model keeps the default layout.
    /// </summary>
    public static int ChannelsLastAt(EquatableArray<LayerTrace> layers)
    {
        var all = layers.SelectMany(WithNested).ToList();
        if (!all.All(Supported) || !all.Any(ConvolvesChannels))
        {
            return -1;
        }

        for (var i = 0; i < layers.Count; i++)
        {
            if (layers[i].Input.Rank == 3 && layers[i].Input[0] > 1)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The layer and every layer inside its blocks, at any depth.</summary>
    private static IEnumerable<LayerTrace> WithNested(LayerTrace layer) =>
        new[] { layer }.Concat(layer.Branches.SelectMany(branch => branch.Layers.SelectMany(WithNested)));

    private static bool Supported(LayerTrace layer) =>
        layer.Layer is Conv2DLayer or DepthwiseConv2DLayer or BatchNormLayer or ActivationLayer or PoolLayer
            or GlobalPoolLayer or DropoutLayer or FlattenLayer or DenseLayer or ResidualLayer or UseLayer or BranchesLayer;

    private static bool ConvolvesChannels(LayerTrace layer) =>
        layer.Layer is Conv2DLayer or DepthwiseConv2DLayer && layer.Input.Rank == 3 && layer.Input[0] > 1;
}
