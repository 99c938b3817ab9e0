using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Export;

public sealed partial class OnnxGraphBuilder
{
    /// <summary>
    /// Zero padding of the two spatial axes, possibly asymmetric, as ONNX <c>Pad</c> (constant mode); the arguments in
    /// the order of <c>nn.functional.pad(x, new[] { left, right, top, bottom })</c>.
    /// </summary>
    /// <param name="input">A value of shape [batch, C, H, W].</param>
    /// <param name="left">Columns added before the first.</param>
    /// <param name="right">Columns added after the last.</param>
    /// <param name="top">Rows added before the first.</param>
    /// <param name="bottom">Rows added after the last.</param>
    /// <param name="name">The layer's name; <c>padN</c> when null.</param>
    /// <returns>The output value, [batch, C, H + top + bottom, W + left + right].</returns>
    /// <exception cref="ArgumentException">The input is not [batch, C, H, W] or a padding is negative.</exception>
    public string Pad2d(string input, long left, long right, long top, long bottom, string? name = null)
    {
        string layer = LayerName(name, "pad");
        long[] shape = Expect(input, layer, "Pad2d", 3, "C, H, W");
        CheckPadding(layer, left, right, top, bottom);
        return PadSpatial(layer, null, input, shape, new[] { top, left }, new[] { bottom, right }, "constant").Value;
    }

    /// <summary>Zero padding of the length axis, as ONNX <c>Pad</c> (constant mode).</summary>
    /// <param name="input">A value of shape [batch, C, L].</param>
    /// <param name="left">Elements added before the first.</param>
    /// <param name="right">Elements added after the last.</param>
    /// <param name="name">The layer's name; <c>padN</c> when null.</param>
    /// <returns>The output value, [batch, C, L + left + right].</returns>
    /// <exception cref="ArgumentException">The input is not [batch, C, L] or a padding is negative.</exception>
    public string Pad1d(string input, long left, long right, string? name = null)
    {
        string layer = LayerName(name, "pad");
        long[] shape = Expect(input, layer, "Pad1d", 2, "C, L");
        CheckPadding(layer, left, right);
        return PadSpatial(layer, null, input, shape, new[] { left }, new[] { right }, "constant").Value;
    }

    /// <summary>
    /// Removes rows and columns at the borders (the inverse of <see cref="Pad2d"/>, for instance after a transposed
    /// convolution), as ONNX <c>Slice</c> on the spatial axes.
    /// </summary>
    /// <param name="input">A value of shape [batch, C, H, W].</param>
    /// <param name="left">Columns removed at the start.</param>
    /// <param name="right">Columns removed at the end.</param>
    /// <param name="top">Rows removed at the start.</param>
    /// <param name="bottom">Rows removed at the end.</param>
    /// <param name="name">The layer's name; <c>cropN</c> when null.</param>
    /// <returns>The output value, [batch, C, H - top - bottom, W - left - right].</returns>
    /// <exception cref="ArgumentException">The input is not [batch, C, H, W], a crop is negative or nothing is left.</exception>
    public string Crop2d(string input, long left, long right, long top, long bottom, string? name = null)
    {
        string layer = LayerName(name, "crop");
        long[] shape = Expect(input, layer, "Crop2d", 3, "C, H, W");
        CheckPadding(layer, left, right, top, bottom);
        long height = shape[1] - top - bottom, width = shape[2] - left - right;
        if (height <= 0 || width <= 0)
            throw new ArgumentException(
                $"The layer '{layer}' (Crop2d) removes {top} + {bottom} rows and {left} + {right} columns from {FormatShape(shape)}, leaving nothing.",
                nameof(input));
        return Final(layer, "Slice",
            new[]
            {
                input,
                Int64s(layer, "starts", top, left),
                Int64s(layer, "ends", top + height, left + width),
                Int64s(layer, "axes", 2, 3),
            },
            new[] { shape[0], height, width });
    }

