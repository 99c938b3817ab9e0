using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;

namespace LayerDsl.Export;

public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// Max pooling over H x W as ONNX <c>MaxPool</c>, as <c>nn.functional.max_pool2d</c> (padding counts as -inf;
    /// ceil mode drops a last window that would start in the padding, as PyTorch does).
    /// </summary>
    /// <param name="input">A value of shape [batch, C, H, W].</param>
    /// <param name="kernel">Window (height, width).</param>
    /// <param name="stride">Stride (height, width); the window when null.</param>
    /// <param name="padding">Padding (height, width) on both sides of each axis; none when null.</param>
    /// <param name="dilation">Spacing (height, width) between window elements; (1, 1) when null.</param>
    /// <param name="ceilMode">Whether a partial last window counts.</param>
    /// <param name="name">The layer's name; <c>maxPoolN</c> when null.</param>
    /// <returns>The output value, [batch, C, H', W'].</returns>
    /// <exception cref="ArgumentException">The input is not [batch, C, H, W] or smaller than the window.</exception>
    public string MaxPool2d(string input, (long Height, long Width) kernel, (long Height, long Width)? stride = null,
        (long Height, long Width)? padding = null, (long Height, long Width)? dilation = null, bool ceilMode = false,
        string? name = null) =>
        Pool(input, name, "MaxPool", nameof(MaxPool2d), Pair(kernel), Pair(stride ?? kernel), Pair(padding ?? (0, 0)),
            Pair(dilation ?? (1, 1)), ceilMode, countIncludePad: false);

    /// <summary>Max pooling as <see cref="MaxPool2d(string, ValueTuple{long, long}, ValueTuple{long, long}?, ValueTuple{long, long}?, ValueTuple{long, long}?, bool, string?)"/>, read from a <c>nn.MaxPool2d</c>.</summary>
    /// <param name="input">A value of shape [batch, C, H, W].</param>
    /// <param name="module">The pooling module.</param>
    /// <param name="name">The layer's name; <c>maxPoolN</c> when null.</param>
    /// <returns>The output value, [batch, C, H', W'].</returns>
    public string MaxPool2d(string input, MaxPool2d module, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        long[] kernel = Expand(module.kernel_size, 2);
        return Pool(input, name, "MaxPool", nameof(MaxPool2d), kernel, Expand(module.stride ?? kernel, 2),
            Expand(module.padding ?? new long[] { 0 }, 2), Expand(module.dilation ?? new long[] { 1 }, 2), module.ceil_mode, false);
    }

    /// <summary>
    /// Average pooling over H x W as ONNX <c>AveragePool</c>, as <c>nn.functional.avg_pool2d</c>
    /// (<paramref name="countIncludePad"/> as PyTorch's, true by default there).
    /// </summary>
    /// <param name="input">A value of shape [batch, C, H, W].</param>
    /// <param name="kernel">Window (height, width).</param>
    /// <param name="stride">Stride (height, width); the window when null.</param>
    /// <param name="padding">Zero padding (height, width) on both sides of each axis; none when null.</param>
    /// <param name="countIncludePad">Whether padded zeros count in the divisor.</param>
    /// <param name="name">The layer's name; <c>avgPoolN</c> when null.</param>
    /// <returns>The output value, [batch, C, H', W'].</returns>
    /// <exception cref="ArgumentException">The input is not [batch, C, H, W] or smaller than the window.</exception>
    public string AvgPool2d(string input, (long Height, long Width) kernel, (long Height, long Width)? stride = null,
        (long Height, long Width)? padding = null, bool countIncludePad = true, string? name = null) =>
        Pool(input, name, "AveragePool", nameof(AvgPool2d), Pair(kernel), Pair(stride ?? kernel), Pair(padding ?? (0, 0)),
            new long[] { 1, 1 }, false, countIncludePad);

    /// <summary>Average pooling as <see cref="AvgPool2d(string, ValueTuple{long, long}, ValueTuple{long, long}?, ValueTuple{long, long}?, bool, string?)"/>, read from a <c>nn.AvgPool2d</c>.</summary>
    /// <param name="input">A value of shape [batch, C, H, W].</param>
    /// <param name="module">The pooling module.</param>
    /// <param name="name">The layer's name; <c>avgPoolN</c> when null.</param>
    /// <returns>The output value, [batch, C, H', W'].</returns>
    /// <exception cref="NotSupportedException">Ceil mode or a divisor override.</exception>
    public string AvgPool2d(string input, AvgPool2d module, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckAverage(name, nameof(AvgPool2d), module.ceil_mode, module.divisor_override);
        long[] kernel = Expand(module.kernel_size, 2);
        return Pool(input, name, "AveragePool", nameof(AvgPool2d), kernel, Expand(module.stride ?? kernel, 2),
            Expand(module.padding ?? new long[] { 0 }, 2), new long[] { 1, 1 }, false, module.count_include_pad);
    }

    /// <summary>Max pooling over L as ONNX <c>MaxPool</c>, as <c>nn.functional.max_pool1d</c>.</summary>
    /// <param name="input">A value of shape [batch, C, L].</param>
    /// <param name="kernel">Window length.</param>
    /// <param name="stride">Stride; the window when null.</param>
    /// <param name="padding">Padding on both sides.</param>
    /// <param name="dilation">Spacing between window elements.</param>
    /// <param name="ceilMode">Whether a partial last window counts.</param>
    /// <param name="name">The layer's name; <c>maxPoolN</c> when null.</param>
    /// <returns>The output value, [batch, C, L'].</returns>
    /// <exception cref="ArgumentException">The input is not [batch, C, L] or shorter than the window.</exception>
    public string MaxPool1d(string input, long kernel, long? stride = null, long padding = 0, long dilation = 1,
        bool ceilMode = false, string? name = null) =>
        Pool(input, name, "MaxPool", nameof(MaxPool1d), new[] { kernel }, new[] { stride ?? kernel }, new[] { padding },
            new[] { dilation }, ceilMode, false);

    /// <summary>Max pooling as <see cref="MaxPool1d(string, long, long?, long, long, bool, string?)"/>, read from a <c>nn.MaxPool1d</c>.</summary>
    /// <param name="input">A value of shape [batch, C, L].</param>
    /// <param name="module">The pooling module.</param>
    /// <param name="name">The layer's name; <c>maxPoolN</c> when null.</param>
    /// <returns>The output value, [batch, C, L'].</returns>
    public string MaxPool1d(string input, MaxPool1d module, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        return MaxPool1d(input, module.kernel_size, module.stride ?? module.kernel_size, module.padding ?? 0,
            module.dilation ?? 1, module.ceil_mode, name);
    }

    /// <summary>Average pooling over L as ONNX <c>AveragePool</c>, as <c>nn.functional.avg_pool1d</c>.</summary>
    /// <param name="input">A value of shape [batch, C, L].</param>
    /// <param name="kernel">Window length.</param>
    /// <param name="stride">Stride; the window when null.</param>
    /// <param name="padding">Zero padding on both sides.</param>
    /// <param name="countIncludePad">Whether padded zeros count in the divisor.</param>
    /// <param name="name">The layer's name; <c>avgPoolN</c> when null.</param>
    /// <returns>The output value, [batch, C, L'].</returns>
    /// <exception cref="ArgumentException">The input is not [batch, C, L] or shorter than the window.</exception>
    public string AvgPool1d(string input, long kernel, long? stride = null, long padding = 0, bool countIncludePad = true,
        string? name = null) =>
        Pool(input, name, "AveragePool", nameof(AvgPool1d), new[] { kernel }, new[] { stride ?? kernel }, new[] { padding },
            new long[] { 1 }, false, countIncludePad);

    /// <summary>Average pooling as <see cref="AvgPool1d(string, long, long?, long, bool, string?)"/>, read from a <c>nn.AvgPool1d</c>.</summary>
    /// <param name="input">A value of shape [batch, C, L].</param>
    /// <param name="module">The pooling module.</param>
    /// <param name="name">The layer's name; <c>avgPoolN</c> when null.</param>
    /// <returns>The output value, [batch, C, L'].</returns>
    /// <exception cref="NotSupportedException">Ceil mode.</exception>
    public string AvgPool1d(string input, AvgPool1d module, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckAverage(name, nameof(AvgPool1d), module.ceil_mode, null);
        return AvgPool1d(input, module.kernel_size, module.stride ?? module.kernel_size, module.padding ?? 0,
            module.count_include_pad, name);
    }

    /// <summary>
    /// Global average pooling over every axis after the channels, as ONNX <c>GlobalAveragePool</c>, then
    /// <c>Flatten</c> to [batch, C] unless <paramref name="keepDims"/> (then [batch, C, 1, ...], as
    /// <c>nn.AdaptiveAvgPool2d(1)</c>).
    /// </summary>
    /// <param name="input">A value of shape [batch, C, L] or [batch, C, H, W].</param>
    /// <param name="keepDims">Whether to keep the pooled axes as ones.</param>
    /// <param name="name">The layer's name; <c>globalAvgPoolN</c> when null.</param>
    /// <returns>The output value.</returns>
    public string GlobalAvgPool(string input, bool keepDims = false, string? name = null) =>
        GlobalPool(input, keepDims, name, "GlobalAveragePool", "globalAvgPool");

    /// <summary>Global max pooling as ONNX <c>GlobalMaxPool</c>; shapes as <see cref="GlobalAvgPool"/>.</summary>
    /// <param name="input">A value of shape [batch, C, L] or [batch, C, H, W].</param>
    /// <param name="keepDims">Whether to keep the pooled axes as ones.</param>
    /// <param name="name">The layer's name; <c>globalMaxPoolN</c> when null.</param>
    /// <returns>The output value.</returns>
    public string GlobalMaxPool(string input, bool keepDims = false, string? name = null) =>
        GlobalPool(input, keepDims, name, "GlobalMaxPool", "globalMaxPool");

    private string GlobalPool(string input, bool keepDims, string? name, string opType, string prefix)
    {
        string layer = LayerName(name, prefix);
        long[] shape = Shape(input, layer);
        if (shape.Length is < 2 or > 3)
            throw new ArgumentException(
                $"The layer '{layer}' ({opType}) expects [batch, C, L] or [batch, C, H, W]; '{input}' has shape {FormatShape(shape)}.",
                nameof(input));
        long[] pooled = new[] { shape[0] }.Concat(Enumerable.Repeat(1L, shape.Length - 1)).ToArray();
        if (keepDims)
            return Final(layer, opType, new[] { input }, pooled);
        string value = Step(layer, "pool", opType, new[] { input }, pooled);
        return Final(layer, "Flatten", new[] { value }, new[] { shape[0] }, OnnxAttribute.Int("axis", 1));
    }

    private string Pool(string input, string? name, string opType, string kind, long[] kernel, long[] stride,
        long[] padding, long[] dilation, bool ceilMode, bool countIncludePad)
    {
        int rank = kernel.Length;
        string layer = LayerName(name, opType == "MaxPool" ? "maxPool" : "avgPool");
        long[] shape = Expect(input, layer, kind, rank + 1, rank == 1 ? "C, L" : "C, H, W");
        if (kernel.Any(k => k <= 0) || stride.Any(s => s <= 0) || dilation.Any(d => d <= 0) || padding.Any(p => p < 0))
            throw new ArgumentException(
                $"The layer '{layer}' ({kind}) has window [{string.Join(", ", kernel)}], stride [{string.Join(", ", stride)}], "
                + $"padding [{string.Join(", ", padding)}] and dilation [{string.Join(", ", dilation)}]: sizes must be positive and the padding not negative.");
        for (int i = 0; i < rank; i++)
        {
            if (padding[i] * 2 > kernel[i])
                throw new ArgumentException(
                    $"The layer '{layer}' ({kind}) pads {padding[i]} on axis {i + 2} with a window of {kernel[i]}: PyTorch allows at most half the window.");
        }
        long[] output = ConvolutionOutput(layer, kind, shape, shape[0], kernel, stride, padding, padding, dilation, ceilMode);
        var attributes = new List<OnnxAttribute>
        {
            OnnxAttribute.Ints("kernel_shape", kernel),
            OnnxAttribute.Ints("strides", stride),
            OnnxAttribute.Ints("pads", padding.Concat(padding).ToArray()),
            OnnxAttribute.Int("ceil_mode", ceilMode ? 1 : 0),
        };
        if (opType == "MaxPool")
            attributes.Add(OnnxAttribute.Ints("dilations", dilation));
        else
            attributes.Add(OnnxAttribute.Int("count_include_pad", countIncludePad ? 1 : 0));
        return Final(layer, opType, new[] { input }, output, attributes.ToArray());
    }

    private static void CheckAverage(string? name, string kind, bool ceilMode, long? divisorOverride)
    {
        if (ceilMode)
            throw new NotSupportedException(
                $"The layer '{name ?? kind}' ({kind}) uses ceil mode, whose divisor for partial windows ONNX's AveragePool does not define as PyTorch does: use ceil_mode = false, or pad explicitly.");
        if (divisorOverride is not null)
            throw new NotSupportedException(
                $"The layer '{name ?? kind}' ({kind}) overrides the divisor, which ONNX's AveragePool cannot express: remove divisor_override.");
    }

    private static long[] Pair((long Height, long Width) value) => new[] { value.Height, value.Width };
}
