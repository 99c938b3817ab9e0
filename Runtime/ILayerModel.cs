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

    /// <summary>
    /// The model's PyTorch twin, as inferred at compile time: a self-contained Python module defining a
    /// <c>torch.nn.Module</c> of the model's class name, constructed without arguments, with the same state-dict keys and
    /// parameter layouts, whose <c>forward</c> and <c>forward_logits</c> compute what <c>forward</c> and
    /// <see cref="ForwardLogits"/> do.
    /// </summary>
    /// <remarks>A model written by hand rather than generated has none: the default throws.</remarks>
    string PyTorchSource => throw NotGenerated(nameof(PyTorchSource));

    /// <summary>
    /// Writes the model with its current weights as an ONNX file (input <c>input</c>, output <c>output</c>, dynamic batch),
    /// checking every layer before anything is written.
    /// </summary>
    /// <param name="path">The .onnx file, written atomically.</param>
    /// <param name="opset">The ONNX operator set, 17 to 22.</param>
    /// <param name="logits">Leave out a final softmax, as <see cref="ForwardLogits"/> does.</param>
    /// <exception cref="System.NotSupportedException">A layer has no ONNX export; the message names it.</exception>
    void ExportOnnx(string path, int opset = 17, bool logits = false) => throw NotGenerated(nameof(ExportOnnx));

    /// <summary>Writes the weights in PyTorch's format: <c>model.load_state_dict(torch.load(path))</c> loads them into the twin.</summary>
    /// <param name="path">The file to write.</param>
    void SaveForPyTorch(string path) => throw NotGenerated(nameof(SaveForPyTorch));

    /// <summary>Reads weights saved by PyTorch into the model (keys and shapes must match, or nothing changes).</summary>
    /// <param name="path">The file to read.</param>
    void LoadFromPyTorch(string path) => throw NotGenerated(nameof(LoadFromPyTorch));

    private System.NotSupportedException NotGenerated(string member) => new(
        $"{GetType().Name} implements ILayerModel by hand, so it has no {member}: LayerDsl generates it for models declared with layer attributes. "
        + "For a module of your own, use LayerDsl.Export.OnnxGraphBuilder and LayerDsl.Export.PyTorchWeights directly.");
}
