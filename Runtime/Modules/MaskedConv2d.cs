using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Modules;

/// <summary>
/// The attention-masked ("deformable") convolution: a per-position, per-tap mask predicted from the
/// input weights each receptive-field patch before a shared linear filter bank is applied.
/// </summary>
/// <remarks>
/// For an input <c>x</c> of shape [N, C, H, W], kernel size k, stride s and symmetric zero padding p:
/// <code>
/// mask    = act_m(Conv2d(C -> k*k, k, s, p)(x))   [N, k*k, H', W']
/// patches = unfold(x, k, s, p)                    [N, C, k*k, H'*W']
/// out     = act(W . (patches * mask))             [N, F, H', W']
/// </code>
/// with <c>H' = floor((H + 2p - k) / s) + 1</c> (likewise W'). The mask is shared across input channels.
/// The computation is one unfold, one broadcast multiply and one matrix product.
/// State-dict keys: <c>mask.weight</c>, <c>mask.bias</c>, <c>weight</c> and, with a bias, <c>bias</c>.
/// </remarks>
public sealed class MaskedConv2d : nn.Module<Tensor, Tensor>
{
    // Field names are state-dict keys: keep them stable.
    // The parameter fields are not readonly because Module.to() replaces them by reflection.
    private readonly Conv2d mask;
    private Parameter weight;
    private Parameter? bias;

    private readonly long inChannels;
    private readonly long filters;
    private readonly long kernelSize;
    private readonly long stride;
    private readonly long padding;
    private readonly MaskActivation maskActivation;
    private readonly Activation activation;

    /// <summary>Creates the layer; parameters are initialised as <c>nn.Conv2d</c> initialises its own.</summary>
    /// <param name="inChannels">Number of input channels C.</param>
    /// <param name="filters">Number of output channels F.</param>
    /// <param name="kernelSize">Side k of the square kernel.</param>
    /// <param name="stride">Stride s of the sliding window, at least 1.</param>
    /// <param name="padding">Symmetric zero padding p on each spatial border, at least 0.</param>
    /// <param name="maskActivation">Activation turning the mask logits into weights.</param>
    /// <param name="activation">Activation applied to the output.</param>
    /// <param name="bias">Whether the filter bank has a learnable bias of size F.</param>
    /// <param name="device">Device to place the parameters on; the default device when null.</param>
    /// <param name="name">Module name.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the stride is below 1 or the padding is negative.</exception>
    public MaskedConv2d(long inChannels, long filters, long kernelSize, long stride = 1, long padding = 0,
        MaskActivation maskActivation = MaskActivation.Tanh, Activation activation = Activation.ReLU,
        bool bias = false, Device? device = null, string name = "MaskedConv2d")
        : base(name)
    {
        if (inChannels <= 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "The number of input channels must be positive.");
        if (filters <= 0)
            throw new ArgumentOutOfRangeException(nameof(filters), filters, "The number of filters must be positive.");
        if (kernelSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "The kernel size must be positive.");
        if (stride < 1)
            throw new ArgumentOutOfRangeException(nameof(stride), stride, "The stride must be at least 1.");
        if (padding < 0)
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "The padding must not be negative.");
        if (!Enum.IsDefined(maskActivation))
            throw new ArgumentOutOfRangeException(nameof(maskActivation), maskActivation, "Unknown mask activation.");
        if (!Enum.IsDefined(activation))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");

        this.inChannels = inChannels;
        this.filters = filters;
        this.kernelSize = kernelSize;
        this.stride = stride;
        this.padding = padding;
        this.maskActivation = maskActivation;
        this.activation = activation;

        long taps = kernelSize * kernelSize;
        long fanIn = inChannels * taps;

        mask = nn.Conv2d(inChannels, taps, kernelSize, stride: stride, padding: padding, bias: true);

        // Kaiming-uniform with a = sqrt(5) and a uniform bias in +-1/sqrt(fan_in), as nn.Conv2d does.
        weight = new Parameter(empty(filters, fanIn));
        if (bias)
            this.bias = new Parameter(empty(filters));
        using (no_grad())
        {
            nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
            if (this.bias is not null)
            {
                double bound = 1.0 / Math.Sqrt(fanIn);
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

    /// <summary>Side k of the square kernel.</summary>
    public long KernelSize => kernelSize;

    /// <summary>Stride s of the sliding window.</summary>
    public long Stride => stride;

    /// <summary>Symmetric zero padding p on each spatial border.</summary>
    public long Padding => padding;

    /// <summary>Activation turning the mask logits into weights.</summary>
    public MaskActivation MaskActivation => maskActivation;

    /// <summary>Activation applied to the output.</summary>
    public Activation Activation => activation;

    /// <summary>Output spatial size for an input side: <c>floor((size + 2p - k) / s) + 1</c>.</summary>
    /// <param name="size">Input height or width.</param>
    public long OutputSize(long size) => (size + 2 * padding - kernelSize) / stride + 1;

    /// <summary>Applies the layer to an input of shape [N, C, H, W], giving [N, F, H', W'].</summary>
    /// <exception cref="ArgumentException">The input is not 4-D with C channels, or is smaller than the padded kernel.</exception>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[1] != inChannels)
            throw new ArgumentException(
                $"{name} expects an input of shape [N, {inChannels}, H, W]; got [{string.Join(", ", input.shape)}].",
                nameof(input));
        long height = input.shape[2], width = input.shape[3];
        if (height + 2 * padding < kernelSize || width + 2 * padding < kernelSize)
            throw new ArgumentException(
                $"{name} expects H and W of at least {kernelSize - 2 * padding} (kernel {kernelSize}, padding {padding}); got [{string.Join(", ", input.shape)}].",
                nameof(input));

        using var scope = NewDisposeScope();

        long batch = input.shape[0];
        long taps = kernelSize * kernelSize;
        long outHeight = OutputSize(height), outWidth = OutputSize(width);
        long positions = outHeight * outWidth;

        // [N, k*k, H', W'] -> [N, 1, k*k, L]: one weight per tap and position, shared across channels.
        Tensor logits = mask.call(input);
        Tensor weights = maskActivation == MaskActivation.Sigmoid ? logits.sigmoid() : logits.tanh();
        weights = weights.view(batch, 1, taps, positions);

        // [N, C*k*k, L] -> [N, C, k*k, L], masked, back to [N, C*k*k, L].
        Tensor patches = nn.functional.unfold(input, kernelSize, padding: padding, stride: stride)
            .view(batch, inChannels, taps, positions);
        Tensor masked = (patches * weights).view(batch, inChannels * taps, positions);

        // [F, C*k*k] x [N, C*k*k, L] -> [N, F, L]
        Tensor output = weight.matmul(masked);
        if (bias is not null)
            output = output + bias.view(filters, 1);
        output = Activate(output.view(batch, filters, outHeight, outWidth));

        return output.MoveToOuterDisposeScope();
    }

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
