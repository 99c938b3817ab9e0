using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Modules;

/// <summary>
/// Deformable convolution (DCN, and with modulation DCNv2): every kernel tap samples the input at a learned,
/// per-position fractional offset from its regular grid position, with the semantics of torchvision's
/// <c>ops.deform_conv2d</c>.
/// </summary>
/// <remarks>
/// For an input of shape [N, C, H, W], a kernel of kh x kw taps, stride (sh, sw), zero padding (ph, pw),
/// dilation (dh, dw) and G offset groups, output position (oy, ox) and tap k = i * kw + j (i &lt; kh, j &lt; kw)
/// sample channel c, of offset group g = c / (C / G), at
/// <code>
/// y = oy * sh - ph + i * dh + offset[n, 2 * (g * kh * kw + k),     oy, ox]
/// x = ox * sw - pw + j * dw + offset[n, 2 * (g * kh * kw + k) + 1, oy, ox]
/// </code>
/// by bilinear interpolation between the four pixels around (y, x), a pixel outside the image counting as zero
/// (so a sample at or beyond one pixel outside the image, y &lt;= -1, y &gt;= H, x &lt;= -1 or x &gt;= W, is zero). The sampled value is
/// multiplied by <c>mask[n, g * kh * kw + k, oy, ox]</c> when there is a mask, and the samples are combined by the
/// filter bank <c>weight</c> [F, C / groups, kh, kw] exactly as a convolution combines its taps, plus <c>bias</c>:
/// <code>
/// out[n, f, oy, ox] = bias[f] + sum over c, i, j of weight[f, c, i, j] * mask * bilinear(input[n, c], y, x)
/// </code>
/// The output size is that of the convolution: <c>H' = floor((H + 2 ph - dh (kh - 1) - 1) / sh) + 1</c>, likewise W'.
/// <para>
/// The layer predicts its own offsets with a convolution over its input (<c>Conv2d(C -> 2 G kh kw)</c>, same kernel,
/// stride, padding and dilation), initialised to zero so that it starts as a plain convolution, as DCN does. With
/// <see cref="Modulated"/> (DCNv2, the default) a second convolution (<c>Conv2d(C -> G kh kw)</c>), also initialised
/// to zero, predicts the mask through a sigmoid, so every tap starts at weight 0.5, as DCNv2's reference code does.
/// </para>
/// <para>
/// The computation is vectorised: one <c>grid_sample</c> call samples every tap of every output position (the
/// deformed im2col columns), one broadcast multiply applies the mask and one matrix product the filter bank. The
/// gradients are autograd's and equal torchvision's, including at integer sampling positions, where bilinear
/// interpolation has a kink and both take the derivative towards larger coordinates.
/// </para>
/// State-dict keys: <c>offset.weight</c>, <c>offset.bias</c>, with modulation <c>mask.weight</c> and
/// <c>mask.bias</c>, then <c>weight</c> and, with a bias, <c>bias</c> (named and shaped as torchvision's own
/// <c>DeformConv2d</c> names and shapes its filter bank).
/// </remarks>
public sealed class DeformConv2d : nn.Module<Tensor, Tensor>
{
    // Field names are state-dict keys: keep them stable.
    // The parameter fields are not readonly because Module.to() replaces them by reflection.
    private readonly Conv2d offset;
    private readonly Conv2d? mask;
    private Parameter weight;
    private Parameter? bias;

    private readonly long inChannels;
    private readonly long filters;
    private readonly (long Height, long Width) kernelSize;
    private readonly (long Height, long Width) stride;
    private readonly (long Height, long Width) padding;
    private readonly (long Height, long Width) dilation;
    private readonly long offsetGroups;
    private readonly long groups;
    private readonly Activation activation;

