using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Export;

public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// <c>nn.Linear</c> as ONNX <c>Gemm</c> (<c>x W^T + b</c>, transB = 1), preceded by <c>Flatten</c> (axis 1) when
    /// the input has more than one dimension per sample, as the DSL's Dense does.
    /// </summary>
    /// <param name="input">A value whose sample holds the module's input features.</param>
    /// <param name="module">The linear layer; its current weights are copied.</param>
    /// <param name="name">The layer's name; <c>denseN</c> when null.</param>
    /// <returns>The output value, [batch, out_features].</returns>
    /// <exception cref="ArgumentException">The sample size differs from the module's input features.</exception>
    public string Linear(string input, Linear module, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        string layer = LayerName(name, "dense");
        long[] shape = Shape(input, layer);
        if (Size(shape) != module.in_features)
            throw new ArgumentException(
                $"The layer '{layer}' (Linear) expects {module.in_features} input features; '{input}' has shape {FormatShape(shape)}, "
                + $"{string.Join(" x ", shape)} = {Size(shape)} a sample. Give the layer {Size(shape)} input features or fix the layer before it.",
                nameof(input));
        string x = shape.Length == 1
            ? input
            : Step(layer, "flatten", "Flatten", new[] { input }, new[] { Size(shape) }, OnnxAttribute.Int("axis", 1));
        var inputs = new List<string> { x, Weight(layer, "weight", module.weight) };
        if (module.bias is not null)
            inputs.Add(Weight(layer, "bias", module.bias));
        return Final(layer, "Gemm", inputs.ToArray(), new[] { module.out_features }, OnnxAttribute.Int("transB", 1));
    }

    /// <summary>
    /// <c>nn.BatchNorm1d</c> or <c>nn.BatchNorm2d</c> at evaluation time (running mean and variance) as ONNX
    /// <c>BatchNormalization</c>; without affine parameters, scale 1 and shift 0.
    /// </summary>
    /// <param name="input">A value of shape [batch, C], [batch, C, L] or [batch, C, H, W] with the module's channels.</param>
    /// <param name="module">The batch normalisation; its running statistics and parameters are copied.</param>
    /// <param name="name">The layer's name; <c>batchNormN</c> when null.</param>
    /// <returns>The output value, shaped as the input.</returns>
    /// <exception cref="ArgumentException">The input's channels differ from the module's features.</exception>
    /// <exception cref="NotSupportedException">The module keeps no running statistics.</exception>
    public string BatchNorm(string input, BatchNorm module, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        string layer = LayerName(name, "batchNorm");
        string kind = module.GetType().Name;
        long[] shape = Shape(input, layer);
        int expectedRank = module is BatchNorm2d ? 3 : module is BatchNorm1d ? 0 : 4;
        bool rankFits = expectedRank == 0 ? shape.Length is 1 or 2 : shape.Length == expectedRank;
        if (!rankFits || shape[0] != module.num_features)
            throw new ArgumentException(
                $"The layer '{layer}' ({kind}) expects {module.num_features} channels in an input of shape "
                + $"{(module is BatchNorm2d ? "[batch, C, H, W]" : module is BatchNorm1d ? "[batch, C] or [batch, C, L]" : "[batch, C, D, H, W]")}; "
                + $"'{input}' has shape {FormatShape(shape)}.",
                nameof(input));
        if (module.running_mean is null || module.running_var is null)
            throw new NotSupportedException(
                $"The layer '{layer}' ({kind}) keeps no running statistics (track_running_stats = false), so its evaluation uses each batch's own: ONNX export needs running statistics.");
        long channels = module.num_features;
        string scale = module.weight is not null ? Weight(layer, "weight", module.weight) : Constant(layer, "weight", Ones(channels), channels);
        string shift = module.bias is not null ? Weight(layer, "bias", module.bias) : Constant(layer, "bias", new float[channels], channels);
        string mean = Weight(layer, "running_mean", module.running_mean);
        string variance = Weight(layer, "running_var", module.running_var);
        return Final(layer, "BatchNormalization", new[] { input, scale, shift, mean, variance }, shape,
            OnnxAttribute.Float("epsilon", (float)module.eps));
    }

    /// <summary>
    /// <c>nn.LayerNorm</c> as ONNX <c>LayerNormalization</c> (opset 17) over the last dimensions, as many as the
    /// module's normalized shape (one: over the features); without affine parameters, scale 1.
    /// </summary>
    /// <param name="input">A value whose last dimensions equal the module's normalized shape.</param>
    /// <param name="module">The layer normalisation; its parameters are copied.</param>
    /// <param name="name">The layer's name; <c>layerNormN</c> when null.</param>
    /// <returns>The output value, shaped as the input.</returns>
    /// <exception cref="ArgumentException">The input's last dimensions differ from the normalized shape.</exception>
    public string LayerNorm(string input, LayerNorm module, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        string layer = LayerName(name, "layerNorm");
        long[] shape = Shape(input, layer);
        long[] normalized = module.normalized_shape;
        if (normalized.Length > shape.Length || !shape.Skip(shape.Length - normalized.Length).SequenceEqual(normalized))
            throw new ArgumentException(
                $"The layer '{layer}' (LayerNorm) normalises over the last dimensions [{string.Join(", ", normalized)}]; '{input}' has shape {FormatShape(shape)}.",
                nameof(input));
        var inputs = new List<string>
        {
            input,
            module.weight is not null ? Weight(layer, "weight", module.weight) : Constant(layer, "weight", Ones(Size(normalized)), normalized),
        };
        if (module.bias is not null)
            inputs.Add(Weight(layer, "bias", module.bias));
        return Final(layer, "LayerNormalization", inputs.ToArray(), shape,
            OnnxAttribute.Int("axis", -normalized.Length),
            OnnxAttribute.Float("epsilon", (float)module.eps));
    }

    private static float[] Ones(long count) => Enumerable.Repeat(1f, checked((int)count)).ToArray();
}
