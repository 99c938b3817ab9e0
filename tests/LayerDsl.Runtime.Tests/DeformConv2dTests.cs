using System;
using System.Collections.Generic;
using System.Linq;
using LayerDsl.Modules;
using LayerDsl.Runtime.Tests.Fixtures;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

public sealed class DeformConv2dTests
{
    // Absolute tolerance on every value (outputs and gradients are of order 1 to 30), in float64.
    private const double Tolerance = 1e-10;

    private static readonly string[] Inputs = { "input", "offset", "mask", "weight", "bias" };

    public static TheoryData<string> TorchvisionCases()
    {
        var data = new TheoryData<string>();
        foreach (var name in DeformConvFixtures.Names)
            data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(TorchvisionCases))]
    public void OutputAndGradientsMatchTorchvision(string name)
    {
        using var scope = NewDisposeScope();
        var fixture = DeformConvFixtures.Get(name);
        var leaves = Inputs
            .Select(key => (Name: key, Tensor: fixture.Optional(key)?.requires_grad_()))
            .Where(leaf => leaf.Tensor is not null)
            .Select(leaf => (leaf.Name, Tensor: leaf.Tensor!))
            .ToList();
        Tensor? Leaf(string key) => leaves.Where(l => l.Name == key).Select(l => l.Tensor).FirstOrDefault();

        var output = DeformConv2d.Apply(Leaf("input")!, Leaf("offset")!, Leaf("weight")!, Leaf("bias"),
            fixture.Stride, fixture.Padding, fixture.Dilation, Leaf("mask"));

        AssertClose(fixture.Required("output"), output, $"{name}: output");
        var gradients = autograd.grad(new[] { output }, leaves.Select(l => l.Tensor).ToArray(), new[] { fixture.Required("upstream") });
        for (int i = 0; i < leaves.Count; i++)
            AssertClose(fixture.Required("grad_" + leaves[i].Name), gradients[i], $"{name}: gradient w.r.t. {leaves[i].Name}");
    }

    [Fact]
    public void FixturesCoverTheRequiredArguments()
    {
        var cases = DeformConvFixtures.Names.Select(DeformConvFixtures.Get).ToList();
        var strides = cases.SelectMany(c => new[] { c.Stride.Height, c.Stride.Width }).ToHashSet();
        var paddings = cases.SelectMany(c => new[] { c.Padding.Height, c.Padding.Width }).ToHashSet();
        var dilations = cases.SelectMany(c => new[] { c.Dilation.Height, c.Dilation.Width }).ToHashSet();

        Assert.Superset(new HashSet<long> { 1, 2 }, strides);
        Assert.Superset(new HashSet<long> { 0, 1, 2 }, paddings);
        Assert.Superset(new HashSet<long> { 1, 2 }, dilations);
        Assert.Superset(new HashSet<long> { 1, 2 }, cases.Select(c => c.OffsetGroups).ToHashSet());
        Assert.Contains(cases, c => c.Tensors.ContainsKey("mask"));
        Assert.Contains(cases, c => !c.Tensors.ContainsKey("mask"));
        Assert.Contains(cases, c => c.Tensors["weight"].Shape[2] != c.Tensors["weight"].Shape[3]);
        Assert.Contains(cases, c => c.Groups > 1);
        Assert.All(cases, c => Assert.All(Inputs.Where(c.Tensors.ContainsKey), key => Assert.True(c.Tensors.ContainsKey("grad_" + key), $"{c.Name}: no grad_{key}")));
    }

    [Fact]
    public void FixturesSampleExactlyOnAndBeyondTheBorders()
    {
        // The sampling rows of the border cases, computed from the fixtures' own offsets: some land exactly on the
        // zero rows -1 and H, on the first and last rows, strictly within one pixel outside, and further out.
        var borderCases = DeformConvFixtures.Names.Where(name => name.StartsWith("borders", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(borderCases);
        foreach (var fixture in borderCases.Select(DeformConvFixtures.Get))
        {
            var offset = fixture.Tensors["offset"];
            var weight = fixture.Tensors["weight"];
            long kh = weight.Shape[2], kw = weight.Shape[3], outH = offset.Shape[2], outW = offset.Shape[3];
            long height = fixture.Tensors["input"].Shape[2];
            var rows = new List<double>();
            for (long index = 0; index < offset.Data.Length; index++)
            {
                long oy = index / outW % outH, channel = index / (outW * outH) % offset.Shape[1];
                if (channel % 2 != 0)
                    continue; // a horizontal displacement
                long i = channel / 2 % (kh * kw) / kw;
                rows.Add(oy * fixture.Stride.Height - fixture.Padding.Height + i * fixture.Dilation.Height + offset.Data[index]);
            }

            Assert.Contains(rows, y => y == -1);
            Assert.Contains(rows, y => y == height);
            Assert.Contains(rows, y => y == 0);
            Assert.Contains(rows, y => y == height - 1);
            Assert.Contains(rows, y => y > -1 && y < 0);
            Assert.Contains(rows, y => y > height - 1 && y < height);
            Assert.Contains(rows, y => y < -1);
            Assert.Contains(rows, y => y > height);
        }
    }

    public static TheoryData<int, int, int, int, int, int, int, MaskActivation, Activation, bool> MaskedConvCases => new()
    {
        // C, F, k, s, p, H, W, mask activation, activation, bias
        { 1, 32, 5, 1, 0, 9, 9, MaskActivation.Tanh, Activation.ReLU, false },    // the origin's layer
        { 3, 4, 3, 2, 1, 9, 7, MaskActivation.Tanh, Activation.ReLU, false },     // C > 1, stride 2, padding 1
        { 2, 5, 3, 1, 2, 6, 5, MaskActivation.Tanh, Activation.None, true },      // bias, padding wider than a tap
        { 2, 3, 4, 3, 1, 10, 8, MaskActivation.Sigmoid, Activation.Tanh, true },  // even kernel, stride > 1
    };

    [Theory]
    [MemberData(nameof(MaskedConvCases))]
    public void MaskedConvIsDeformConvWithZeroOffsetsAndItsMask(int c, int f, int k, int s, int p, int h, int w,
        MaskActivation maskActivation, Activation activation, bool bias)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)(77 + c * 100 + k * 10 + s));
        using var masked = new MaskedConv2d(c, f, k, s, p, maskActivation, activation, bias);
        masked.to(ScalarType.Float64);
        var parameters = masked.named_parameters().ToDictionary(np => np.name, np => (Tensor)np.parameter);
        var x = randn(new long[] { 2, c, h, w }, ScalarType.Float64, generator: generator).requires_grad_();
        var inputs = new List<Tensor> { x };
        inputs.AddRange(parameters.Values);

        // One offset group, no displacement, and the masked convolution's own mask, shared across channels.
        Tensor logits = nn.functional.conv2d(x, parameters["mask.weight"], parameters["mask.bias"], strides: new long[] { s, s }, padding: new long[] { p, p });
        Tensor mask = maskActivation == MaskActivation.Tanh ? logits.tanh() : logits.sigmoid();
        Tensor offset = zeros(2, 2 * k * k, mask.shape[2], mask.shape[3], ScalarType.Float64);
        Tensor deformed = DeformConv2d.Apply(x, offset, parameters["weight"].view(f, c, k, k), parameters.GetValueOrDefault("bias"),
            (s, s), (p, p), (1, 1), mask);
        deformed = activation switch
        {
            Activation.ReLU => nn.functional.relu(deformed),
            Activation.Tanh => deformed.tanh(),
            _ => deformed,
        };

        var expected = masked.call(x);
        AssertClose(expected, deformed, "output");
        var upstream = randn(expected.shape, ScalarType.Float64, generator: generator);
        var expectedGrads = autograd.grad(new[] { expected }, inputs, new[] { upstream });
        var actualGrads = autograd.grad(new[] { deformed }, inputs, new[] { upstream });
        var names = new[] { "input" }.Concat(parameters.Keys).ToList();
        for (int i = 0; i < inputs.Count; i++)
            AssertClose(expectedGrads[i], actualGrads[i], $"gradient w.r.t. {names[i]}");
    }

    public static TheoryData<int, int, int[], int, int, bool> GeometryCases => new()
    {
        // C, F, { kh, kw, sh, sw, ph, pw, dh, dw }, offset groups, groups, modulated
        { 1, 32, new[] { 5, 5, 1, 1, 0, 0, 1, 1 }, 1, 1, true },
        { 4, 6, new[] { 3, 3, 2, 2, 1, 1, 1, 1 }, 2, 1, true },
        { 4, 6, new[] { 3, 3, 1, 1, 2, 2, 2, 2 }, 4, 2, false },
        { 6, 4, new[] { 2, 3, 2, 1, 1, 0, 1, 2 }, 3, 2, true },
        { 2, 3, new[] { 1, 1, 3, 2, 0, 1, 1, 1 }, 1, 1, false },
    };

    [Theory]
    [MemberData(nameof(GeometryCases))]
    public void FreshLayerIsAConvolutionScaledByTheInitialMask(int c, int f, int[] geometry, int offsetGroups, int groups, bool modulated)
    {
        // Zero-initialised offset (and mask) branches: the layer starts as nn.Conv2d, with every tap weighted by
        // sigmoid(0) = 0.5 when modulated.
        int kh = geometry[0], kw = geometry[1], sh = geometry[2], sw = geometry[3];
        int ph = geometry[4], pw = geometry[5], dh = geometry[6], dw = geometry[7];
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)(5 + c * 10 + kh));
        using var layer = new DeformConv2d(c, f, (kh, kw), (sh, sw), (ph, pw), (dh, dw), offsetGroups, modulated, groups: groups);
        layer.to(ScalarType.Float64);
        var state = layer.state_dict();
        var x = randn(new long[] { 3, c, 11, 9 }, ScalarType.Float64, generator: generator);

        var actual = layer.call(x);
        var expected = nn.functional.conv2d(x, state["weight"] * (modulated ? 0.5 : 1.0), state["bias"],
            strides: new long[] { sh, sw }, padding: new long[] { ph, pw }, dilation: new long[] { dh, dw }, groups: groups);

        AssertClose(expected, actual, "output");
        Assert.Equal(layer.OutputHeight(11), actual.shape[2]);
        Assert.Equal(layer.OutputWidth(9), actual.shape[3]);
        Assert.Equal((11 + 2 * ph - dh * (kh - 1) - 1) / sh + 1, actual.shape[2]);
        Assert.Equal((9 + 2 * pw - dw * (kw - 1) - 1) / sw + 1, actual.shape[3]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LayerSamplesWhereItsOffsetBranchPointsAndWeighsByItsMaskBranch(bool modulated)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(23);
        using var layer = new DeformConv2d(4, 5, (3, 2), (2, 1), (1, 1), (1, 2), offsetGroups: 2, modulated: modulated,
            activation: Activation.ReLU);
        layer.to(ScalarType.Float64);
        var p = layer.named_parameters().ToDictionary(np => np.name, np => (Tensor)np.parameter);
        using (no_grad())
        {
            // Offsets of a few pixels and a mask away from 0.5, so that every branch matters.
            foreach (var key in p.Keys.Where(key => key.StartsWith("offset.", StringComparison.Ordinal) || key.StartsWith("mask.", StringComparison.Ordinal)))
                p[key].copy_(randn(p[key].shape, ScalarType.Float64, generator: generator) * 0.7);
        }
        var x = randn(new long[] { 2, 4, 9, 8 }, ScalarType.Float64, generator: generator);

        var offset = nn.functional.conv2d(x, p["offset.weight"], p["offset.bias"], strides: new long[] { 2, 1 }, padding: new long[] { 1, 1 }, dilation: new long[] { 1, 2 });
        var mask = modulated
            ? nn.functional.conv2d(x, p["mask.weight"], p["mask.bias"], strides: new long[] { 2, 1 }, padding: new long[] { 1, 1 }, dilation: new long[] { 1, 2 }).sigmoid()
            : null;
        var expected = nn.functional.relu(DeformConv2d.Apply(x, offset, p["weight"], p["bias"], (2, 1), (1, 1), (1, 2), mask));

        Assert.True(offset.abs().max().item<double>() > 1, "the offsets should move samples by more than a pixel");
        AssertClose(expected, layer.call(x), "output");
    }

    [Fact]
    public void TheOffsetAndMaskBranchesLearnFromTheirZeroStart()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        using var layer = new DeformConv2d(2, 4, 3, padding: 1, offsetGroups: 2);
        var x = randn(new long[] { 2, 2, 7, 7 }, generator: generator);

        layer.call(x).square().sum().backward();

        var grads = layer.named_parameters().ToDictionary(np => np.name, np => np.parameter.grad);
        foreach (var key in new[] { "offset.weight", "offset.bias", "mask.weight", "mask.bias", "weight", "bias" })
        {
            Assert.NotNull(grads[key]);
            Assert.True(grads[key]!.abs().sum().item<float>() > 0, $"{key} received no gradient");
        }
    }

    [Fact]
    public void StateDictKeysAndShapesAreStable()
    {
        using var modulated = new DeformConv2d(4, 8, 3, offsetGroups: 2);
        using var plain = new DeformConv2d(4, 8, (3, 2), (1, 1), (0, 0), (1, 1), modulated: false, bias: false, groups: 2);

        var state = modulated.state_dict();
        Assert.Equal(new[] { "bias", "mask.bias", "mask.weight", "offset.bias", "offset.weight", "weight" },
            state.Keys.OrderBy(key => key, StringComparer.Ordinal));
        Assert.Equal(new long[] { 36, 4, 3, 3 }, state["offset.weight"].shape);
        Assert.Equal(new long[] { 36 }, state["offset.bias"].shape);
        Assert.Equal(new long[] { 18, 4, 3, 3 }, state["mask.weight"].shape);
        Assert.Equal(new long[] { 18 }, state["mask.bias"].shape);
        Assert.Equal(new long[] { 8, 4, 3, 3 }, state["weight"].shape);
        Assert.Equal(new long[] { 8 }, state["bias"].shape);

        var plainState = plain.state_dict();
        Assert.Equal(new[] { "offset.bias", "offset.weight", "weight" }, plainState.Keys.OrderBy(key => key, StringComparer.Ordinal));
        Assert.Equal(new long[] { 12, 4, 3, 2 }, plainState["offset.weight"].shape);
        Assert.Equal(new long[] { 8, 2, 3, 2 }, plainState["weight"].shape);
    }

    [Fact]
    public void BranchesStartAtZeroAndTheFilterBankLikeAConvolution()
    {
        using var layer = new DeformConv2d(3, 64, 3, bias: true);
        var state = layer.state_dict();
        double bound = 1.0 / Math.Sqrt(3 * 9);

        foreach (var key in new[] { "offset.weight", "offset.bias", "mask.weight", "mask.bias" })
            Assert.Equal(0, state[key].abs().max().item<float>());
        foreach (var key in new[] { "weight", "bias" })
        {
            double max = state[key].abs().max().item<float>();
            Assert.True(max <= bound + 1e-7, $"{key}: max |w| = {max} exceeds {bound}");
            Assert.True(max > bound / 2, $"{key}: max |w| = {max} is suspiciously small");
        }
    }

    [Fact]
    public void DeviceArgumentIsRespected()
    {
        using var scope = NewDisposeScope();
        using var layer = new DeformConv2d(2, 4, 3, device: CPU);

        Assert.All(layer.parameters(), t => Assert.Equal(DeviceType.CPU, t.device_type));
        Assert.Equal(DeviceType.CPU, layer.call(randn(1, 2, 5, 5)).device_type);
    }

    [Fact]
    public void ForwardFreesItsTemporaries()
    {
        using var layer = new DeformConv2d(3, 4, 3, stride: 2, padding: 1, offsetGroups: 3, activation: Activation.ReLU);
        using var x = randn(2, 3, 9, 9);

        using var scope = NewDisposeScope();
        var y = layer.call(x);

        // Only the output reaches the caller's scope; every intermediate was disposed inside forward.
        Assert.Equal(1, scope.DisposablesCount);
        Assert.False(y.IsInvalid);
    }

    [Fact]
    public void TrainingStepsLeaveNoLiveTensorsBehind()
    {
        using var layer = new DeformConv2d(2, 4, 3, padding: 1);
        using var x = randn(4, 2, 8, 8);
        void Step()
        {
            using var scope = NewDisposeScope();
            layer.call(x).sum().backward();
        }

        Step(); // the first backward allocates the parameters' gradients
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 5; i++)
            Step();
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        Assert.Equal(before, after);
    }

    [Theory]
    [InlineData(0, 4, 3, 1, 0, 1, 1, 1, "inChannels")]
    [InlineData(3, 0, 3, 1, 0, 1, 1, 1, "filters")]
    [InlineData(3, 4, 0, 1, 0, 1, 1, 1, "kernelSize")]
    [InlineData(3, 4, 3, 0, 0, 1, 1, 1, "stride")]
    [InlineData(3, 4, 3, 1, -1, 1, 1, 1, "padding")]
    [InlineData(3, 4, 3, 1, 0, 0, 1, 1, "dilation")]
    [InlineData(3, 4, 3, 1, 0, 1, 2, 1, "offsetGroups")]
    [InlineData(3, 4, 3, 1, 0, 1, 0, 1, "offsetGroups")]
    [InlineData(4, 6, 3, 1, 0, 1, 1, 4, "groups")]
    [InlineData(4, 6, 3, 1, 0, 1, 1, 3, "groups")]
    public void ConstructorRejectsInvalidSizes(long c, long f, long k, long s, long p, long d, long offsetGroups, long groups, string parameter)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new DeformConv2d(c, f, k, s, p, d, offsetGroups, groups: groups));
        Assert.Equal(parameter, ex.ParamName);
    }

    [Theory]
    [InlineData(new long[] { 3, 9, 9 }, "[3, 9, 9]")]
    [InlineData(new long[] { 2, 2, 9, 9 }, "[2, 2, 9, 9]")]
    public void ForwardRejectsWrongInputShape(long[] shape, string actual)
    {
        using var scope = NewDisposeScope();
        using var layer = new DeformConv2d(3, 4, 3);

        var ex = Assert.Throws<ArgumentException>(() => layer.call(zeros(shape)));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("[N, 3, H, W]", ex.Message);
        Assert.Contains(actual, ex.Message);
    }

    [Fact]
    public void ForwardRejectsInputSmallerThanTheDilatedKernel()
    {
        using var scope = NewDisposeScope();
        using var layer = new DeformConv2d(1, 4, 3, padding: 1, dilation: 3);

        var ex = Assert.Throws<ArgumentException>(() => layer.call(zeros(1, 1, 8, 4)));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("[1, 1, 8, 4]", ex.Message);
        Assert.Contains("dilated kernel 7 x 7", ex.Message);
    }

    [Theory]
    [InlineData(new long[] { 2, 17, 5, 5 }, "offset", "[2, 2 * G * 3 * 3, 5, 5]", "[2, 17, 5, 5]")]    // not a multiple of 2 k²
    [InlineData(new long[] { 2, 18, 4, 5 }, "offset", "[2, 2 * G * 3 * 3, 5, 5]", "[2, 18, 4, 5]")]    // wrong output size
    [InlineData(new long[] { 1, 18, 5, 5 }, "offset", "[2, 2 * G * 3 * 3, 5, 5]", "[1, 18, 5, 5]")]    // wrong batch
    [InlineData(new long[] { 2, 54, 5, 5 }, "offset", "3 offset groups", "[2, 54, 5, 5]")]             // G does not divide C
    public void ApplyRejectsWrongOffsetShape(long[] offsetShape, string parameter, string expected, string actual)
    {
        using var scope = NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() =>
            DeformConv2d.Apply(zeros(2, 4, 7, 7), zeros(offsetShape), zeros(5, 4, 3, 3)));
        Assert.Equal(parameter, ex.ParamName);
        Assert.Contains(expected, ex.Message);
        Assert.Contains(actual, ex.Message);
    }

    [Fact]
    public void ApplyRejectsWrongMaskWeightAndBiasShapes()
    {
        using var scope = NewDisposeScope();
        var input = zeros(2, 4, 7, 7);
        var offset = zeros(2, 36, 5, 5); // two offset groups of a 3 x 3 kernel

        var mask = Assert.Throws<ArgumentException>(() => DeformConv2d.Apply(input, offset, zeros(5, 4, 3, 3), mask: zeros(2, 9, 5, 5)));
        Assert.Equal("mask", mask.ParamName);
        Assert.Contains("[2, 18, 5, 5]", mask.Message);
        Assert.Contains("[2, 9, 5, 5]", mask.Message);

        var weight = Assert.Throws<ArgumentException>(() => DeformConv2d.Apply(input, offset, zeros(5, 3, 3, 3)));
        Assert.Equal("weight", weight.ParamName);
        Assert.Contains("[5, 3, 3, 3]", weight.Message);

        var bias = Assert.Throws<ArgumentException>(() => DeformConv2d.Apply(input, offset, zeros(5, 4, 3, 3), zeros(4)));
        Assert.Equal("bias", bias.ParamName);
        Assert.Contains("[5]", bias.Message);
        Assert.Contains("[4]", bias.Message);

        var rank = Assert.Throws<ArgumentException>(() => DeformConv2d.Apply(zeros(4, 7, 7), offset, zeros(5, 4, 3, 3)));
        Assert.Equal("input", rank.ParamName);
        Assert.Contains("[4, 7, 7]", rank.Message);
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = actual.sub(expected).abs().max().item<double>();
        Assert.True(diff <= Tolerance, $"{what}: max |diff| = {diff:E3} exceeds {Tolerance:E0}");
    }
}