    /// <summary>Creates the layer with a square kernel and equal stride, padding and dilation on both axes.</summary>
    /// <param name="inChannels">Number of input channels C.</param>
    /// <param name="filters">Number of output channels F.</param>
    /// <param name="kernelSize">Side k of the square kernel.</param>
    /// <param name="stride">Stride s of the sliding window, at least 1.</param>
    /// <param name="padding">Symmetric zero padding p on each spatial border, at least 0.</param>
    /// <param name="dilation">Spacing d between kernel taps, at least 1.</param>
    /// <param name="offsetGroups">Number G of channel groups with their own offsets (and mask); divides C.</param>
    /// <param name="modulated">Whether a learned sigmoid mask weights every sample (DCNv2).</param>
    /// <param name="activation">Activation applied to the output.</param>
    /// <param name="bias">Whether the filter bank has a learnable bias of size F.</param>
    /// <param name="groups">Number of groups of the filter bank, as in <c>nn.Conv2d</c>; divides C and F.</param>
    /// <param name="device">Device to place the parameters on; the default device when null.</param>
    /// <param name="name">Module name.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the stride or dilation is below 1, the padding is negative, or a group count does not divide its channels.</exception>
    public DeformConv2d(long inChannels, long filters, long kernelSize, long stride = 1, long padding = 0, long dilation = 1,
        long offsetGroups = 1, bool modulated = true, Activation activation = Activation.None, bool bias = true,
        long groups = 1, Device? device = null, string name = "DeformConv2d")
        : this(inChannels, filters, (kernelSize, kernelSize), (stride, stride), (padding, padding), (dilation, dilation),
            offsetGroups, modulated, activation, bias, groups, device, name)
    {
    }

    /// <summary>Creates the layer with a possibly non-square kernel, stride, padding and dilation, each (height, width).</summary>
    /// <param name="inChannels">Number of input channels C.</param>
    /// <param name="filters">Number of output channels F.</param>
    /// <param name="kernelSize">Kernel size (kh, kw), both positive.</param>
    /// <param name="stride">Stride (sh, sw), both at least 1.</param>
    /// <param name="padding">Zero padding (ph, pw) on the top and bottom, left and right borders, both at least 0.</param>
    /// <param name="dilation">Spacing (dh, dw) between kernel taps, both at least 1.</param>
    /// <param name="offsetGroups">Number G of channel groups with their own offsets (and mask); divides C.</param>
    /// <param name="modulated">Whether a learned sigmoid mask weights every sample (DCNv2).</param>
    /// <param name="activation">Activation applied to the output.</param>
    /// <param name="bias">Whether the filter bank has a learnable bias of size F.</param>
    /// <param name="groups">Number of groups of the filter bank, as in <c>nn.Conv2d</c>; divides C and F.</param>
    /// <param name="device">Device to place the parameters on; the default device when null.</param>
    /// <param name="name">Module name.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the stride or dilation is below 1, the padding is negative, or a group count does not divide its channels.</exception>
    public DeformConv2d(long inChannels, long filters, (long Height, long Width) kernelSize, (long Height, long Width) stride,
        (long Height, long Width) padding, (long Height, long Width) dilation, long offsetGroups = 1, bool modulated = true,
        Activation activation = Activation.None, bool bias = true, long groups = 1, Device? device = null,
        string name = "DeformConv2d")
        : base(name)
    {
        if (inChannels <= 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "The number of input channels must be positive.");
        if (filters <= 0)
            throw new ArgumentOutOfRangeException(nameof(filters), filters, "The number of filters must be positive.");
        CheckGeometry(kernelSize, stride, padding, dilation);
        if (offsetGroups <= 0 || inChannels % offsetGroups != 0)
            throw new ArgumentOutOfRangeException(nameof(offsetGroups), offsetGroups,
                $"The number of offset groups must be positive and divide the {inChannels} input channels.");
        if (groups <= 0 || inChannels % groups != 0 || filters % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), groups,
                $"The number of groups must be positive and divide both the {inChannels} input channels and the {filters} filters.");
        if (!Enum.IsDefined(activation))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");

        this.inChannels = inChannels;
        this.filters = filters;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.offsetGroups = offsetGroups;
        this.groups = groups;
        this.activation = activation;

        long taps = kernelSize.Height * kernelSize.Width;
        offset = nn.Conv2d(inChannels, 2 * offsetGroups * taps, kernelSize, stride: stride, padding: padding,
            dilation: dilation, bias: true);
        if (modulated)
            mask = nn.Conv2d(inChannels, offsetGroups * taps, kernelSize, stride: stride, padding: padding,
                dilation: dilation, bias: true);

