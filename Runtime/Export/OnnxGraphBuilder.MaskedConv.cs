using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Export;

public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// The attention-masked convolution (<see cref="LayerDsl.Modules.MaskedConv2d"/>) in standard ONNX operators:
    /// <list type="number">
    /// <item>mask: <c>Conv</c> (the module's mask convolution) then <c>Tanh</c> or <c>Sigmoid</c>, [batch, k², H', W'];</item>
    /// <item>unfold: a grouped <c>Conv</c> (group = C) with fixed one-hot kernels, [C k², 1, k, k], whose output
    /// channel c k² + t copies tap t of channel c, [batch, C k², H', W'], the channel order of <c>unfold</c>; every
    /// output is one input value times 1, so it is exact;</item>
    /// <item>masking: <c>Reshape</c> both to [batch, C, k², H', W'] and [batch, 1, k², H', W'] and <c>Mul</c>
    /// (broadcast over the channels), then <c>Reshape</c> back to [batch, C k², H', W'];</item>
    /// <item>filter bank: a 1 x 1 <c>Conv</c> with the weight [F, C k²] viewed as [F, C k², 1, 1] (and the bias),
    /// then the activation.</item>
    /// </list>
    /// </summary>
    /// <param name="input">A value of shape [batch, C, H, W] with the module's input channels.</param>
    /// <param name="module">The layer; its current weights are copied.</param>
    /// <param name="name">The layer's name; <c>maskedConvN</c> when null.</param>
    /// <returns>The output value, [batch, F, H', W'].</returns>
    /// <exception cref="ArgumentException">The input's shape does not fit the module.</exception>
    public string MaskedConv2d(string input, LayerDsl.Modules.MaskedConv2d module, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        string layer = LayerName(name, "maskedConv");
        const string kind = nameof(MaskedConv2d);
        long channels = module.InChannels, k = module.KernelSize, taps = k * k, filters = module.Filters;
        long[] shape = Expect(input, layer, kind, 3, "C, H, W", channels);
        long[] kernel = { k, k }, stride = { module.Stride, module.Stride }, padding = { module.Padding, module.Padding };
        long[] one = { 1, 1 };
        long[] maskShape = ConvolutionOutput(layer, kind, shape, taps, kernel, stride, padding, padding, one);
        long outHeight = maskShape[1], outWidth = maskShape[2];
        var parameters = module.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

        // 1. The mask, one weight per tap and output position.
        string logits = Step(layer, "mask_logits", "Conv",
            new[] { input, Weight(layer, "mask.weight", parameters["mask.weight"]), Weight(layer, "mask.bias", parameters["mask.bias"]) },
            maskShape, ConvolutionAttributes(kernel, stride, padding, padding, one, 1));
        string mask = Step(layer, "mask", module.MaskActivation == MaskActivation.Sigmoid ? "Sigmoid" : "Tanh",
            new[] { logits }, maskShape);

        // 2. The patches: channel c * k² + i * k + j holds input channel c at tap (i, j).
        float[] oneHot = new float[channels * taps * taps];
        for (long c = 0; c < channels; c++)
            for (long t = 0; t < taps; t++)
                oneHot[((c * taps) + t) * taps + t] = 1f;
        string patches = Step(layer, "unfold", "Conv",
            new[] { input, Constant(layer, "unfold_kernel", oneHot, channels * taps, 1, k, k) },
            new[] { channels * taps, outHeight, outWidth },
            ConvolutionAttributes(kernel, stride, padding, padding, one, channels));

        // 3. patches * mask, the mask broadcast over the channels.
        long[] perChannel = { channels, taps, outHeight, outWidth };
        string patches5 = Step(layer, "patches", "Reshape",
            new[] { patches, Int64s(layer, "patches_shape", new long[] { 0 }.Concat(perChannel).ToArray()) }, perChannel);
        string mask5 = Step(layer, "mask_broadcast", "Reshape",
            new[] { mask, Int64s(layer, "mask_shape", 0, 1, taps, outHeight, outWidth) }, new[] { 1, taps, outHeight, outWidth });
        string masked5 = Step(layer, "masked", "Mul", new[] { patches5, mask5 }, perChannel);
        string masked = Step(layer, "masked_columns", "Reshape",
            new[] { masked5, Int64s(layer, "columns_shape", 0, channels * taps, outHeight, outWidth) },
            new[] { channels * taps, outHeight, outWidth });

        // 4. W . columns as a 1 x 1 convolution, then the activation.
        long[] output = { filters, outHeight, outWidth };
        var inputs = new List<string> { masked, Weight(layer, "weight", parameters["weight"], new[] { filters, channels * taps, 1, 1 }) };
        if (parameters.TryGetValue("bias", out Tensor? bias))
            inputs.Add(Weight(layer, "bias", bias));
        long[] pointwise = { 1, 1 }, none = { 0, 0 };
        return ActivateLayer(layer, module.Activation, "filters", "Conv", inputs.ToArray(), output,
            ConvolutionAttributes(pointwise, pointwise, none, none, pointwise, 1));
    }

    /// <summary>
    /// A layer's last operator followed by its fused DSL activation: the value keeps the layer's name after the
    /// activation, and is <c>layer/step</c> before it.
    /// </summary>
    internal string ActivateLayer(string layer, Activation activation, string step, string opType, string[] inputs,
        long[] shape, params OnnxAttribute[] attributes)
    {
        if (activation == LayerDsl.Activation.None)
            return Final(layer, opType, inputs, shape, attributes);
        string value = Step(layer, step, opType, inputs, shape, attributes);
        return EmitActivation(layer, value, shape, activation);
    }
}
