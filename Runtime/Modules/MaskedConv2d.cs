using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Modules;

/// <summary>How <see cref="MaskedConv2d"/> computes its output and gradients; both give the same numbers up to rounding.</summary>
public enum MaskedConvFormulation
{
    /// <summary>
    /// The default. The batch is processed a slice of images at a time and the backward pass is written out by hand: the
    /// forward pass keeps only the mask weights (and the output, when the activation's derivative needs it) and the
    /// backward pass recomputes each slice's patches and masked patches from the input; when the whole batch is one slice
    /// the forward pass keeps that slice's patches and masked patches instead. With one intra-op thread a slice
    /// is sized so that its patches, mask and products stay in the processor's cache; with several threads slices are
    /// larger (every operation wakes the thread pool); on a device other than the CPU the whole batch is one slice.
    /// Gradients of gradients (<c>create_graph</c>) are computed by differentiating <see cref="Composed"/>.
    /// </summary>
    Fused = 0,

    /// <summary>
    /// The plain composition that autograd differentiates: one mask convolution, one unfold, one broadcast multiply and
    /// one matrix product over the whole batch. Slower, and it keeps every intermediate of the batch for the backward
    /// pass; the reference the fused formulation is tested against.
    /// </summary>
    Composed = 1,
}

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
/// <see cref="Formulation"/> chooses how this is computed (see <see cref="MaskedConvFormulation"/>); the default,
/// <see cref="MaskedConvFormulation.Fused"/>, works through the batch a cache-sized slice at a time with a hand-written
/// backward pass.
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
    private MaskedConvFormulation formulation = MaskedConvFormulation.Fused;

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
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, the stride is below 1, the padding is negative or the activation is not one the layer applies itself.</exception>
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
        if (activation is not (Activation.None or Activation.ReLU or Activation.Tanh or Activation.Sigmoid or Activation.Softmax))
            throw new ArgumentOutOfRangeException(nameof(activation), activation,
                "The layer applies None, ReLU, Tanh, Sigmoid or Softmax itself; build it with Activation.None and apply another activation to its output.");

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

    /// <summary>How the output and gradients are computed; <see cref="MaskedConvFormulation.Fused"/> unless set.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="MaskedConvFormulation"/>.</exception>
    public MaskedConvFormulation Formulation
    {
        get => formulation;
        set
        {
            if (!Enum.IsDefined(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, $"Unknown formulation; use {nameof(MaskedConvFormulation)}.{nameof(MaskedConvFormulation.Fused)} or {nameof(MaskedConvFormulation.Composed)}.");
            formulation = value;
        }
    }

    /// <summary>
    /// Images per slice of the fused formulation; null (the default) sizes slices from <see cref="SliceBytes"/> or
    /// <see cref="ParallelSliceBytes"/>. Tests set it to exercise slice boundaries.
    /// </summary>
    internal long? SliceImages { get; set; }

    /// <summary>
    /// Working set a slice aims at with one intra-op thread, in bytes: about 11 images of the origin's layer (1 channel,
    /// 5 x 5, 32 filters, 28 x 28). Measured on a 2 MiB-L2 processor at batch 128, one thread: slices of 8 to 16 images
    /// trained fastest, whole batches about 10% slower.
    /// </summary>
    internal const long SliceBytes = 4L << 20;

    /// <summary>
    /// Working set a slice aims at with several intra-op threads: every operation wakes the thread pool, so fewer,
    /// larger slices win (two threads, batch 128: whole batch fastest, 16-image slices about 40% slower).
    /// </summary>
    internal const long ParallelSliceBytes = 64L << 20;

    /// <summary>Output spatial size for an input side: <c>floor((size + 2p - k) / s) + 1</c>.</summary>
    /// <param name="size">Input height or width.</param>
    public long OutputSize(long size) => (size + 2 * padding - kernelSize) / stride + 1;

    /// <summary>Applies the layer to an input of shape [N, C, H, W], giving [N, F, H', W'].</summary>
    /// <exception cref="ArgumentException">The input is not 4-D with C channels, or is smaller than the padded kernel.</exception>
    public override Tensor forward(Tensor input) => Run(input, activation);

    /// <summary>
    /// The layer (built without an activation of its own) followed by <paramref name="then"/>: the numbers of applying
    /// <paramref name="then"/> to <see cref="forward(Tensor)"/>'s output, but computed inside the layer's slices while the
    /// output is still in the processor's cache, and differentiated there. Generated models call this for a
    /// <c>[MaskedConv]</c>'s own ReLU, tanh or sigmoid; with one intra-op thread it trains the origin's network about 1.1×
    /// faster than a separate activation. When the whole batch is one slice (several threads) the activation runs right
    /// after the layer, in place, which was faster there.
    /// </summary>
    /// <param name="input">Input of shape [N, C, H, W].</param>
    /// <param name="then">None, ReLU, Tanh or Sigmoid.</param>
    /// <exception cref="ArgumentException">The input is not 4-D with C channels, or is smaller than the padded kernel.</exception>
    /// <exception cref="InvalidOperationException">The layer was built with an activation of its own.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="then"/> is not None, ReLU, Tanh or Sigmoid.</exception>
    public Tensor ForwardActivated(Tensor input, Activation then)
    {
        if (activation != Activation.None)
            throw new InvalidOperationException($"{name} already applies {activation}; build it with Activation.None to follow it by another activation.");
        if (then is not (Activation.None or Activation.ReLU or Activation.Tanh or Activation.Sigmoid))
            throw new ArgumentOutOfRangeException(nameof(then), then, "Only None, ReLU, Tanh or Sigmoid can run inside the layer; apply another activation to forward's output.");
        return Run(input, then);
    }

    private Tensor Run(Tensor input, Activation activation)
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
        var geometry = new Geometry(inChannels, filters, kernelSize, stride, padding, maskActivation, activation, bias is not null,
            height, width, OutputSize(height), OutputSize(width), SliceImages ?? DefaultSlice(input));
        Tensor maskWeight = mask.weight!, maskBias = mask.bias!;

        // When the whole batch is one slice (several threads, or a device), a ReLU, tanh or sigmoid runs after the layer
        // as autograd's own in-place operation: measured faster there (two threads: about 1.5x for the origin's
        // network), while cache-sized slices gain from activating inside (one thread: about 1.1x).
        bool activateAfter = formulation == MaskedConvFormulation.Fused && geometry.OneSlice(input.shape[0])
            && activation is Activation.ReLU or Activation.Tanh or Activation.Sigmoid;
        if (activateAfter)
            geometry = geometry with { Activation = Activation.None };

        Tensor output;
        if (formulation == MaskedConvFormulation.Composed)
        {
            output = Composed(geometry, input, maskWeight, maskBias, weight, bias);
        }
        else if (!is_grad_enabled() || !(input.requires_grad || maskWeight.requires_grad || maskBias.requires_grad
            || weight.requires_grad || bias is { requires_grad: true }))
        {
            // Nothing to differentiate (evaluation, no_grad, frozen layer): the slices without the autograd node.
            output = Fused.Forward(geometry, input, maskWeight, maskBias, weight, bias, saved: null);
        }
        else
        {
            output = Fused.apply(input, maskWeight, maskBias, weight, bias!, geometry)[0];
        }

        if (activateAfter)
            output = Activate(activation, output, inPlace: true);

        // The fused formulation's result is [N, F, H'*W']: viewed only now, so that the in-place activation above acts on
        // the autograd function's own output (autograd refuses in-place changes to a view made inside the function).
        if (formulation == MaskedConvFormulation.Fused)
            output = output.view(input.shape[0], filters, geometry.OutHeight, geometry.OutWidth);

        return output.MoveToOuterDisposeScope();
    }

    private long DefaultSlice(Tensor input)
    {
        long batch = input.shape[0];
        if (input.device_type != DeviceType.CPU)
            return Math.Max(batch, 1);
        long taps = kernelSize * kernelSize, columns = inChannels * taps;
        long positions = OutputSize(input.shape[2]) * OutputSize(input.shape[3]);
        // Per image: patches, masked patches and their gradient (C*k*k rows each), the mask (k*k), output and its gradient (F each).
        long bytesPerImage = (3 * columns + taps + 2 * filters) * positions * input.ElementSize;
        long budget = get_num_threads() > 1 ? ParallelSliceBytes : SliceBytes;
        return Math.Clamp(budget / Math.Max(bytesPerImage, 1), 1, Math.Max(batch, 1));
    }

    /// <summary>Everything about a call that is not a tensor; passed to the autograd node.</summary>
    private sealed record Geometry(
        long Channels, long Filters, long Kernel, long Stride, long Padding, MaskActivation MaskActivation, Activation Activation,
        bool HasBias, long Height, long Width, long OutHeight, long OutWidth, long Slice)
    {
        public long Taps => Kernel * Kernel;

        public long Columns => Channels * Taps;

        public long Positions => OutHeight * OutWidth;

        /// <summary>
        /// Whether a batch of <paramref name="batch"/> images is one slice (several threads, a device): the fused forward
        /// pass then keeps its patches and masked patches for the backward pass, at most two thirds of
        /// <see cref="ParallelSliceBytes"/>, instead of the backward pass recomputing them, and a ReLU, tanh or sigmoid runs
        /// after the layer.
        /// </summary>
        public bool OneSlice(long batch) => Slice >= batch;
    }

    /// <summary>The layer as autograd sees it: unfold, multiply, matrix product, differentiated by autograd.</summary>
    private static Tensor Composed(Geometry g, Tensor input, Tensor maskWeight, Tensor maskBias, Tensor weight, Tensor? bias)
    {
        long batch = input.shape[0];

        // [N, k*k, H', W'] -> [N, 1, k*k, L]: one weight per tap and position, shared across channels.
        Tensor logits = nn.functional.conv2d(input, maskWeight, maskBias, strides: new[] { g.Stride }, padding: new[] { g.Padding });
        Tensor weights = g.MaskActivation == MaskActivation.Sigmoid ? logits.sigmoid() : logits.tanh();
        weights = weights.view(batch, 1, g.Taps, g.Positions);

        // [N, C*k*k, L] -> [N, C, k*k, L], masked, back to [N, C*k*k, L].
        Tensor patches = nn.functional.unfold(input, g.Kernel, padding: g.Padding, stride: g.Stride)
            .view(batch, g.Channels, g.Taps, g.Positions);
        Tensor masked = (patches * weights).view(batch, g.Columns, g.Positions);

        // [F, C*k*k] x [N, C*k*k, L] -> [N, F, L]
        Tensor output = weight.matmul(masked);
        if (bias is not null)
            output = output + bias.view(g.Filters, 1);
        return Activate(g.Activation, output.view(batch, g.Filters, g.OutHeight, g.OutWidth), inPlace: false);
    }

    private static Tensor Activate(Activation activation, Tensor x, bool inPlace) => activation switch
    {
        Activation.None => x,
        Activation.ReLU => inPlace ? x.relu_() : nn.functional.relu(x),
        Activation.Tanh => inPlace ? x.tanh_() : x.tanh(),
        Activation.Sigmoid => inPlace ? x.sigmoid_() : x.sigmoid(),
        Activation.Softmax => x.softmax(1),
        _ => throw new InvalidOperationException($"Unknown activation {activation}."),
    };

    /// <summary>
    /// The fused formulation: an autograd function whose forward pass works through the batch a slice at a time and keeps
    /// the mask weights, and whose backward pass recomputes each slice's patches from the input.
    /// </summary>
    private sealed class Fused : autograd.MultiTensorFunction<Fused>
    {
        public override string Name => "MaskedConv2dBackward";

        // A Scalar made implicitly from a number is freed only by its finalizer; these are made once.
        private static readonly Scalar MinusOne = -1, One = 1;

        // vars: input, mask.weight, mask.bias, weight, bias (null without one), geometry.
        public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var input = (Tensor)vars[0];
            var maskWeight = (Tensor)vars[1];
            var maskBias = (Tensor)vars[2];
            var weight = (Tensor)vars[3];
            var bias = vars[4] as Tensor;
            var g = (Geometry)vars[5];

            var slices = new List<Tensor>();
            Tensor output = Forward(g, input, maskWeight, maskBias, weight, bias, slices);

            // Inputs first (recomputation needs them), the output when the activation's derivative is read from it, then
            // one mask slice per slice (and the one slice's patches and masked patches). They must outlive this call:
            // autograd takes them once forward has returned.
            var saved = new List<Tensor> { input, maskWeight, maskBias, weight, bias!, g.Activation == Activation.None ? null! : output };
            saved.AddRange(slices);
            ctx.save_for_backward(saved);
            ctx.save_data(nameof(Geometry), g);
            ctx.save_data("needs", new[] { input.requires_grad, maskWeight.requires_grad, maskBias.requires_grad, weight.requires_grad, bias is { requires_grad: true } });
            ctx.set_materialize_grads(false);
            return new List<Tensor> { output };
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
        {
            Tensor? gradOutput = grad_outputs[0];
            if (gradOutput is null || gradOutput.IsInvalid)
                return new List<Tensor> { null!, null!, null!, null!, null!, null! };

            using var scope = NewDisposeScope();
            var g = (Geometry)ctx.get_data(nameof(Geometry));
            var needs = (bool[])ctx.get_data("needs");
            List<Tensor> saved = ctx.get_saved_variables();
            Tensor input = saved[0], maskWeight = saved[1], maskBias = saved[2], weight = saved[3];
            Tensor? bias = saved[4], output = saved[5];

            // Gradients of gradients were asked for: differentiate the composed formulation, which autograd can do again.
            IReadOnlyList<Tensor?> gradients = is_grad_enabled()
                ? DifferentiateComposed(g, needs, gradOutput, input, maskWeight, maskBias, weight, bias)
                : Backward(g, needs, gradOutput, input, maskWeight, maskBias, weight, output, saved.GetRange(6, saved.Count - 6));

            // The engine reads the gradients after this returns: they belong to the caller's scope, not this one. One entry per
            // argument of apply, the geometry's included.
            var result = new List<Tensor>(gradients.Count + 1);
            foreach (var gradient in gradients)
                result.Add(gradient?.MoveToOuterDisposeScope()!);
            result.Add(null!);
            return result;
        }

        /// <summary>
        /// out = act(W . (patches * act_m(mask logits))) as [N, F, H'*W'], a slice at a time. When <paramref name="saved"/>
        /// is given it receives each slice's mask weights and, when the whole batch is one slice, that slice's patches and
        /// masked patches too.
        /// </summary>
        public static Tensor Forward(Geometry g, Tensor input, Tensor maskWeight, Tensor maskBias, Tensor weight, Tensor? bias, List<Tensor>? saved)
        {
            long batch = input.shape[0];
            bool oneSlice = g.OneSlice(batch);
            Tensor padded = Pad(g, input);
            Tensor maskMatrix = MaskMatrix(g, maskWeight, maskBias);                                   // [k*k, C*k*k + 1]
            Tensor? output = oneSlice ? null : empty(new[] { batch, g.Filters, g.Positions }, input.dtype, input.device);
            for (long start = 0; start < batch; start += g.Slice)
            {
                long size = Math.Min(g.Slice, batch - start);
                using var scope = NewDisposeScope();
                Tensor patches = Patches(g, padded, start, size);                                      // [b, C*k*k + 1, L]
                Tensor weights = maskMatrix.expand(size, g.Taps, g.Columns + 1).bmm(patches);          // [b, k*k, L]
                weights = g.MaskActivation == MaskActivation.Sigmoid ? weights.sigmoid_() : weights.tanh_();
                Tensor masked = Masked(g, patches, weights);                                           // [b, C*k*k, L]
                Tensor sliceOutput = bias is null
                    ? weight.expand(size, g.Filters, g.Columns).bmm(masked)
                    : weight.expand(size, g.Filters, g.Columns).baddbmm(masked, bias.view(1, g.Filters, 1).expand(size, g.Filters, g.Positions));
                sliceOutput = Activate(g.Activation, sliceOutput, inPlace: true);                    // [b, F, L]
                saved?.Add(weights.MoveToOuterDisposeScope());
                if (oneSlice)
                {
                    // The product is the output: no copy. Backward reuses the patches instead of recomputing them.
                    output = sliceOutput.MoveToOuterDisposeScope();
                    if (saved is not null)
                    {
                        saved.Add(patches.MoveToOuterDisposeScope());
                        saved.Add(masked.MoveToOuterDisposeScope());
                    }
                }
                else
                {
                    output!.narrow(0, start, size).view(size, g.Filters, g.Positions).copy_(sliceOutput);
                }
            }

            return output!;
        }

        private static Tensor?[] Backward(Geometry g, bool[] needs, Tensor gradOutput, Tensor input, Tensor maskWeight, Tensor maskBias,
            Tensor weight, Tensor? output, List<Tensor> saved)
        {
            long batch = input.shape[0];
            bool oneSlice = g.OneSlice(batch);
            Tensor? padded = oneSlice ? null : Pad(g, input);     // the one slice's patches were kept: nothing to recompute
            Tensor weightT = weight.t();
            Tensor maskT = maskWeight.view(g.Taps, g.Columns).t();
            Tensor gradMask = zeros(new[] { g.Taps, g.Columns + 1 }, maskWeight.dtype, maskWeight.device);   // [mask.weight | mask.bias]
            Tensor gradWeight = zeros(new[] { g.Filters, g.Columns }, weight.dtype, weight.device);
            Tensor? gradBias = needs[4] ? zeros(new[] { g.Filters }, weight.dtype, weight.device) : null;
            var gradInputs = needs[0] ? new List<Tensor>() : null;
            Tensor gradFlat = gradOutput.reshape(batch, g.Filters, g.Positions);
            Tensor? outputFlat = output?.view(batch, g.Filters, g.Positions);

            int slice = 0;
            for (long start = 0; start < batch; start += g.Slice, slice++)
            {
                long size = Math.Min(g.Slice, batch - start);
                using var scope = NewDisposeScope();
                Tensor weights, patches, masked;
                if (oneSlice)
                {
                    (weights, patches, masked) = (saved[0], saved[1], saved[2]);
                }
                else
                {
                    weights = saved[slice];
                    patches = Patches(g, padded!, start, size);
                    masked = Masked(g, patches, weights);
                }

                // Through the activation, from its output: [b, F, L].
                Tensor grad = ActivationBackward(g.Activation, gradFlat.narrow(0, start, size), outputFlat?.narrow(0, start, size));
                if (gradBias is not null)
                    gradBias.add_(grad.sum(new long[] { 0, 2 }));
                gradWeight.add_(grad.bmm(masked.transpose(1, 2)).sum(0, keepdim: false));

                // Through the filter bank to the masked patches, then to the mask logits (summed over channels).
                Tensor gradMasked = weightT.expand(size, g.Columns, g.Filters).bmm(grad);              // [b, C*k*k, L]
                Tensor gradLogits = MaskLogitsBackward(g, gradMasked, patches, weights, masked);         // [b, k*k, L]
                gradMask.add_(gradLogits.bmm(patches.transpose(1, 2)).sum(0, keepdim: false));

                if (gradInputs is not null)
                {
                    // The input reaches the output through the patches twice: masked, and through the mask convolution.
                    Tensor gradPatches = (gradMasked.view(size, g.Channels, g.Taps, g.Positions) * weights.view(size, 1, g.Taps, g.Positions))
                        .view(size, g.Columns, g.Positions)
                        .add_(maskT.expand(size, g.Columns, g.Taps).bmm(gradLogits));
                    gradInputs.Add(nn.functional.fold(gradPatches, (g.Height, g.Width), (g.Kernel, g.Kernel),
                        padding: (g.Padding, g.Padding), stride: (g.Stride, g.Stride)).MoveToOuterDisposeScope());
                }
            }

            return new[]
            {
                gradInputs is null ? null : cat(gradInputs, 0),
                needs[1] ? gradMask.narrow(1, 0, g.Columns).reshape(maskWeight.shape) : null,
                needs[2] ? gradMask.select(1, g.Columns).reshape(maskBias.shape) : null,
                needs[3] ? gradWeight : null,
                gradBias,
            };
        }

        /// <summary>
        /// The gradient of the mask logits from that of the masked patches: sum over channels of gradMasked * patches, times
        /// the mask activation's derivative, read from its output m (tanh: 1 - m^2, sigmoid: m (1 - m)).
        /// </summary>
        private static Tensor MaskLogitsBackward(Geometry g, Tensor gradMasked, Tensor patches, Tensor weights, Tensor masked)
        {
            long size = gradMasked.shape[0];
            if (g.Channels == 1)
            {
                // One channel: masked = patches * m, so patches * act'(m) is patches - masked * m (tanh) or masked - masked * m
                // (sigmoid): one pass builds it, one more multiplies it in.
                Tensor factor = g.MaskActivation == MaskActivation.Sigmoid
                    ? masked.addcmul(masked, weights, MinusOne)
                    : patches.narrow(1, 0, g.Columns).addcmul(masked, weights, MinusOne);
                return factor.mul_(gradMasked);
            }

            Tensor gradWeights = (gradMasked.view(size, g.Channels, g.Taps, g.Positions)
                * patches.narrow(1, 0, g.Columns).view(size, g.Channels, g.Taps, g.Positions)).sum(1, keepdim: false);
            return g.MaskActivation == MaskActivation.Sigmoid
                ? gradWeights.mul_(weights.addcmul(weights, weights, MinusOne))
                : gradWeights.addcmul_(gradWeights, weights.square(), MinusOne);
        }

        private static Tensor?[] DifferentiateComposed(Geometry g, bool[] needs, Tensor gradOutput, Tensor input, Tensor maskWeight,
            Tensor maskBias, Tensor weight, Tensor? bias)
        {
            var inputs = new List<Tensor>();
            var candidates = new[] { input, maskWeight, maskBias, weight, bias };
            for (int i = 0; i < candidates.Length; i++)
            {
                if (needs[i] && candidates[i] is { } candidate)
                    inputs.Add(candidate);
            }

            // The function's output is [N, F, H'*W']: the composed result viewed alike.
            Tensor recomputed = Composed(g, input, maskWeight, maskBias, weight, bias).view(input.shape[0], g.Filters, g.Positions);
            var gradients = autograd.grad(new[] { recomputed }, inputs, new[] { gradOutput }, retain_graph: true, create_graph: true, allow_unused: true);
            var result = new Tensor?[candidates.Length];
            int next = 0;
            for (int i = 0; i < candidates.Length; i++)
                result[i] = needs[i] && candidates[i] is not null ? gradients[next++] : null;
            return result;
        }

        private static Tensor ActivationBackward(Activation activation, Tensor grad, Tensor? output) => activation switch
        {
            Activation.None => grad,
            Activation.ReLU => output!.sign().mul_(grad),                             // 1 where the output is positive, else 0
            Activation.Tanh => grad.addcmul(grad, output!.square(), MinusOne),        // 1 - y^2
            Activation.Sigmoid => grad * output!.addcmul(output!, output!, MinusOne), // y (1 - y)
            Activation.Softmax => output! * (grad - (grad * output!).sum(1, keepdim: true)),
            _ => throw new InvalidOperationException($"Unknown activation {activation}."),
        };

        private static Tensor Pad(Geometry g, Tensor input) =>
            g.Padding == 0 ? input : nn.functional.pad(input, new[] { g.Padding, g.Padding, g.Padding, g.Padding });

        /// <summary>The mask convolution as one matrix, its bias as the last column: [k*k, C*k*k + 1].</summary>
        private static Tensor MaskMatrix(Geometry g, Tensor maskWeight, Tensor maskBias) =>
            cat(new[] { maskWeight.view(g.Taps, g.Columns), maskBias.view(g.Taps, 1) }, 1);

        /// <summary>
        /// unfold of images [start, start + size) of the padded input, rows in unfold's order, plus a last row of ones that
        /// carries the mask bias through the same matrix product: [size, C*k*k + 1, L], from strided views and one copy.
        /// </summary>
        private static Tensor Patches(Geometry g, Tensor padded, long start, long size)
        {
            Tensor patches = empty(new[] { size, g.Columns + 1, g.Positions }, padded.dtype, padded.device);
            patches.narrow(1, 0, g.Columns).view(size, g.Channels, g.Kernel, g.Kernel, g.OutHeight, g.OutWidth).copy_(
                padded.narrow(0, start, size)
                    .unfold(2, g.Kernel, g.Stride)      // [b, C, H', W_p, k]
                    .unfold(3, g.Kernel, g.Stride)      // [b, C, H', W', k, k]
                    .permute(0, 1, 4, 5, 2, 3));        // [b, C, k, k, H', W']
            patches.select(1, g.Columns).fill_(One);
            return patches;
        }

        /// <summary>patches * weights over the first C*k*k rows, the weights shared across channels: [b, C*k*k, L].</summary>
        private static Tensor Masked(Geometry g, Tensor patches, Tensor weights)
        {
            long size = patches.shape[0];
            Tensor columns = patches.narrow(1, 0, g.Columns);
            return g.Channels == 1
                ? columns * weights
                : (columns.view(size, g.Channels, g.Taps, g.Positions) * weights.view(size, 1, g.Taps, g.Positions)).view(size, g.Columns, g.Positions);
        }
    }
}