        weight = new Parameter(empty(filters, inChannels / groups, kernelSize.Height, kernelSize.Width));
        if (bias)
            this.bias = new Parameter(empty(filters));
        using (no_grad())
        {
            // Zero offsets (and a mask of sigmoid(0) = 0.5) at the start, as DCN and DCNv2 initialise them.
            nn.init.zeros_(offset.weight!);
            nn.init.zeros_(offset.bias!);
            if (mask is not null)
            {
                nn.init.zeros_(mask.weight!);
                nn.init.zeros_(mask.bias!);
            }

            // Kaiming-uniform with a = sqrt(5) and a uniform bias in +-1/sqrt(fan_in), as nn.Conv2d does.
            nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
            if (this.bias is not null)
            {
                double bound = 1.0 / Math.Sqrt(inChannels / groups * taps);
                nn.init.uniform_(this.bias, -bound, bound);
            }
        }

        RegisterComponents();

        if (device is not null)
            this.to(device);
    }

    /// <summary>Number of input channels C.</summary>
    public long InChannels => inChannels;

    /// <summary>Number of output channels F.</summary>
    public long Filters => filters;

    /// <summary>Kernel size (kh, kw).</summary>
    public (long Height, long Width) KernelSize => kernelSize;

    /// <summary>Stride (sh, sw) of the sliding window.</summary>
    public (long Height, long Width) Stride => stride;

    /// <summary>Zero padding (ph, pw) on each spatial border.</summary>
    public (long Height, long Width) Padding => padding;

    /// <summary>Spacing (dh, dw) between kernel taps.</summary>
    public (long Height, long Width) Dilation => dilation;

    /// <summary>Number G of channel groups sharing one set of offsets (and mask).</summary>
    public long OffsetGroups => offsetGroups;

    /// <summary>Number of groups of the filter bank.</summary>
    public long Groups => groups;

    /// <summary>Whether a learned sigmoid mask weights every sample (DCNv2).</summary>
    public bool Modulated => mask is not null;

    /// <summary>Activation applied to the output.</summary>
    public Activation Activation => activation;

    /// <summary>Output height for an input height: <c>floor((H + 2 ph - dh (kh - 1) - 1) / sh) + 1</c>.</summary>
    /// <param name="height">Input height H.</param>
    public long OutputHeight(long height) => OutputSize(height, kernelSize.Height, stride.Height, padding.Height, dilation.Height);

    /// <summary>Output width for an input width: <c>floor((W + 2 pw - dw (kw - 1) - 1) / sw) + 1</c>.</summary>
    /// <param name="width">Input width W.</param>
    public long OutputWidth(long width) => OutputSize(width, kernelSize.Width, stride.Width, padding.Width, dilation.Width);

    /// <summary>Applies the layer to an input of shape [N, C, H, W], giving [N, F, H', W'].</summary>
    /// <exception cref="ArgumentException">The input is not 4-D with C channels, or is smaller than the dilated kernel after padding.</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[1] != inChannels)
            throw new ArgumentException(
                $"{name} expects an input of shape [N, {inChannels}, H, W]; got {Format(input.shape)}.", nameof(input));
        CheckOutputSize(name ?? nameof(DeformConv2d), input.shape, kernelSize, stride, padding, dilation, nameof(input));

        using var scope = NewDisposeScope();

        Tensor offsets = offset.call(input);
        Tensor? weights = mask?.call(input).sigmoid();
        Tensor output = Apply(input, offsets, weight, bias, stride, padding, dilation, weights);
        output = Activate(output);

        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The deformable convolution as a function, with the arguments and semantics of torchvision's
    /// <c>ops.deform_conv2d(input, offset, weight, bias, stride, padding, dilation, mask)</c> (see the class remarks
    /// for the formula).
    /// </summary>
    /// <param name="input">Input [N, C, H, W].</param>
    /// <param name="offset">Offsets [N, 2 G kh kw, H', W']: for offset group g and tap k = i * kw + j, channel
    /// 2 (g kh kw + k) holds the vertical and the next channel the horizontal displacement. G is inferred and must divide C.</param>
    /// <param name="weight">Filter bank [F, C / groups, kh, kw]; groups is inferred and must divide C and F.</param>
    /// <param name="bias">Bias [F], or null for none.</param>
    /// <param name="stride">Stride (sh, sw); (1, 1) when null.</param>
    /// <param name="padding">Zero padding (ph, pw); (0, 0) when null.</param>
    /// <param name="dilation">Dilation (dh, dw); (1, 1) when null.</param>
    /// <param name="mask">Modulation [N, G kh kw, H', W'] multiplying every sample, or null for none (DCNv1).</param>
    /// <returns>The output [N, F, H', W'].</returns>
    /// <exception cref="ArgumentException">A tensor's shape disagrees with the others; the message names expected and actual shapes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The stride or dilation is below 1, or the padding is negative.</exception>
    public static Tensor Apply(Tensor input, Tensor offset, Tensor weight, Tensor? bias = null,
        (long Height, long Width)? stride = null, (long Height, long Width)? padding = null,
        (long Height, long Width)? dilation = null, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(offset);
        ArgumentNullException.ThrowIfNull(weight);
        var (sh, sw) = stride ?? (1, 1);
        var (ph, pw) = padding ?? (0, 0);
        var (dh, dw) = dilation ?? (1, 1);

        if (input.dim() != 4)
            throw new ArgumentException($"The input must have shape [N, C, H, W]; got {Format(input.shape)}.", nameof(input));
        if (weight.dim() != 4)
            throw new ArgumentException($"The weight must have shape [F, C / groups, kh, kw]; got {Format(weight.shape)}.", nameof(weight));
        long n = input.shape[0], c = input.shape[1], h = input.shape[2], w = input.shape[3];
        long f = weight.shape[0], cPerGroup = weight.shape[1], kh = weight.shape[2], kw = weight.shape[3];
        CheckGeometry((kh, kw), (sh, sw), (ph, pw), (dh, dw));
        if (cPerGroup <= 0 || c % cPerGroup != 0 || f % (c / cPerGroup) != 0)
            throw new ArgumentException(
                $"The weight {Format(weight.shape)} must have C / groups channels for a number of groups dividing both the input's {c} channels and its {f} filters.",
                nameof(weight));
        long groups = c / cPerGroup;
        CheckOutputSize("deform_conv2d", input.shape, (kh, kw), (sh, sw), (ph, pw), (dh, dw), nameof(input));
        long outH = OutputSize(h, kh, sh, ph, dh), outW = OutputSize(w, kw, sw, pw, dw);
        long taps = kh * kw, positions = outH * outW;

        if (offset.dim() != 4 || offset.shape[0] != n || offset.shape[1] == 0 || offset.shape[1] % (2 * taps) != 0
            || offset.shape[2] != outH || offset.shape[3] != outW)
            throw new ArgumentException(
                $"The offset must have shape [{n}, 2 * G * {kh} * {kw}, {outH}, {outW}] for G offset groups; got {Format(offset.shape)}.",
                nameof(offset));
        long offsetGroups = offset.shape[1] / (2 * taps);
        if (c % offsetGroups != 0)
            throw new ArgumentException(
                $"The offset {Format(offset.shape)} has {offsetGroups} offset groups, which do not divide the input's {c} channels.",
                nameof(offset));
        if (mask is not null && !mask.shape.AsSpan().SequenceEqual(new[] { n, offsetGroups * taps, outH, outW }))
            throw new ArgumentException(
                $"The mask must have shape {Format(new[] { n, offsetGroups * taps, outH, outW })} for {offsetGroups} offset group(s); got {Format(mask.shape)}.",
                nameof(mask));
        if (bias is not null && !bias.shape.AsSpan().SequenceEqual(new[] { f }))
            throw new ArgumentException($"The bias must have shape [{f}]; got {Format(bias.shape)}.", nameof(bias));

        using var scope = NewDisposeScope();

        long channelsPerOffsetGroup = c / offsetGroups;

        // Bilinear sampling, zero outside the image, of all k * L points of every channel at once: grid_sample over
        // [N * G, C / G, H, W] with a grid of [N * G, k, L] points gives the deformed im2col columns [N, C, k, L].
        // grid_sample (align_corners = false) takes normalised coordinates, (2 p + 1) / size - 1 for pixel
        // coordinate p, and maps them back. The input is first padded with zeros at the bottom and right to
        // power-of-two sizes, which changes no sample (it reads zeros there either way) but makes both mappings exact
        // for integer and half-integer p, so a sample at an integer position, as every one is at the zero-offset
        // start, stays exactly on it and takes the same one-sided derivative as torchvision.
        long paddedH = NextPowerOfTwo(h), paddedW = NextPowerOfTwo(w);
        Tensor image = paddedH == h && paddedW == w
            ? input
            : nn.functional.pad(input, new long[] { 0, paddedW - w, 0, paddedH - h });

        // The regular sampling grid, [k, L]: tap (i, j) of output position (oy, ox) sits at pixel
        // (oy * sh - ph + i * dh, ox * sw - pw + j * dw), an integer, whose normalised coordinate is exact.
        var (dtype, device) = (input.dtype, input.device);
        Tensor tapY = arange(kh, dtype, device).repeat_interleave(kw).mul(dh).view(taps, 1);
        Tensor tapX = arange(kw, dtype, device).repeat(kh).mul(dw).view(taps, 1);
        Tensor rowY = arange(outH, dtype, device).mul(sh).sub(ph).repeat_interleave(outW).view(1, positions);
        Tensor colX = arange(outW, dtype, device).mul(sw).sub(pw).repeat(outH).view(1, positions);
        Tensor gridY = (rowY + tapY).mul(2.0 / paddedH).add(1.0 / paddedH - 1);
        Tensor gridX = (colX + tapX).mul(2.0 / paddedW).add(1.0 / paddedW - 1);

        // Plus the offsets (Δy in the even, Δx in the odd channels), normalised by the same exact power-of-two
        // scale: the grid [N * G, k, L, 2] of (x, y) points grid_sample expects.
        Tensor displacement = offset.reshape(n, offsetGroups, taps, 2, positions);
        Tensor grid = stack(new[]
        {
            gridX.add(displacement.select(3, 1), alpha: 2.0 / paddedW),
            gridY.add(displacement.select(3, 0), alpha: 2.0 / paddedH),
        }, -1).view(n * offsetGroups, taps, positions, 2);
        Tensor columns = nn.functional.grid_sample(
                image.reshape(n * offsetGroups, channelsPerOffsetGroup, paddedH, paddedW), grid,
                GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false)
            .view(n, offsetGroups, channelsPerOffsetGroup, taps, positions);
        if (mask is not null)
            columns = columns * mask.reshape(n, offsetGroups, 1, taps, positions);

        // [groups, F / groups, C / groups * k] x [N, groups, C / groups * k, L] -> [N, F, H', W']
        Tensor output = weight.reshape(groups, f / groups, cPerGroup * taps)
            .matmul(columns.view(n, groups, cPerGroup * taps, positions))
            .view(n, f, outH, outW);
        if (bias is not null)
            output = output + bias.reshape(f, 1, 1);

        return output.MoveToOuterDisposeScope();
    }

    private static long NextPowerOfTwo(long size)
    {
        long power = 1;
        while (power < size)
            power *= 2;
        return power;
    }

    private static long OutputSize(long size, long kernel, long stride, long padding, long dilation) =>
        (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;

    private static void CheckGeometry((long Height, long Width) kernelSize, (long Height, long Width) stride,
        (long Height, long Width) padding, (long Height, long Width) dilation)
    {
        if (kernelSize.Height <= 0 || kernelSize.Width <= 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "The kernel size must be positive.");
        if (stride.Height < 1 || stride.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(stride), stride, "The stride must be at least 1.");
        if (padding.Height < 0 || padding.Width < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "The padding must not be negative.");
        if (dilation.Height < 1 || dilation.Width < 1)
            throw new ArgumentOutOfRangeException(nameof(dilation), dilation, "The dilation must be at least 1.");
    }

    private static void CheckOutputSize(string who, long[] inputShape, (long Height, long Width) kernelSize,
        (long Height, long Width) stride, (long Height, long Width) padding, (long Height, long Width) dilation, string parameter)
    {
        long spanH = dilation.Height * (kernelSize.Height - 1) + 1, spanW = dilation.Width * (kernelSize.Width - 1) + 1;
        if (inputShape[2] + 2 * padding.Height < spanH || inputShape[3] + 2 * padding.Width < spanW)
            throw new ArgumentException(
                $"{who} expects H of at least {spanH - 2 * padding.Height} and W of at least {spanW - 2 * padding.Width} "
                + $"(dilated kernel {spanH} x {spanW}, padding {padding.Height} x {padding.Width}); got {Format(inputShape)}.",
                parameter);
    }

    private static string Format(long[] shape) => $"[{string.Join(", ", shape)}]";

    private Tensor Activate(Tensor x) => activation switch
    {
        Activation.None => x,
        Activation.ReLU => nn.functional.relu(x),
        Activation.Tanh => x.tanh(),
        Activation.Sigmoid => x.sigmoid(),
        Activation.Softmax => x.softmax(1),
        _ => throw new InvalidOperationException($"Unknown activation {activation}."),
    };
}