    /// <summary>
    /// Flattens every dimension after the batch, as <c>torch.flatten(x, 1)</c>, with ONNX <c>Flatten</c> (axis 1).
    /// </summary>
    /// <param name="input">A value of any shape.</param>
    /// <param name="name">The layer's name; <c>flattenN</c> when null.</param>
    /// <returns>The output value, [batch, product of the sample shape].</returns>
    public string Flatten(string input, string? name = null)
    {
        string layer = LayerName(name, "flatten");
        long[] shape = Shape(input, layer);
        return Final(layer, "Flatten", new[] { input }, new[] { Size(shape) }, OnnxAttribute.Int("axis", 1));
    }

    /// <summary>Reshapes every sample, keeping the batch, with ONNX <c>Reshape</c> (shape [0, ...]: 0 keeps the batch).</summary>
    /// <param name="input">A value of any shape.</param>
    /// <param name="sampleShape">The new sample shape; at most one dimension may be -1, inferred from the others.</param>
    /// <param name="name">The layer's name; <c>reshapeN</c> when null.</param>
    /// <returns>The output value, [batch, ...sampleShape].</returns>
    /// <exception cref="ArgumentException">The new shape holds a different number of elements.</exception>
    public string Reshape(string input, long[] sampleShape, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        string layer = LayerName(name, "reshape");
        long[] shape = Shape(input, layer);
        long[] target = (long[])sampleShape.Clone();
        int unknown = Array.IndexOf(target, -1L);
        long known = target.Where(d => d != -1).Aggregate(1L, (a, b) => a * b);
        if (unknown >= 0 && target.Count(d => d == -1) == 1 && known > 0 && Size(shape) % known == 0)
            target[unknown] = Size(shape) / known;
        if (target.Any(d => d <= 0) || Size(target) != Size(shape))
            throw new ArgumentException(
                $"The layer '{layer}' (Reshape) cannot reshape {FormatShape(shape)} ({Size(shape)} elements a sample) to {FormatShape(sampleShape)}.",
                nameof(sampleShape));
        return Final(layer, "Reshape", new[] { input, Int64s(layer, "shape", new long[] { 0 }.Concat(target).ToArray()) }, target);
    }

    /// <summary>
    /// Permutes the sample dimensions, the batch staying first, as ONNX <c>Transpose</c>: <c>x.permute(0, 1 + p[0], 1 + p[1], ...)</c>.
    /// </summary>
    /// <param name="input">A value of any shape.</param>
    /// <param name="samplePermutation">A permutation of 0 .. rank - 1 over the sample dimensions.</param>
    /// <param name="name">The layer's name; <c>transposeN</c> when null.</param>
    /// <returns>The output value.</returns>
    /// <exception cref="ArgumentException">The permutation is not one of the sample's dimensions.</exception>
    public string Transpose(string input, int[] samplePermutation, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(samplePermutation);
        string layer = LayerName(name, "transpose");
        long[] shape = Shape(input, layer);
        if (samplePermutation.Length != shape.Length
            || !samplePermutation.OrderBy(p => p).SequenceEqual(Enumerable.Range(0, shape.Length)))
            throw new ArgumentException(
                $"The layer '{layer}' (Transpose) needs a permutation of 0 .. {shape.Length - 1} for {FormatShape(shape)}; got [{string.Join(", ", samplePermutation)}].",
                nameof(samplePermutation));
        long[] permutation = new long[] { 0 }.Concat(samplePermutation.Select(p => (long)p + 1)).ToArray();
        return Final(layer, "Transpose", new[] { input }, samplePermutation.Select(p => shape[p]).ToArray(),
            OnnxAttribute.Ints("perm", permutation));
    }

    /// <summary>Dropout at evaluation time: the identity. No node is added; the input value is returned.</summary>
    /// <param name="input">A value of any shape.</param>
    /// <returns><paramref name="input"/>.</returns>
    public string Dropout(string input) => PassThrough(input, "Dropout");

