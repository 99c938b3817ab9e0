using System;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LayerDsl.Export.Tests;

/// <summary>
/// Every layer kind, exported around a TorchSharp module with random weights, runs in ONNX Runtime on random inputs of
/// two batch sizes and agrees with TorchSharp to 1e-5 of the output's scale, at the oldest and newest supported opset.
/// </summary>
public sealed class LayerExportTests(ITestOutputHelper output)
{
    public static TheoryData<int> Opsets => new() { OnnxGraphBuilder.MinimumOpset, OnnxGraphBuilder.MaximumOpset };

    private void Check(string what, int opset, long[] sampleShape, Func<OnnxGraphBuilder, string, string> build,
        Func<Tensor, Tensor> reference)
    {
        double difference = OnnxCheck.Agrees(opset, sampleShape, build, reference);
        output.WriteLine($"{what} (opset {opset}): largest difference {difference:E2} of the output's scale");
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Conv2d_square_kernel_with_padding_and_bias(int opset)
    {
        using var conv = nn.Conv2d(3, 5, 3, padding: 1);
        Check("Conv2d 3x3 pad 1", opset, new long[] { 3, 9, 8 }, (b, x) => b.Conv2d(x, conv, "conv1"), conv.call);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Conv2d_non_square_kernel_stride_dilation_groups_without_bias(int opset)
    {
        using var conv = nn.Conv2d(4, 6, (3, 5), stride: (2, 1), padding: (1, 2), dilation: (2, 1), groups: 2, bias: false);
        Check("Conv2d (3,5) stride (2,1) pad (1,2) dilation (2,1) groups 2", opset, new long[] { 4, 11, 10 },
            (b, x) => b.Conv2d(x, conv, "conv1"), conv.call);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Conv2d_same_padding_with_an_even_kernel(int opset)
    {
        // 'same' with an even kernel pads one more at the end, as PyTorch does.
        using var conv = nn.Conv2d(2, 3, 4, padding: TorchSharp.Padding.Same);
        Check("Conv2d 4x4 same", opset, new long[] { 2, 7, 6 }, (b, x) => b.Conv2d(x, conv, "conv1"), conv.call);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Conv2d_reflect_and_replicate_padding_become_a_pad(int opset)
    {
        using var reflect = nn.Conv2d(2, 3, 3, padding: 2, padding_mode: PaddingModes.Reflect);
        using var replicate = nn.Conv2d(3, 2, 3, padding: 1, padding_mode: PaddingModes.Replicate);
        Check("Conv2d reflect + replicate padding", opset, new long[] { 2, 6, 7 },
            (b, x) => b.Conv2d(b.Conv2d(x, reflect, "conv1"), replicate, "conv2"),
            x => replicate.call(reflect.call(x)));
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Asymmetric_zero_padding_then_convolution(int opset)
    {
        // Keras' 'same' with stride 2 on an even size pads 0 before and 1 after: the DSL emits an explicit pad.
        using var conv = nn.Conv2d(2, 4, 3, stride: 2);
        Check("Pad2d (0,1,1,2) + Conv2d", opset, new long[] { 2, 8, 8 },
            (b, x) => b.Conv2d(b.Pad2d(x, 0, 1, 1, 2, "pad1"), conv, "conv1"),
            x => conv.call(F.pad(x, new long[] { 0, 1, 1, 2 })));
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Conv1d_with_stride_padding_dilation_and_groups(int opset)
    {
        using var conv = nn.Conv1d(4, 6, 3, stride: 2, padding: 2, dilation: 2, groups: 2);
        Check("Conv1d k3 stride 2 pad 2 dilation 2 groups 2", opset, new long[] { 4, 17 }, (b, x) => b.Conv1d(x, conv, "conv1"), conv.call);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void ConvTranspose2d_with_output_padding_and_groups(int opset)
    {
        using var deconv = nn.ConvTranspose2d(4, 6, (3, 2), stride: (2, 3), padding: (1, 0), output_padding: (1, 1), dilation: (1, 2), groups: 2);
        Check("ConvTranspose2d (3,2) stride (2,3) pad (1,0) output_padding 1 dilation (1,2) groups 2", opset, new long[] { 4, 5, 4 },
            (b, x) => b.ConvTranspose2d(x, deconv, "deconv1"), deconv.call);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void ConvTranspose2d_cropped_with_slice(int opset)
    {
        using var deconv = nn.ConvTranspose2d(3, 2, 4, stride: 2, bias: false);
        Check("ConvTranspose2d 4x4 stride 2 + Crop2d (1,2,1,0)", opset, new long[] { 3, 5, 6 },
            (b, x) => b.Crop2d(b.ConvTranspose2d(x, deconv, "deconv1"), 1, 2, 1, 0, "crop1"),
            x =>
            {
                Tensor y = deconv.call(x);
                return y[.., .., 1..(int)(y.shape[2] - 0), 1..(int)(y.shape[3] - 2)];
            });
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Linear_on_features(int opset)
    {
        using var dense = nn.Linear(12, 5);
        Check("Linear 12 -> 5", opset, new long[] { 12 }, (b, x) => b.Linear(x, dense, "dense1"), dense.call);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Linear_flattens_a_shaped_input_first(int opset)
    {
        using var dense = nn.Linear(3 * 4 * 5, 7, hasBias: false);
        Check("Flatten + Linear 60 -> 7", opset, new long[] { 3, 4, 5 },
            (b, x) => b.Linear(x, dense, "dense1"), x => dense.call(x.flatten(1)));
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void MaxPool2d_non_square_with_padding_dilation_and_ceil_mode(int opset)
    {
        using var pool = nn.MaxPool2d(new long[] { 2, 3 }, new long[] { 2, 1 }, new long[] { 1, 1 }, new long[] { 1, 2 }, ceil_mode: true);
        Check("MaxPool2d (2,3) stride (2,1) pad (1,1) dilation (1,2) ceil", opset, new long[] { 2, 7, 9 },
            (b, x) => b.MaxPool2d(x, pool, "maxPool1"), pool.call);
        Check("MaxPool2d (3,2) stride (3,2)", opset, new long[] { 2, 9, 8 },
            (b, x) => b.MaxPool2d(x, (3, 2), name: "maxPool1"), x => F.max_pool2d(x, new long[] { 3, 2 }));
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void AvgPool2d_non_square_with_padding_counted_or_not(int opset)
    {
        Check("AvgPool2d (2,3) stride (1,2) pad (1,1) count_include_pad", opset, new long[] { 2, 6, 7 },
            (b, x) => b.AvgPool2d(x, (2, 3), (1, 2), (1, 1), countIncludePad: true, "avgPool1"),
            x => F.avg_pool2d(x, new long[] { 2, 3 }, new long[] { 1, 2 }, new long[] { 1, 1 }, count_include_pad: true));
        using var pool = nn.AvgPool2d(new long[] { 3, 2 }, new long[] { 2, 2 }, new long[] { 1, 0 }, count_include_pad: false);
        Check("AvgPool2d (3,2) stride 2 pad (1,0) without pad", opset, new long[] { 2, 6, 7 },
            (b, x) => b.AvgPool2d(x, pool, "avgPool1"), pool.call);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Pool1d_max_and_average(int opset)
    {
        using var max = nn.MaxPool1d(3, stride: 2, padding: 1, dilation: 2);
        Check("MaxPool1d 3 stride 2 pad 1 dilation 2", opset, new long[] { 3, 12 }, (b, x) => b.MaxPool1d(x, max, "maxPool1"), max.call);
        using var avg = nn.AvgPool1d(4, stride: 3, padding: 2, count_include_pad: false);
        Check("AvgPool1d 4 stride 3 pad 2 without pad", opset, new long[] { 3, 12 }, (b, x) => b.AvgPool1d(x, avg, "avgPool1"), avg.call);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Global_pools_in_one_and_two_dimensions(int opset)
    {
        Check("GlobalAvgPool 2-D -> [N, C]", opset, new long[] { 4, 5, 6 }, (b, x) => b.GlobalAvgPool(x), x => x.mean(new long[] { 2, 3 }));
        Check("GlobalMaxPool 2-D -> [N, C]", opset, new long[] { 4, 5, 6 }, (b, x) => b.GlobalMaxPool(x), x => x.amax(new long[] { 2, 3 }));
        Check("GlobalAvgPool 1-D -> [N, C]", opset, new long[] { 4, 9 }, (b, x) => b.GlobalAvgPool(x), x => x.mean(new long[] { 2 }));
        Check("GlobalMaxPool 1-D -> [N, C]", opset, new long[] { 4, 9 }, (b, x) => b.GlobalMaxPool(x), x => x.amax(new long[] { 2 }));
        using var adaptive = nn.AdaptiveAvgPool2d(1);
        Check("AdaptiveAvgPool2d(1) -> [N, C, 1, 1]", opset, new long[] { 4, 5, 6 }, (b, x) => b.Module(x, adaptive), adaptive.call);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Flatten_reshape_and_transpose_keep_the_batch(int opset)
    {
        Check("Flatten", opset, new long[] { 2, 3, 4 }, (b, x) => b.Flatten(x), x => x.flatten(1));
        Check("Reshape [4, -1]", opset, new long[] { 2, 3, 4 }, (b, x) => b.Reshape(x, new long[] { 4, -1 }), x => x.reshape(-1, 4, 6));
        Check("Transpose (2, 0, 1)", opset, new long[] { 2, 3, 4 }, (b, x) => b.Transpose(x, new[] { 2, 0, 1 }), x => x.permute(0, 3, 1, 2));
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void BatchNorm_uses_running_statistics(int opset)
    {
        using var norm2d = nn.BatchNorm2d(3, eps: 1e-3);
        using var norm1d = nn.BatchNorm1d(4);
        using var features = nn.BatchNorm1d(6, affine: false);
        foreach (nn.Module norm in new nn.Module[] { norm2d, norm1d, features })
            Train(norm);
        Check("BatchNorm2d", opset, new long[] { 3, 5, 4 }, (b, x) => b.BatchNorm(x, norm2d, "batchNorm1"), norm2d.call);
        Check("BatchNorm1d on [C, L]", opset, new long[] { 4, 7 }, (b, x) => b.BatchNorm(x, norm1d, "batchNorm1"), norm1d.call);
        Check("BatchNorm1d on [C], no affine", opset, new long[] { 6 }, (b, x) => b.BatchNorm(x, features, "batchNorm1"), features.call);

        void Train(nn.Module norm)
        {
            // A few training batches move the running statistics away from 0 and 1, then evaluation mode.
            OnnxCheck.Randomize(norm);
            norm.train();
            long channels = norm is BatchNorm2d ? 3 : norm == norm1d ? 4 : 6;
            for (int i = 0; i < 3; i++)
            {
                using var batch = norm is BatchNorm2d ? randn(8, channels, 5, 4) * 3 + 2 : norm == norm1d ? randn(8, channels, 7) * 2 - 1 : randn(8, channels) + 4;
                using var _ = ((nn.Module<Tensor, Tensor>)norm).call(batch);
            }
            norm.eval();
        }
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void LayerNorm_over_the_last_dimension(int opset)
    {
        using var norm = nn.LayerNorm(8, eps: 1e-4);
        OnnxCheck.Randomize(norm);
        Check("LayerNorm over 8 of [5, 8]", opset, new long[] { 5, 8 }, (b, x) => b.LayerNorm(x, norm, "layerNorm1"), norm.call);
        using var plain = nn.LayerNorm(new long[] { 10 }, elementwise_affine: false);
        Check("LayerNorm over [10], no affine", opset, new long[] { 10 }, (b, x) => b.LayerNorm(x, plain, "layerNorm1"), plain.call);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Dropout_is_the_identity_at_evaluation(int opset)
    {
        using var dropout = nn.Dropout(0.5);
        dropout.eval();
        using var dense = nn.Linear(6, 4);
        Check("Dropout + Linear", opset, new long[] { 6 },
            (b, x) => b.Linear(b.Module(x, dropout), dense, "dense1"), x => dense.call(dropout.call(x)));
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Upsample_nearest_and_bilinear(int opset)
    {
        Check("Upsample nearest x(2, 3)", opset, new long[] { 2, 4, 5 },
            (b, x) => b.Upsample(x, new[] { 2.0, 3.0 }), x => F.interpolate(x, scale_factor: new[] { 2.0, 3.0 }, mode: InterpolationMode.Nearest));
        using var bilinear = nn.Upsample(scale_factor: new[] { 2.0, 2.0 }, mode: UpsampleMode.Bilinear, align_corners: false);
        Check("Upsample bilinear x2", opset, new long[] { 2, 4, 5 }, (b, x) => b.Module(x, bilinear), bilinear.call);
        using var corners = nn.Upsample(size: new long[] { 7, 9 }, mode: UpsampleMode.Bilinear, align_corners: true);
        Check("Upsample bilinear to 7 x 9, align corners", opset, new long[] { 2, 4, 5 }, (b, x) => b.Module(x, corners), corners.call);
        Check("Upsample linear 1-D x3", opset, new long[] { 2, 6 },
            (b, x) => b.Upsample(x, new[] { 3.0 }, UpsampleMode.Linear), x => F.interpolate(x, scale_factor: new[] { 3.0 }, mode: InterpolationMode.Linear));
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Activations(int opset)
    {
        long[] shape = { 3, 4, 5 };
        Check("ReLU", opset, shape, (b, x) => b.Relu(x), x => F.relu(x));
        Check("Tanh", opset, shape, (b, x) => b.Tanh(x), x => x.tanh());
        Check("Sigmoid", opset, shape, (b, x) => b.Sigmoid(x), x => x.sigmoid());
        Check("Softmax(dim 1)", opset, shape, (b, x) => b.Softmax(x), x => x.softmax(1));
        Check("GELU exact", opset, shape, (b, x) => b.Gelu(x), x => F.gelu(x));
        Check("GELU tanh", opset, shape, (b, x) => b.Gelu(x, tanhApproximation: true), x => F.gelu(x, GELU.Approximate.tanh));
        Check("SiLU", opset, shape, (b, x) => b.Silu(x), x => F.silu(x));
        Check("LeakyReLU(0.2)", opset, shape, (b, x) => b.LeakyRelu(x, 0.2), x => F.leaky_relu(x, 0.2));
        Check("ELU(0.7)", opset, shape, (b, x) => b.Elu(x, 0.7), x => F.elu(x, 0.7));
        Check("HardSwish", opset, shape, (b, x) => b.HardSwish(x), x => F.hardswish(x));
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Every_dsl_activation_as_generated_models_apply_it(int opset)
    {
        foreach (var activation in Enum.GetValues<Activation>().Where(a => a != Activation.None))
        {
            Check($"Activation.{activation}", opset, new long[] { 3, 4, 5 },
                (b, x) => b.Activation(x, activation), x => LayerDsl.Modules.Activations.Apply(activation, x));
        }
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Activation_modules_dispatch_to_their_operators(int opset)
    {
        using var model = nn.Sequential(
            nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.GELU(), nn.SiLU(), nn.LeakyReLU(0.3), nn.ELU(0.5), nn.Hardswish(), nn.Softmax(1));
        Check("Sequential of activation modules", opset, new long[] { 6, 3 }, (b, x) => b.Module(x, model, "block1"), model.call);
    }

    [Theory]
    [MemberData(nameof(Opsets))]
    public void Add_and_concat(int opset)
    {
        using var left = nn.Conv2d(3, 4, 3, padding: 1);
        using var right = nn.Conv2d(3, 4, 1);
        Check("Add", opset, new long[] { 3, 5, 5 },
            (b, x) => b.Add(b.Conv2d(x, left, "left"), b.Conv2d(b.Relu(x), right, "right")),
            x => left.call(x) + right.call(F.relu(x)));
        Check("Concat along channels", opset, new long[] { 3, 5, 5 },
            (b, x) => b.Concat(new[] { b.Conv2d(x, left, "left"), b.Conv2d(x, right, "right"), x }),
            x => cat(new[] { left.call(x), right.call(x), x }, 1));
    }
}
