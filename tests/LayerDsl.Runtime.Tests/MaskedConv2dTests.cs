using System;
using System.Collections.Generic;
using System.Linq;
using LayerDsl.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

public sealed class MaskedConv2dTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<int, int, int, int, int, int, int, MaskActivation, Activation, bool> ReferenceCases => new()
    {
        // C, F, k, s, p, H, W, mask activation, activation, bias
        { 3, 4, 3, 2, 1, 9, 7, MaskActivation.Tanh, Activation.ReLU, false },     // C > 1, stride 2, padding 1
        { 1, 32, 5, 1, 0, 9, 9, MaskActivation.Tanh, Activation.ReLU, false },    // the origin's layer
        { 2, 5, 3, 1, 1, 6, 5, MaskActivation.Sigmoid, Activation.Sigmoid, true }, // sigmoid mask, bias
        { 3, 4, 2, 3, 2, 7, 8, MaskActivation.Sigmoid, Activation.Softmax, true },  // stride > kernel, wide padding
        { 2, 3, 3, 2, 0, 7, 7, MaskActivation.Tanh, Activation.None, true },
        { 2, 3, 1, 1, 0, 4, 3, MaskActivation.Tanh, Activation.Tanh, false },       // 1x1 kernel
    };

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void ForwardAndGradientsMatchLoopReference(int c, int f, int k, int s, int p, int h, int w,
        MaskActivation maskActivation, Activation activation, bool bias)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)(1234 + c * 100 + k * 10 + s));
        using var module = new MaskedConv2d(c, f, k, s, p, maskActivation, activation, bias);
        module.to(ScalarType.Float64);

        var x = randn(new long[] { 2, c, h, w }, ScalarType.Float64, generator: generator).requires_grad_();
        var parameters = module.named_parameters().ToList();
        var inputs = new List<Tensor> { x };
        inputs.AddRange(parameters.Select(np => (Tensor)np.parameter));

        var actual = module.call(x);
        var expected = MaskedConvReference.Forward(module, x);
        Assert.Equal(expected.shape, actual.shape);
        double forwardDiff = actual.sub(expected).abs().max().item<double>();
        Assert.True(forwardDiff < Tolerance, $"forward max |diff| = {forwardDiff}");

        var upstream = randn(actual.shape, ScalarType.Float64, generator: generator);
        var actualGrads = autograd.grad(new[] { actual }, inputs, new[] { upstream });
        var expectedGrads = autograd.grad(new[] { expected }, inputs, new[] { upstream });

        var names = new List<string> { "input" };
        names.AddRange(parameters.Select(np => np.name));
        for (int i = 0; i < inputs.Count; i++)
        {
            Assert.Equal(expectedGrads[i].shape, actualGrads[i].shape);
            double gradDiff = actualGrads[i].sub(expectedGrads[i]).abs().max().item<double>();
            Assert.True(gradDiff < Tolerance, $"gradient w.r.t. {names[i]}: max |diff| = {gradDiff}");
        }
    }

    [Theory]
    [InlineData(28, 28, 5, 1, 0)]
    [InlineData(28, 28, 3, 2, 1)]
    [InlineData(9, 7, 3, 2, 1)]
    [InlineData(10, 11, 4, 3, 0)]
    [InlineData(5, 6, 5, 1, 2)]
    [InlineData(8, 8, 2, 2, 0)]
    [InlineData(3, 3, 5, 1, 1)]
    [InlineData(7, 12, 1, 4, 0)]
    public void OutputShapeFollowsTheCompileTimeRule(int h, int w, int k, int s, int p)
    {
        using var scope = NewDisposeScope();
        const int c = 2, f = 3;
        using var module = new MaskedConv2d(c, f, k, s, p);
        long expectedH = (long)Math.Floor((h + 2.0 * p - k) / s) + 1;
        long expectedW = (long)Math.Floor((w + 2.0 * p - k) / s) + 1;

        var y = module.call(zeros(4, c, h, w));

        Assert.Equal(new long[] { 4, f, expectedH, expectedW }, y.shape);
        Assert.Equal(expectedH, module.OutputSize(h));
        Assert.Equal(expectedW, module.OutputSize(w));
    }

    [Theory]
    [InlineData(1, 32, 5, false)]
    [InlineData(3, 8, 3, false)]
    [InlineData(3, 8, 3, true)]
    [InlineData(16, 4, 1, true)]
    public void ParameterCountIsMaskConvPlusFilterBank(long c, long f, long k, bool bias)
    {
        using var module = new MaskedConv2d(c, f, k, bias: bias);
        long taps = k * k;
        long expected = taps * c * taps + taps + f * c * taps + (bias ? f : 0);

        Assert.Equal(expected, module.parameters().Sum(t => t.numel()));
    }

    [Fact]
    public void OriginModelHas185780Parameters()
    {
        // MaskedConv(C=1, k=5, F=32) on 28x28, then Dense(10) on the flattened 32x24x24 map.
        using var masked = new MaskedConv2d(1, 32, 5);
        using var dense = nn.Linear(32 * 24 * 24, 10);

        long maskedCount = masked.parameters().Sum(t => t.numel());
        Assert.Equal(650 + 800, maskedCount);
        Assert.Equal(185780, maskedCount + dense.parameters().Sum(t => t.numel()));
    }

    [Fact]
    public void StateDictKeysAndShapesAreStable()
    {
        using var plain = new MaskedConv2d(3, 8, 3);
        using var biased = new MaskedConv2d(3, 8, 3, bias: true);

        var plainState = plain.state_dict();
        Assert.Equal(new[] { "mask.bias", "mask.weight", "weight" }, plainState.Keys.OrderBy(key => key, StringComparer.Ordinal));
        Assert.Equal(new long[] { 9, 3, 3, 3 }, plainState["mask.weight"].shape);
        Assert.Equal(new long[] { 9 }, plainState["mask.bias"].shape);
        Assert.Equal(new long[] { 8, 27 }, plainState["weight"].shape);

        var biasedState = biased.state_dict();
        Assert.Equal(new[] { "bias", "mask.bias", "mask.weight", "weight" }, biasedState.Keys.OrderBy(key => key, StringComparer.Ordinal));
        Assert.Equal(new long[] { 8 }, biasedState["bias"].shape);
    }

    [Fact]
    public void StateDictRoundTripsIntoAFreshModule()
    {
        using var scope = NewDisposeScope();
        using var source = new MaskedConv2d(2, 4, 3, stride: 2, padding: 1, bias: true);
        using var target = new MaskedConv2d(2, 4, 3, stride: 2, padding: 1, bias: true);
        var saved = new System.IO.MemoryStream();
        source.save(saved); // save() closes the stream; ToArray() still works on a closed MemoryStream
        target.load(new System.IO.MemoryStream(saved.ToArray()));

        var x = randn(2, 2, 7, 7);
        Assert.True(source.call(x).allclose(target.call(x)));
    }

    [Fact]
    public void FilterBankIsInitialisedLikeAConvolution()
    {
        // Kaiming-uniform with a = sqrt(5), as nn.Conv2d: U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = C*k*k.
        using var module = new MaskedConv2d(3, 64, 3, bias: true);
        double bound = 1.0 / Math.Sqrt(3 * 9);
        var state = module.state_dict();

        foreach (var key in new[] { "weight", "bias" })
        {
            double max = state[key].abs().max().item<float>();
            Assert.True(max <= bound + 1e-7, $"{key}: max |w| = {max} exceeds {bound}");
            Assert.True(max > bound / 2, $"{key}: max |w| = {max} is suspiciously small");
        }
        Assert.True(state["weight"].std().item<float>() > 0);
    }

    [Fact]
    public void DeviceArgumentIsRespected()
    {
        using var scope = NewDisposeScope();
        using var module = new MaskedConv2d(2, 4, 3, bias: true, device: CPU);

        Assert.All(module.parameters(), t => Assert.Equal(DeviceType.CPU, t.device_type));
        Assert.Equal(DeviceType.CPU, module.call(randn(1, 2, 5, 5)).device_type);
    }

    [Fact]
    public void ForwardFreesItsTemporaries()
    {
        using var module = new MaskedConv2d(3, 4, 3, stride: 2, padding: 1, bias: true);
        using var x = randn(2, 3, 9, 9);

        using var scope = NewDisposeScope();
        var y = module.call(x);

        // Only the output reaches the caller's scope; every intermediate was disposed inside forward.
        Assert.Equal(1, scope.DisposablesCount);
        Assert.False(y.IsInvalid);
    }

    [Theory]
    [InlineData(0, 4, 3, 1, 0, "inChannels")]
    [InlineData(3, 0, 3, 1, 0, "filters")]
    [InlineData(3, 4, 0, 1, 0, "kernelSize")]
    [InlineData(3, 4, -2, 1, 0, "kernelSize")]
    [InlineData(3, 4, 3, 0, 0, "stride")]
    [InlineData(3, 4, 3, 1, -1, "padding")]
    public void ConstructorRejectsInvalidSizes(long c, long f, long k, long s, long p, string parameter)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MaskedConv2d(c, f, k, s, p));
        Assert.Equal(parameter, ex.ParamName);
    }

    [Theory]
    [InlineData(new long[] { 3, 9, 9 }, "[3, 9, 9]")]
    [InlineData(new long[] { 2, 2, 9, 9 }, "[2, 2, 9, 9]")]
    [InlineData(new long[] { 1, 1, 3, 9, 9 }, "[1, 1, 3, 9, 9]")]
    public void ForwardRejectsWrongInputShape(long[] shape, string actual)
    {
        using var scope = NewDisposeScope();
        using var module = new MaskedConv2d(3, 4, 3);

        var ex = Assert.Throws<ArgumentException>(() => module.call(zeros(shape)));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("[N, 3, H, W]", ex.Message);
        Assert.Contains(actual, ex.Message);
    }

    [Fact]
    public void ForwardRejectsInputSmallerThanTheKernel()
    {
        using var scope = NewDisposeScope();
        using var module = new MaskedConv2d(1, 4, 5, padding: 1);

        var ex = Assert.Throws<ArgumentException>(() => module.call(zeros(1, 1, 2, 8)));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("[1, 1, 2, 8]", ex.Message);
    }
}
