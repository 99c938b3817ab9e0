using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;

namespace LayerDsl.Export;

public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// <c>nn.Conv2d</c> as ONNX <c>Conv</c> (kernel, stride, dilation and groups of any shape, with or without bias);
    /// zero padding goes into <c>Conv</c>'s pads, reflect and replicate padding into a <c>Pad</c> before it.
    /// </summary>
    /// <param name="input">A value of shape [batch, C, H, W] with the module's input channels.</param>
    /// <param name="module">The convolution; its current weights are copied.</param>
    /// <param name="name">The layer's name; <c>convN</c> when null.</param>
    /// <returns>The output value, [batch, F, H', W'].</returns>
    /// <exception cref="ArgumentException">The input's shape does not fit the module.</exception>
    /// <exception cref="NotSupportedException">Circular padding.</exception>
    public string Conv2d(string input, Conv2d module, string? name = null) =>
        Convolution(input, module, name, 2, nameof(Conv2d));

    /// <summary>
    /// <c>nn.Conv1d</c> as ONNX <c>Conv</c> over [batch, C, L]; padding as for <see cref="Conv2d"/>.
    /// </summary>
    /// <param name="input">A value of shape [batch, C, L] with the module's input channels.</param>
    /// <param name="module">The convolution; its current weights are copied.</param>
    /// <param name="name">The layer's name; <c>convN</c> when null.</param>
    /// <returns>The output value, [batch, F, L'].</returns>
    /// <exception cref="ArgumentException">The input's shape does not fit the module.</exception>
    /// <exception cref="NotSupportedException">Circular padding.</exception>
    public string Conv1d(string input, Conv1d module, string? name = null) =>
        Convolution(input, module, name, 1, nameof(Conv1d));

    /// <summary>
    /// <c>nn.ConvTranspose2d</c> as ONNX <c>ConvTranspose</c> with its pads, strides, dilations, groups and
    /// <c>output_padding</c>: <c>H' = (H - 1) s - 2 p + d (k - 1) + output_padding + 1</c>. Cut the result with
    /// <see cref="Crop2d"/> for other sizes. The output padding must be equal on both axes, as TorchSharp's module
    /// applies it.
    /// </summary>
    /// <param name="input">A value of shape [batch, C, H, W] with the module's input channels.</param>
    /// <param name="module">The transposed convolution; its current weights are copied.</param>
    /// <param name="name">The layer's name; <c>convTransposeN</c> when null.</param>
    /// <returns>The output value, [batch, F, H', W'].</returns>
    /// <exception cref="ArgumentException">The input's shape does not fit the module.</exception>
    /// <exception cref="NotSupportedException">Unequal output padding on the two axes.</exception>
    public string ConvTranspose2d(string input, ConvTranspose2d module, string? name = null) =>
        ConvTranspose2d(input, module, name, outputPadding: null);

    /// <summary>
    /// As <see cref="ConvTranspose2d(string, ConvTranspose2d, string?)"/>, for a module the model calls with an output
    /// size (TorchSharp's <c>forward(x, outputSize)</c>), which gives each axis its own output padding:
    /// <paramref name="outputPadding"/> (height, width) is the padding that size amounts to.
    /// </summary>
    public string ConvTranspose2d(string input, ConvTranspose2d module, string? name, long[]? outputPadding)
    {
        ArgumentNullException.ThrowIfNull(module);
        string layer = LayerName(name, "convTranspose");
        long[] shape = Expect(input, layer, nameof(ConvTranspose2d), 3, "C, H, W", module.in_channels);
        long[] kernel = Expand(module.kernel_size, 2), stride = Expand(module.stride, 2);
        long[] dilation = Expand(module.dilation, 2);
        bool explicitPadding = outputPadding is not null;
        outputPadding = Expand(outputPadding ?? module.output_padding ?? new long[] { 0 }, 2);
        long[] padding = Expand(module.padding ?? new long[] { 0 }, 2);
        if (module.padding_type is not null && module.padding_type != TorchSharp.Padding.Valid)
            throw new NotSupportedException($"The layer '{layer}' (ConvTranspose2d) has padding '{module.padding_type}', which PyTorch does not define for transposed convolutions.");
        // TorchSharp 0.107's module applies the first output padding to both axes (the functional form does not), so
        // an export of unequal values would disagree with the model it comes from, unless the model gives the output size.
        if (!explicitPadding && outputPadding[0] != outputPadding[1])
            throw new NotSupportedException(
                $"The layer '{layer}' (ConvTranspose2d) has the output padding ({outputPadding[0]}, {outputPadding[1]}), which TorchSharp's module applies as "
                + $"({outputPadding[0]}, {outputPadding[0]}): use equal values, and Pad2d or Crop2d for the rest.");
        long[] output = new long[3];
        output[0] = module.out_channels;
        for (int i = 0; i < 2; i++)
        {
            output[i + 1] = (shape[i + 1] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1) + outputPadding[i] + 1;
            if (output[i + 1] <= 0)
                throw new ArgumentException(
                    $"The layer '{layer}' (ConvTranspose2d) gives no output for the input {FormatShape(shape)}: its padding {padding[i]} is too large.",
                    nameof(input));
        }
        var inputs = new List<string> { input, Weight(layer, "weight", module.weight) };
        if (module.bias is not null)
            inputs.Add(Weight(layer, "bias", module.bias));
        return Final(layer, "ConvTranspose", inputs.ToArray(), output,
            OnnxAttribute.Ints("kernel_shape", kernel),
            OnnxAttribute.Ints("strides", stride),
            OnnxAttribute.Ints("pads", padding.Concat(padding).ToArray()),
            OnnxAttribute.Ints("dilations", dilation),
            OnnxAttribute.Ints("output_padding", outputPadding),
            OnnxAttribute.Int("group", module.groups));
    }

    private string Convolution(string input, Convolution module, string? name, int rank, string kind)
    {
        ArgumentNullException.ThrowIfNull(module);
        string layer = LayerName(name, "conv");
        long[] shape = Expect(input, layer, kind, rank + 1, rank == 1 ? "C, L" : "C, H, W", module.in_channels);
        long[] kernel = Expand(module.kernel_size, rank), stride = Expand(module.stride, rank);
        long[] dilation = Expand(module.dilation, rank);
        var (begin, end) = ConvolutionPadding(module, rank, kernel, dilation);

        string x = input;
        if (module.padding_mode != PaddingModes.Zeros && (begin.Any(p => p != 0) || end.Any(p => p != 0)))
        {
            string mode = module.padding_mode switch
            {
                PaddingModes.Reflect => "reflect",
                PaddingModes.Replicate => "edge",
                _ => throw new NotSupportedException(
                    $"The layer '{layer}' ({kind}) pads in '{module.padding_mode}' mode, which the ONNX export does not support: use zeros, reflect or replicate padding."),
            };
            (x, shape) = PadSpatial(layer, "pad", x, shape, begin, end, mode);
            begin = new long[rank];
            end = new long[rank];
        }

        long[] output = ConvolutionOutput(layer, kind, shape, module.out_channels, kernel, stride, begin, end, dilation);
        var inputs = new List<string> { x, Weight(layer, "weight", module.weight) };
        if (module.bias is not null)
            inputs.Add(Weight(layer, "bias", module.bias));
        return Final(layer, "Conv", inputs.ToArray(), output, ConvolutionAttributes(kernel, stride, begin, end, dilation, module.groups));
    }

    /// <summary>The begin and end padding of each spatial axis, as PyTorch applies it (for 'same', the extra one at the end).</summary>
    private static (long[] Begin, long[] End) ConvolutionPadding(Convolution module, int rank, long[] kernel, long[] dilation)
    {
        if (module.padding_type == TorchSharp.Padding.Same)
        {
            long[] total = Enumerable.Range(0, rank).Select(i => dilation[i] * (kernel[i] - 1)).ToArray();
            return (total.Select(t => t / 2).ToArray(), total.Select(t => t - (t / 2)).ToArray());
        }
        if (module.padding_type == TorchSharp.Padding.Valid)
            return (new long[rank], new long[rank]);
        long[] padding = Expand(module.padding ?? new long[] { 0 }, rank);
        return (padding, (long[])padding.Clone());
    }

    private static OnnxAttribute[] ConvolutionAttributes(long[] kernel, long[] stride, long[] begin, long[] end,
        long[] dilation, long groups) => new[]
    {
        OnnxAttribute.Ints("kernel_shape", kernel),
        OnnxAttribute.Ints("strides", stride),
        OnnxAttribute.Ints("pads", begin.Concat(end).ToArray()),
        OnnxAttribute.Ints("dilations", dilation),
        OnnxAttribute.Int("group", groups),
    };

    /// <summary>[channels, spatial outputs...] of a sliding window, or a clear error when the input is too small.</summary>
    private static long[] ConvolutionOutput(string layer, string kind, long[] shape, long channels, long[] kernel,
        long[] stride, long[] begin, long[] end, long[] dilation, bool ceilMode = false)
    {
        long[] output = new long[shape.Length];
        output[0] = channels;
        for (int i = 0; i < kernel.Length; i++)
        {
            long size = shape[i + 1], span = dilation[i] * (kernel[i] - 1) + 1;
            if (size + begin[i] + end[i] < span)
                throw new ArgumentException(
                    $"The layer '{layer}' ({kind}) has a window of {span} on axis {i + 2}, larger than the input {FormatShape(shape)} with its padding ({begin[i]} + {end[i]}).",
                    "input");
            long extent = size + begin[i] + end[i] - span;
            long count = ceilMode ? (extent + stride[i] - 1) / stride[i] + 1 : extent / stride[i] + 1;
            // PyTorch's ceil mode drops a last window that would start in the end padding.
            if (ceilMode && (count - 1) * stride[i] >= size + begin[i])
                count--;
            output[i + 1] = count;
        }
        return output;
    }

    /// <summary>A per-axis setting broadcast to every spatial axis (TorchSharp keeps a single value for all).</summary>
    private static long[] Expand(long[] values, int rank) =>
        values.Length == rank ? (long[])values.Clone()
        : values.Length == 1 ? Enumerable.Repeat(values[0], rank).ToArray()
        : throw new NotSupportedException($"A window setting [{string.Join(", ", values)}] does not fit {rank} spatial axes.");
}
