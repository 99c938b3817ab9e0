using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace LayerDsl.Export;

public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// The deformable convolution (<see cref="LayerDsl.Modules.DeformConv2d"/>): its offset (and mask) branches as
    /// <c>Conv</c> (and <c>Sigmoid</c>), then the sampling in one of two ways (<paramref name="lowering"/>):
    /// <list type="bullet">
    /// <item>ONNX's <c>DeformConv</c> (opset 19 or newer; ONNX Runtime runs it on the CPU), whose offset and mask
    /// layouts are torchvision's;</item>
    /// <item>below opset 19, or on request, standard operators around <c>GridSample</c> (opset 16): the regular
    /// sampling grid is a constant in normalised coordinates, the offsets are split with <c>Reshape</c> and
    /// <c>Gather</c>, scaled with <c>Mul</c> and added, stacked with <c>Unsqueeze</c> and <c>Concat</c>;
    /// <c>GridSample</c> (bilinear, zeros outside, align_corners = 0) reads every tap of every position from the
    /// input padded with <c>Pad</c> to power-of-two sides, as the module itself does, so both normalisations are
    /// exact; the mask multiplies the samples (<c>Mul</c>), and a 1 x 1 grouped <c>Conv</c> applies the filter
    /// bank.</item>
    /// </list>
    /// then the activation.
    /// </summary>
    /// <param name="input">A value of shape [batch, C, H, W] with the module's input channels.</param>
    /// <param name="module">The layer; its current weights are copied.</param>
    /// <param name="name">The layer's name; <c>deformConvN</c> when null.</param>
    /// <param name="lowering">The operators to use; by opset when <see cref="DeformConvLowering.Auto"/>.</param>
    /// <returns>The output value, [batch, F, H', W'].</returns>
    /// <exception cref="ArgumentException">The input's shape does not fit the module.</exception>
    /// <exception cref="NotSupportedException"><see cref="DeformConvLowering.DeformConvOperator"/> below opset 19.</exception>
    public string DeformConv2d(string input, LayerDsl.Modules.DeformConv2d module, string? name = null,
        DeformConvLowering lowering = DeformConvLowering.Auto)
    {
        ArgumentNullException.ThrowIfNull(module);
        string layer = LayerName(name, "deformConv");
        const string kind = nameof(DeformConv2d);
        if (lowering == DeformConvLowering.DeformConvOperator && Opset < 19)
            throw new NotSupportedException(
                $"The layer '{layer}' ({kind}) asks for ONNX's DeformConv, which needs opset 19 or newer; this graph is opset {Opset}. "
                + "Export with opset 19 or use DeformConvLowering.GridSample.");
        bool useOperator = lowering == DeformConvLowering.DeformConvOperator || (lowering == DeformConvLowering.Auto && Opset >= 19);

        long channels = module.InChannels, filters = module.Filters, offsetGroups = module.OffsetGroups, groups = module.Groups;
        long[] shape = Expect(input, layer, kind, 3, "C, H, W", channels);
        long[] kernel = { module.KernelSize.Height, module.KernelSize.Width };
        long[] stride = { module.Stride.Height, module.Stride.Width };
        long[] padding = { module.Padding.Height, module.Padding.Width };
        long[] dilation = { module.Dilation.Height, module.Dilation.Width };
        long taps = kernel[0] * kernel[1];
        long[] offsetShape = ConvolutionOutput(layer, kind, shape, 2 * offsetGroups * taps, kernel, stride, padding, padding, dilation);
        long outHeight = offsetShape[1], outWidth = offsetShape[2];
        long[] output = { filters, outHeight, outWidth };
        var parameters = module.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        OnnxAttribute[] branch = ConvolutionAttributes(kernel, stride, padding, padding, dilation, 1);

        string offsets = Step(layer, "offsets", "Conv",
            new[] { input, Weight(layer, "offset.weight", parameters["offset.weight"]), Weight(layer, "offset.bias", parameters["offset.bias"]) },
            offsetShape, branch);
        string? mask = null;
        if (module.Modulated)
        {
            long[] maskShape = { offsetGroups * taps, outHeight, outWidth };
            string logits = Step(layer, "mask_logits", "Conv",
                new[] { input, Weight(layer, "mask.weight", parameters["mask.weight"]), Weight(layer, "mask.bias", parameters["mask.bias"]) },
                maskShape, branch);
            mask = Step(layer, "mask", "Sigmoid", new[] { logits }, maskShape);
        }
        parameters.TryGetValue("bias", out Tensor? bias);

        if (useOperator)
        {
            var inputs = new List<string> { input, Weight(layer, "weight", parameters["weight"]), offsets, bias is null ? "" : Weight(layer, "bias", bias) };
            if (mask is not null)
                inputs.Add(mask);
            while (inputs[^1].Length == 0)
                inputs.RemoveAt(inputs.Count - 1);
            return ActivateLayer(layer, module.Activation, "deform_conv", "DeformConv", inputs.ToArray(), output,
                OnnxAttribute.Ints("kernel_shape", kernel),
                OnnxAttribute.Ints("strides", stride),
                OnnxAttribute.Ints("pads", padding.Concat(padding).ToArray()),
                OnnxAttribute.Ints("dilations", dilation),
                OnnxAttribute.Int("group", groups),
                OnnxAttribute.Int("offset_group", offsetGroups));
        }

        // GridSample: the deformed im2col columns [batch * G, C / G, k, L], then a 1 x 1 convolution.
        long height = shape[1], width = shape[2], positions = outHeight * outWidth, perGroup = channels / offsetGroups;
        long paddedHeight = NextPowerOfTwo(height), paddedWidth = NextPowerOfTwo(width);

        // The regular grid in normalised coordinates, (2 p + 1) / size - 1 for pixel p, [k, L].
        float[] baseX = new float[taps * positions], baseY = new float[taps * positions];
        for (long i = 0; i < kernel[0]; i++)
            for (long j = 0; j < kernel[1]; j++)
                for (long oy = 0; oy < outHeight; oy++)
                    for (long ox = 0; ox < outWidth; ox++)
                    {
                        long index = (i * kernel[1] + j) * positions + oy * outWidth + ox;
                        long y = oy * stride[0] - padding[0] + i * dilation[0], x = ox * stride[1] - padding[1] + j * dilation[1];
                        baseY[index] = (float)((2.0 * y + 1) / paddedHeight - 1);
                        baseX[index] = (float)((2.0 * x + 1) / paddedWidth - 1);
                    }

        long[] split = { offsetGroups, taps, 2, positions };
        string displacement = Step(layer, "displacement", "Reshape",
            new[] { offsets, Int64s(layer, "displacement_shape", new long[] { 0 }.Concat(split).ToArray()) }, split);
        string[] axes = new string[2];
        long[] perAxis = { offsetGroups, taps, positions };
        foreach (var (axis, channel, size, grid) in new[] { ("y", 0L, paddedHeight, baseY), ("x", 1L, paddedWidth, baseX) })
        {
            string index = Reserve($"{layer}/{axis}_index", nameof(layer));
            AddInitializer(index, new[] { channel }, Array.Empty<long>());
            string delta = Step(layer, $"d{axis}", "Gather", new[] { displacement, index }, perAxis, OnnxAttribute.Int("axis", 3));
            string scaled = Step(layer, $"d{axis}_normalised", "Mul", new[] { delta, Scalar(layer, $"{axis}_scale", 2f / size) }, perAxis);
            string sampled = Step(layer, $"grid_{axis}", "Add", new[] { scaled, Constant(layer, $"base_{axis}", grid, taps, positions) }, perAxis);
            axes[channel] = Step(layer, $"grid_{axis}_column", "Unsqueeze", new[] { sampled, Int64s(layer, $"grid_{axis}_axis", 4) },
                perAxis.Append(1).ToArray());
        }
        // grid_sample takes (x, y) points.
        string points = Step(layer, "grid_points", "Concat", new[] { axes[1], axes[0] }, perAxis.Append(2).ToArray(), OnnxAttribute.Int("axis", 4));
        string sampling = Step(layer, "grid", "Reshape", new[] { points, Int64s(layer, "grid_shape", -1, taps, positions, 2) }, null);

        string image = input;
        if (paddedHeight != height || paddedWidth != width)
            image = PadSpatial(layer, "pad", input, shape, new long[] { 0, 0 }, new[] { paddedHeight - height, paddedWidth - width }, "constant").Value;
        string imageGroups = Step(layer, "image", "Reshape",
            new[] { image, Int64s(layer, "image_shape", -1, perGroup, paddedHeight, paddedWidth) }, null);
        string columns = Step(layer, "columns", "GridSample", new[] { imageGroups, sampling }, null,
            OnnxAttribute.String("mode", Opset >= 20 ? "linear" : "bilinear"),
            OnnxAttribute.String("padding_mode", "zeros"),
            OnnxAttribute.Int("align_corners", 0));
        if (mask is not null)
        {
            string maskGroups = Step(layer, "mask_columns", "Reshape", new[] { mask, Int64s(layer, "mask_columns_shape", -1, 1, taps, positions) }, null);
            columns = Step(layer, "masked_columns", "Mul", new[] { columns, maskGroups }, null);
        }
        long[] columnShape = { channels * taps, outHeight, outWidth };
        string stacked = Step(layer, "column_channels", "Reshape",
            new[] { columns, Int64s(layer, "column_channels_shape", -1, channels * taps, outHeight, outWidth) }, columnShape);

        var bank = new List<string> { stacked, Weight(layer, "weight", parameters["weight"], new[] { filters, channels / groups * taps, 1, 1 }) };
        if (bias is not null)
            bank.Add(Weight(layer, "bias", bias));
        long[] pointwise = { 1, 1 }, none = { 0, 0 };
        return ActivateLayer(layer, module.Activation, "filters", "Conv", bank.ToArray(), output,
            ConvolutionAttributes(pointwise, pointwise, none, none, pointwise, groups));
    }

    private static long NextPowerOfTwo(long size)
    {
        long power = 1;
        while (power < size)
            power *= 2;
        return power;
    }
}
