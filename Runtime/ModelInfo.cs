using System.Collections.Generic;

namespace LayerDsl;

/// <summary>One layer of a generated model, as inferred at compile time.</summary>
/// <param name="Name">Field-style name, stable across builds (<c>conv1</c>, <c>flatten1</c>, <c>dense1</c>).</param>
/// <param name="Kind">The attribute's layer kind (<c>Conv2D</c>, <c>MaskedConv</c>, ...).</param>
/// <param name="Description">The layer as declared, e.g. <c>MaskedConv(5, 32)</c>.</param>
/// <param name="OutputShape">Output shape without the batch dimension, in TorchSharp order (<c>[C, H, W]</c>, <c>[C, L]</c> or <c>[F]</c>).</param>
/// <param name="Parameters">Trainable parameters of the layer.</param>
public sealed record LayerInfo(string Name, string Kind, string Description, IReadOnlyList<long> OutputShape, long Parameters);

/// <summary>A generated model's architecture, as inferred at compile time.</summary>
/// <param name="Name">The model's class name.</param>
/// <param name="InputShape">Input shape without the batch dimension, in TorchSharp order (<c>[C, H, W]</c>, <c>[C, L]</c> or <c>[F]</c>).</param>
/// <param name="OutputShape">Output shape without the batch dimension.</param>
/// <param name="Layers">Every layer in order.</param>
/// <param name="Parameters">Trainable parameters of the whole model.</param>
/// <param name="OutputActivation">The activation the model ends in; <see cref="Activation.Softmax"/> means <c>forward</c> returns probabilities and <see cref="ILayerModel.ForwardLogits"/> the logits.</param>
/// <param name="Summary">A Keras-style table of layers, output shapes and parameter counts.</param>
public sealed record ModelInfo(
    string Name,
    IReadOnlyList<long> InputShape,
    IReadOnlyList<long> OutputShape,
    IReadOnlyList<LayerInfo> Layers,
    long Parameters,
    Activation OutputActivation,
    string Summary)
{
    /// <summary>For a model of token ids (<c>[Input(length, Tokens = n)]</c>), the vocabulary <c>n</c>: its input is int64 ids below it. 0 for real-valued input.</summary>
    public long InputTokens { get; init; }
}
