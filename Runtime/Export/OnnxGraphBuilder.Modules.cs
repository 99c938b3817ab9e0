using System;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Export;

public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// Exports any supported module by its type: a user's <see cref="IOnnxExportable"/>, the LayerDsl modules,
    /// TorchSharp's convolutions, linear, pooling, normalisation, dropout, flatten, upsample, padding and activation
    /// modules, and <c>Sequential</c> (its children in order, named <c>name.index</c>).
    /// </summary>
    /// <param name="input">The module's input value.</param>
    /// <param name="module">The module.</param>
    /// <param name="name">The layer's name; generated from the module's kind when null.</param>
    /// <returns>The output value.</returns>
    /// <exception cref="NotSupportedException">The module has no ONNX export; the message names it and the fix.</exception>
    /// <exception cref="ArgumentException">The input's shape does not fit the module.</exception>
    public string Module(string input, nn.Module<Tensor, Tensor> module, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        switch (module)
        {
            case IOnnxExportable exportable:
                // The name is checked to be free but left unreserved, so the export may give it to its last node.
                string layer = FreeName(name, "layer");
                AnyShape(input, layer);
                return exportable.ExportOnnx(this, input, layer);
            case LayerDsl.Modules.MaskedConv2d m: return MaskedConv2d(input, m, name);
            case LayerDsl.Modules.DeformConv2d m: return DeformConv2d(input, m, name);
            case Conv2d m: return Conv2d(input, m, name);
            case Conv1d m: return Conv1d(input, m, name);
            case ConvTranspose2d m: return ConvTranspose2d(input, m, name);
            case Linear m: return Linear(input, m, name);
            case MaxPool2d m: return MaxPool2d(input, m, name);
            case AvgPool2d m: return AvgPool2d(input, m, name);
            case MaxPool1d m: return MaxPool1d(input, m, name);
            case AvgPool1d m: return AvgPool1d(input, m, name);
            case AdaptiveAvgPool2d m when m.output_size.All(s => s == 1): return GlobalAvgPool(input, keepDims: true, name);
            case AdaptiveMaxPool2d m when m.output_size.All(s => s == 1): return GlobalMaxPool(input, keepDims: true, name);
            case AdaptiveAvgPool1d { output_size: 1 }: return GlobalAvgPool(input, keepDims: true, name);
            case AdaptiveMaxPool1d { output_size: 1 }: return GlobalMaxPool(input, keepDims: true, name);
            case BatchNorm m: return BatchNorm(input, m, name);
            case LayerNorm m: return LayerNorm(input, m, name);
            case TorchSharp.Modules.Dropout or Dropout1d or Dropout2d or AlphaDropout or Identity: return Dropout(input);
            case TorchSharp.Modules.Flatten m: return FlattenModule(input, m, name);
            case Unflatten m: return UnflattenModule(input, m, name);
            case TorchSharp.Modules.Upsample m:
                string upsample = LayerName(name, "upsample");
                return Resize(upsample, input, m.size.IsEmpty ? m.scale_factor.ToArray() : null,
                    m.size.IsEmpty ? null : m.size.ToArray(), m.mode, m.align_corners ?? false);
            case ZeroPad2d m:
                long[] pads = Expand(m.padding, 4);
                return Pad2d(input, pads[0], pads[1], pads[2], pads[3], name);
            case ReLU: return Relu(input, name);
            case TorchSharp.Modules.Tanh: return Tanh(input, name);
            case TorchSharp.Modules.Sigmoid: return Sigmoid(input, name);
            case TorchSharp.Modules.Softmax m: return Softmax(input, m.dim, name);
            case GELU m: return Gelu(input, m.approximate == GELU.Approximate.tanh, name);
            case SiLU: return Silu(input, name);
            case LeakyReLU m: return LeakyRelu(input, m.negative_slope, name);
            case ELU m: return Elu(input, m.alpha, name);
            case Hardswish: return HardSwish(input, name);
            case Sequential sequential:
                string prefix = name ?? LayerName(null, "sequential");
                string x = input;
                foreach (var (childName, child) in sequential.named_children())
                {
                    if (child is not nn.Module<Tensor, Tensor> layerModule)
                        throw new NotSupportedException(
                            $"The layer '{prefix}.{childName}' ({child.GetType().Name}) is not a tensor-to-tensor module and has no ONNX export.");
                    x = Module(x, layerModule, $"{prefix}.{childName}");
                }
                return x;
            default:
                throw new NotSupportedException(
                    $"The layer '{name ?? module.GetName()}' ({module.GetType().FullName}) has no ONNX export. "
                    + $"Implement {typeof(IOnnxExportable).FullName} on {module.GetType().Name} to describe it with ONNX operators, or leave it out of the exported model.");
        }
    }

    private string FreeName(string? name, string prefix)
    {
        if (name is not null)
        {
            if (string.IsNullOrWhiteSpace(name) || names.Contains(name))
                throw new ArgumentException(
                    $"The name '{name}' is empty or already used in this graph: give every input, layer and output its own name.", nameof(name));
            return name;
        }
        for (int i = 1; ; i++)
        {
            if (!names.Contains($"{prefix}{i}"))
                return $"{prefix}{i}";
        }
    }

    private string FlattenModule(string input, TorchSharp.Modules.Flatten module, string? name)
    {
        string layer = name ?? "flatten";
        long[] shape = Shape(input, layer);
        long rank = shape.Length + 1;
        long start = module.start_dim < 0 ? module.start_dim + rank : module.start_dim;
        long end = module.end_dim < 0 ? module.end_dim + rank : module.end_dim;
        if (start < 1 || end >= rank || start > end)
            throw new NotSupportedException(
                $"The layer '{layer}' (Flatten) flattens dimensions {module.start_dim} to {module.end_dim} of a {rank}-D value: the export keeps the batch (dimension 0) apart.");
        if (start == 1 && end == rank - 1)
            return Flatten(input, name);
        long[] sample = shape.Take((int)start - 1)
            .Append(shape.Skip((int)start - 1).Take((int)(end - start + 1)).Aggregate(1L, (a, b) => a * b))
            .Concat(shape.Skip((int)end)).ToArray();
        return Reshape(input, sample, name);
    }

    private string UnflattenModule(string input, Unflatten module, string? name)
    {
        string layer = name ?? "unflatten";
        long[] shape = Shape(input, layer);
        long dim = module.dim < 0 ? module.dim + shape.Length + 1 : module.dim;
        if (dim < 1 || dim > shape.Length)
            throw new NotSupportedException(
                $"The layer '{layer}' (Unflatten) splits dimension {module.dim} of a {shape.Length + 1}-D value: the export keeps the batch (dimension 0) apart.");
        long[] sample = shape.Take((int)dim - 1).Concat(module.unflattened_size).Concat(shape.Skip((int)dim)).ToArray();
        return Reshape(input, sample, name);
    }
}