    /// <summary>Element-wise sum of two values of the same shape (a residual connection), as ONNX <c>Add</c>.</summary>
    /// <param name="left">A value.</param>
    /// <param name="right">A value of the same shape.</param>
    /// <param name="name">The layer's name; <c>addN</c> when null.</param>
    /// <returns>The output value.</returns>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public string Add(string left, string right, string? name = null)
    {
        string layer = LayerName(name, "add");
        long[] a = Shape(left, layer), b = Shape(right, layer);
        if (!a.SequenceEqual(b))
            throw new ArgumentException(
                $"The layer '{layer}' (Add) adds '{left}' {FormatShape(a)} and '{right}' {FormatShape(b)}: the shapes must be equal.",
                nameof(right));
        return Final(layer, "Add", new[] { left, right }, a);
    }

    /// <summary>Concatenation along dimension 1 (channels or features), as ONNX <c>Concat</c> (axis 1).</summary>
    /// <param name="inputs">Two or more values whose shapes agree except in dimension 1.</param>
    /// <param name="name">The layer's name; <c>concatN</c> when null.</param>
    /// <returns>The output value.</returns>
    /// <exception cref="ArgumentException">Fewer than two inputs, or shapes that disagree outside dimension 1.</exception>
    public string Concat(IReadOnlyList<string> inputs, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        string layer = LayerName(name, "concat");
        if (inputs.Count < 2)
            throw new ArgumentException($"The layer '{layer}' (Concat) needs at least two inputs; got {inputs.Count}.", nameof(inputs));
        long[][] all = inputs.Select(i => Shape(i, layer)).ToArray();
        long[] first = all[0];
        for (int i = 1; i < all.Length; i++)
        {
            if (all[i].Length != first.Length || !all[i].Skip(1).SequenceEqual(first.Skip(1)))
                throw new ArgumentException(
                    $"The layer '{layer}' (Concat) joins '{inputs[0]}' {FormatShape(first)} and '{inputs[i]}' {FormatShape(all[i])} along dimension 1: "
                    + "every other dimension must be equal.",
                    nameof(inputs));
        }
        return Final(layer, "Concat", inputs.ToArray(), With(first, 0, all.Sum(s => s[0])), OnnxAttribute.Int("axis", 1));
    }

    /// <summary>
    /// Upsampling by scale factors as ONNX <c>Resize</c> with <c>torch.nn.Upsample</c>'s sampling: nearest as
    /// asymmetric coordinates with floor rounding, linear as half-pixel coordinates or, with
    /// <paramref name="alignCorners"/>, align-corners coordinates.
    /// </summary>
    /// <param name="input">A value of shape [batch, C, L] or [batch, C, H, W].</param>
    /// <param name="scales">One scale factor per spatial axis (one value applies to all); the output size is
    /// <c>floor(size * scale)</c>.</param>
    /// <param name="mode">Nearest, or linear interpolation (Linear or Bilinear, whichever fits the rank).</param>
    /// <param name="alignCorners">For linear modes, whether the corner pixels of input and output are aligned.</param>
    /// <param name="name">The layer's name; <c>upsampleN</c> when null.</param>
    /// <returns>The output value.</returns>
    /// <exception cref="ArgumentException">The input is not 3-D or 4-D, or a scale gives an empty output.</exception>
    /// <exception cref="NotSupportedException">Bicubic or trilinear modes.</exception>
    public string Upsample(string input, double[] scales, UpsampleMode mode = UpsampleMode.Nearest, bool alignCorners = false,
        string? name = null)
    {
        ArgumentNullException.ThrowIfNull(scales);
        string layer = LayerName(name, "upsample");
        return Resize(layer, input, scales, null, mode, alignCorners);
    }

