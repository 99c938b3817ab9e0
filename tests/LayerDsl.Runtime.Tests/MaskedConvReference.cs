using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>What the reference computes, stated by the test rather than read from the module under test.</summary>
internal sealed record MaskedConvSpec(long Kernel, long Stride, long Padding, MaskActivation MaskActivation, Activation Activation);

/// <summary>
/// The masked convolution written plainly, as the origin wrote it: a loop over output positions and,
/// inside, over kernel taps, skipping taps that fall on the zero padding. Its configuration comes from the
/// test (<see cref="MaskedConvSpec"/>) and its parameters are plain tensors, so a module that stores an option
/// wrongly disagrees with it; its autograd graph gives the reference gradients (of any order).
/// </summary>
internal static class MaskedConvReference
{
    /// <param name="x">[N, C, H, W].</param>
    /// <param name="maskWeight">[k*k, C, k, k], the mask convolution's kernel.</param>
    /// <param name="maskBias">[k*k].</param>
    /// <param name="weight">[F, C*k*k], column c*k*k + tap.</param>
    /// <param name="bias">[F], or null.</param>
    /// <param name="spec">Kernel, stride, padding and activations.</param>
    public static Tensor Forward(Tensor x, Tensor maskWeight, Tensor maskBias, Tensor weight, Tensor? bias, MaskedConvSpec spec)
    {
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        long k = spec.Kernel, s = spec.Stride, p = spec.Padding, f = weight.shape[0];
        RequireShape(maskWeight, "mask.weight", k * k, c, k, k);
        RequireShape(maskBias, "mask.bias", k * k);
        RequireShape(weight, "weight", f, c * k * k);
        if (bias is not null)
            RequireShape(bias, "bias", f);

        long outH = (h + 2 * p - k) / s + 1, outW = (w + 2 * p - k) / s + 1;
        Tensor filterBank = weight.view(f, c, k * k);

        var positions = new List<Tensor>();
        for (long i = 0; i < outH; i++)
        {
            for (long j = 0; j < outW; j++)
            {
                // The taps of this receptive field that land inside the image: (tap index, x[:, :, r, col]).
                var taps = new List<(long Tap, long Row, long Col, Tensor Pixel)>();
                for (long di = 0; di < k; di++)
                {
                    for (long dj = 0; dj < k; dj++)
                    {
                        long r = i * s - p + di, col = j * s - p + dj;
                        if (r < 0 || r >= h || col < 0 || col >= w)
                            continue;
                        taps.Add((di * k + dj, di, dj, x[.., .., r, col])); // [N, C]
                    }
                }

                // Mask logits for this position: the mask convolution evaluated here, [N, k*k].
                Tensor logits = maskBias.unsqueeze(0).expand(n, k * k);
                foreach (var (_, di, dj, pixel) in taps)
                    logits = logits + pixel.matmul(maskWeight[.., .., di, dj].t());
                Tensor mask = spec.MaskActivation switch
                {
                    MaskActivation.Tanh => logits.tanh(),
                    MaskActivation.Sigmoid => logits.sigmoid(),
                    _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.MaskActivation, "unknown mask activation"),
                };

                // The filter bank over the masked taps, [N, F].
                Tensor sum = bias is null ? zeros(n, f, dtype: x.dtype) : bias.unsqueeze(0).expand(n, f);
                foreach (var (tap, _, _, pixel) in taps)
                    sum = sum + (pixel * mask[.., (int)tap].unsqueeze(1)).matmul(filterBank[.., .., tap].t());

                positions.Add(Activate(spec.Activation, sum));
            }
        }

        // [H'*W', N, F] -> [N, F, H', W']
        return stack(positions).permute(1, 2, 0).reshape(n, f, outH, outW);
    }

    private static void RequireShape(Tensor tensor, string name, params long[] expected)
    {
        if (!tensor.shape.AsSpan().SequenceEqual(expected))
            throw new ArgumentException($"{name} has shape [{string.Join(", ", tensor.shape)}]; the specification needs [{string.Join(", ", expected)}].");
    }

    private static Tensor Activate(Activation activation, Tensor x) => activation switch
    {
        Activation.None => x,
        Activation.ReLU => x.relu(),
        Activation.Tanh => x.tanh(),
        Activation.Sigmoid => x.sigmoid(),
        Activation.Softmax => x.softmax(1),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };
}
