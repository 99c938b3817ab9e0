using System;
using System.Collections.Generic;
using System.Linq;
using LayerDsl.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>
/// The masked convolution written plainly, as the origin wrote it: a loop over output positions and,
/// inside, over kernel taps, skipping taps that fall on the zero padding. It reads the module's own
/// parameters, so its output and its autograd graph can be compared with the vectorised forward.
/// </summary>
internal static class MaskedConvReference
{
    public static Tensor Forward(MaskedConv2d module, Tensor x)
    {
        var parameters = module.named_parameters().ToDictionary(np => np.name, np => (Tensor)np.parameter);
        Tensor maskWeight = parameters["mask.weight"];       // [k*k, C, k, k]
        Tensor maskBias = parameters["mask.bias"];           // [k*k]
        Tensor weight = parameters["weight"];                // [F, C*k*k], column = c*k*k + tap
        Tensor? bias = parameters.GetValueOrDefault("bias"); // [F]

        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        long k = module.KernelSize, s = module.Stride, p = module.Padding, f = module.Filters;
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
                Tensor mask = module.MaskActivation == MaskActivation.Sigmoid ? logits.sigmoid() : logits.tanh();

                // The filter bank over the masked taps, [N, F].
                Tensor sum = bias is null ? zeros(n, f, dtype: x.dtype) : bias.unsqueeze(0).expand(n, f);
                foreach (var (tap, _, _, pixel) in taps)
                    sum = sum + (pixel * mask[.., (int)tap].unsqueeze(1)).matmul(filterBank[.., .., tap].t());

                positions.Add(Activate(module.Activation, sum));
            }
        }

        // [H'*W', N, F] -> [N, F, H', W']
        return stack(positions).permute(1, 2, 0).reshape(n, f, outH, outW);
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