    private string Resize(string layer, string input, double[]? scales, long[]? sizes, UpsampleMode mode, bool alignCorners)
    {
        long[] shape = Shape(input, layer);
        int spatial = shape.Length - 1;
        if (spatial is < 1 or > 2)
            throw new ArgumentException(
                $"The layer '{layer}' (Upsample) expects [batch, C, L] or [batch, C, H, W]; '{input}' has shape {FormatShape(shape)}.", nameof(input));
        bool linear = mode is UpsampleMode.Linear or UpsampleMode.Bilinear;
        if (!linear && mode != UpsampleMode.Nearest)
            throw new NotSupportedException(
                $"The layer '{layer}' (Upsample) uses {mode} interpolation; the ONNX export supports nearest, linear and bilinear.");

        var attributes = new List<OnnxAttribute> { OnnxAttribute.String("mode", linear ? "linear" : "nearest") };
        if (linear)
        {
            attributes.Add(OnnxAttribute.String("coordinate_transformation_mode", alignCorners ? "align_corners" : "half_pixel"));
        }
        else
        {
            attributes.Add(OnnxAttribute.String("coordinate_transformation_mode", "asymmetric"));
            attributes.Add(OnnxAttribute.String("nearest_mode", "floor"));
        }

        long[] output = (long[])shape.Clone();
        if (sizes is not null)
        {
            long[] target = Expand(sizes, spatial);
            if (target.Any(s => s <= 0))
                throw new ArgumentException($"The layer '{layer}' (Upsample) asks for the size [{string.Join(", ", target)}]: sizes must be positive.");
            Array.Copy(target, 0, output, 1, spatial);
            // The batch and channel sizes come from the input at run time: Shape -> Slice [0, 2) -> Concat with the target.
            string inputShape = Step(layer, "input_shape", "Shape", new[] { input }, null);
            string leading = Step(layer, "batch_channels", "Slice",
                new[] { inputShape, Int64s(layer, "zero", 0), Int64s(layer, "two", 2) }, null);
            string full = Step(layer, "sizes", "Concat", new[] { leading, Int64s(layer, "spatial_sizes", target) }, null,
                OnnxAttribute.Int("axis", 0));
            return Final(layer, "Resize", new[] { input, "", "", full }, output, attributes.ToArray());
        }

        double[] factors = scales!.Length == spatial ? scales : scales.Length == 1 ? Enumerable.Repeat(scales[0], spatial).ToArray()
            : throw new ArgumentException($"The layer '{layer}' (Upsample) has {scales.Length} scale factors for {spatial} spatial axes.");
        for (int i = 0; i < spatial; i++)
        {
            output[i + 1] = (long)Math.Floor(shape[i + 1] * factors[i]);
            if (factors[i] <= 0 || output[i + 1] <= 0)
                throw new ArgumentException(
                    $"The layer '{layer}' (Upsample) scales {FormatShape(shape)} by [{string.Join(", ", factors)}], which leaves nothing.");
        }
        string scaleValues = Constant(layer, "scales",
            new float[] { 1, 1 }.Concat(factors.Select(f => (float)f)).ToArray(), spatial + 2);
        return Final(layer, "Resize", new[] { input, "", scaleValues }, output, attributes.ToArray());
    }

    /// <summary>A layer that is the identity at evaluation: the input, checked to be a value of this graph.</summary>
    private string PassThrough(string input, string layer)
    {
        Shape(input, layer);
        return input;
    }

    /// <summary>Zero, reflect or edge padding of the spatial axes; returns the padded value and its shape.</summary>
    private (string Value, long[] Shape) PadSpatial(string layer, string? step, string input, long[] shape, long[] begin,
        long[] end, string mode)
    {
        long[] pads = new long[2 * (shape.Length + 1)];
        long[] output = (long[])shape.Clone();
        for (int i = 0; i < begin.Length; i++)
        {
            pads[2 + i] = begin[i];
            pads[shape.Length + 3 + i] = end[i];
            output[i + 1] = shape[i + 1] + begin[i] + end[i];
        }
        string padsName = Int64s(layer, step is null ? "pads" : $"{step}/pads", pads);
        var inputs = new[] { input, padsName };
        var modeAttribute = OnnxAttribute.String("mode", mode);
        string value = step is null
            ? Final(layer, "Pad", inputs, output, modeAttribute)
            : Step(layer, step, "Pad", inputs, output, modeAttribute);
        return (value, output);
    }

    private static void CheckPadding(string layer, params long[] amounts)
    {
        if (amounts.Any(a => a < 0))
            throw new ArgumentException(
                $"The layer '{layer}' has the border amounts [{string.Join(", ", amounts)}]: none may be negative.");
    }

    private static long Size(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);
}
