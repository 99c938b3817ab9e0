using System;
using System.Collections.Generic;
using System.Linq;
using LayerDsl.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

public sealed class MaskedConv2dTests
{
    // Both formulations against the reference in float64: only rounding may differ.
    private const double Tolerance = 1e-10;

    // C, F, k, s, p, H, W, mask activation, activation, bias: together every option of the layer.
    private static readonly object[][] Cases =
    {
        new object[] { 3, 4, 3, 2, 1, 9, 7, MaskActivation.Tanh, Activation.ReLU, false },      // C > 1, stride 2, padding 1
        new object[] { 1, 32, 5, 1, 0, 9, 9, MaskActivation.Tanh, Activation.ReLU, false },     // the origin's layer
        new object[] { 2, 5, 3, 1, 1, 6, 5, MaskActivation.Sigmoid, Activation.Sigmoid, true },  // sigmoid mask, bias
        new object[] { 3, 4, 2, 3, 2, 7, 8, MaskActivation.Sigmoid, Activation.Softmax, true },  // stride > kernel, wide padding
        new object[] { 2, 3, 3, 2, 0, 7, 7, MaskActivation.Tanh, Activation.None, true },
        new object[] { 2, 3, 1, 1, 0, 4, 3, MaskActivation.Tanh, Activation.Tanh, false },        // 1x1 kernel
        new object[] { 1, 6, 3, 1, 0, 6, 6, MaskActivation.Sigmoid, Activation.ReLU, false },    // one channel, sigmoid mask
        new object[] { 1, 4, 3, 2, 1, 7, 6, MaskActivation.Tanh, Activation.Softmax, true },     // one channel, softmax, bias
    };

    /// <summary>Every formulation; the fused one also in slices of one and two images, so a batch of 3 ends in a short slice.</summary>
    private static readonly (MaskedConvFormulation Formulation, long? Slice)[] Variants =
    {
        (MaskedConvFormulation.Composed, null),
        (MaskedConvFormulation.Fused, null),
        (MaskedConvFormulation.Fused, 1),
        (MaskedConvFormulation.Fused, 2),
    };

    /// <summary>Case (index into <see cref="Cases"/>, described) x variant.</summary>
    public static TheoryData<string, int, MaskedConvFormulation, long> ReferenceCases
    {
        get
        {
            var data = new TheoryData<string, int, MaskedConvFormulation, long>();
            for (int i = 0; i < Cases.Length; i++)
            {
                foreach (var (formulation, slice) in Variants)
                    data.Add(string.Join(" ", Cases[i]), i, formulation, slice ?? 0);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void ForwardAndGradientsMatchLoopReference(string description, int index, MaskedConvFormulation formulation, long slice)
    {
        Assert.Equal(description, string.Join(" ", Cases[index]));
        var (c, f, k, s, p, h, w) = ((int)Cases[index][0], (int)Cases[index][1], (int)Cases[index][2], (int)Cases[index][3],
            (int)Cases[index][4], (int)Cases[index][5], (int)Cases[index][6]);
        var (maskActivation, activation, bias) = ((MaskActivation)Cases[index][7], (Activation)Cases[index][8], (bool)Cases[index][9]);
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)(1234 + c * 100 + k * 10 + s));
        using var module = Create(c, f, k, s, p, maskActivation, activation, bias, formulation, slice);
        var spec = new MaskedConvSpec(k, s, p, maskActivation, activation);

        var x = randn(new long[] { 3, c, h, w }, ScalarType.Float64, generator: generator).requires_grad_();
        var (names, inputs) = InputAndParameters(module, x);

        var actual = module.call(x);
        var expected = Reference(module, x, spec);
        Assert.Equal(expected.shape, actual.shape);
        AssertClose(expected, actual, "forward");

        var upstream = randn(actual.shape, ScalarType.Float64, generator: generator);
        var actualGrads = autograd.grad(new[] { actual }, inputs, new[] { upstream });
        var expectedGrads = autograd.grad(new[] { expected }, inputs, new[] { upstream });
        for (int i = 0; i < inputs.Count; i++)
            AssertClose(expectedGrads[i], actualGrads[i], $"gradient w.r.t. {names[i]}");
    }

    [Theory]
    [InlineData(MaskedConvFormulation.Composed)]
    [InlineData(MaskedConvFormulation.Fused)]
    public void GradientsOfGradientsMatchLoopReference(MaskedConvFormulation formulation)
    {
        // A gradient penalty: the squared input gradient, differentiated again w.r.t. every parameter.
        using var scope = NewDisposeScope();
        using var generator = new Generator(99);
        using var module = Create(2, 3, 3, 1, 1, MaskActivation.Sigmoid, Activation.Tanh, bias: true, formulation, slice: 2);
        var spec = new MaskedConvSpec(3, 1, 1, MaskActivation.Sigmoid, Activation.Tanh);
        var x = randn(new long[] { 3, 2, 5, 6 }, ScalarType.Float64, generator: generator).requires_grad_();
        var upstream = randn(new long[] { 3, 3, 5, 6 }, ScalarType.Float64, generator: generator);
        var (names, inputs) = InputAndParameters(module, x);

        IList<Tensor> PenaltyGradients(Tensor output)
        {
            var inputGrad = autograd.grad(new[] { output }, new[] { x }, new[] { upstream }, retain_graph: true, create_graph: true)[0];
            return autograd.grad(new[] { inputGrad.square().sum() }, inputs, allow_unused: true);
        }

        var actual = PenaltyGradients(module.call(x));
        var expected = PenaltyGradients(Reference(module, x, spec));
        for (int i = 0; i < inputs.Count; i++)
            AssertClose(expected[i], actual[i], $"second-order gradient w.r.t. {names[i]}");
    }

    [Theory]
    [InlineData(nameof(MaskedConvSpec.MaskActivation))]
    [InlineData(nameof(MaskedConvSpec.Activation))]
    [InlineData(nameof(MaskedConvSpec.Stride))]
    [InlineData(nameof(MaskedConvSpec.Padding))]
    public void ReferenceTellsAWrongOptionApart(string option)
    {
        // The comparison above has teeth: a module whose option differs from the specification disagrees with the reference.
        using var scope = NewDisposeScope();
        using var generator = new Generator(7);
        var spec = new MaskedConvSpec(3, 1, 1, MaskActivation.Tanh, Activation.Tanh);
        var other = option switch
        {
            nameof(MaskedConvSpec.MaskActivation) => spec with { MaskActivation = MaskActivation.Sigmoid },
            nameof(MaskedConvSpec.Activation) => spec with { Activation = Activation.Sigmoid },
            nameof(MaskedConvSpec.Stride) => spec with { Stride = 2 },
            _ => spec with { Padding = 0 },
        };
        using var module = Create(2, 3, 3, other.Stride, other.Padding, other.MaskActivation, other.Activation, bias: false, MaskedConvFormulation.Fused, 0);
        var x = randn(new long[] { 2, 2, 6, 6 }, ScalarType.Float64, generator: generator);

        var actual = module.call(x);
        var expected = Reference(module, x, spec);

        Assert.False(actual.shape.AsSpan().SequenceEqual(expected.shape) && actual.allclose(expected, rtol: 0, atol: 1e-6),
            $"a module built with {option} = {other} matched the reference for {spec}");
    }

    [Fact]
    public void WithoutGradientsBothFormulationsAgree()
    {
        // Under no_grad (evaluation) the fused formulation skips its autograd node; the numbers do not change.
        using var scope = NewDisposeScope();
        using var generator = new Generator(5);
        using var module = Create(3, 4, 3, 2, 1, MaskActivation.Tanh, Activation.ReLU, bias: true, MaskedConvFormulation.Fused, 2);
        var x = randn(new long[] { 5, 3, 9, 8 }, ScalarType.Float64, generator: generator);

        Tensor fused, composed;
        using (no_grad())
        {
            fused = module.call(x);
            module.Formulation = MaskedConvFormulation.Composed;
            composed = module.call(x);
        }

        Assert.False(fused.requires_grad);
        AssertClose(composed, fused, "no-grad forward");
    }

    [Fact]
    public void FrozenLayerStillPassesGradientsToItsInput()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(11);
        using var module = Create(2, 3, 3, 1, 0, MaskActivation.Tanh, Activation.ReLU, bias: true, MaskedConvFormulation.Fused, 2);
        foreach (var parameter in module.parameters())
            parameter.requires_grad = false;
        var x = randn(new long[] { 3, 2, 6, 6 }, ScalarType.Float64, generator: generator).requires_grad_();

        var actual = autograd.grad(new[] { module.call(x).sum() }, new[] { x })[0];
        var expected = autograd.grad(new[] { Reference(module, x, new MaskedConvSpec(3, 1, 0, MaskActivation.Tanh, Activation.ReLU)).sum() }, new[] { x })[0];

        AssertClose(expected, actual, "gradient w.r.t. input");
        Assert.All(module.parameters(), parameter => Assert.Null(parameter.grad));
    }

    [Fact]
    public void OutputCanBeModifiedInPlace()
    {
        // The fused output is a tensor of its own, not a view, so an in-place activation after the layer is allowed.
        using var scope = NewDisposeScope();
        using var generator = new Generator(13);
        using var module = Create(1, 4, 3, 1, 0, MaskActivation.Tanh, Activation.None, bias: false, MaskedConvFormulation.Fused, 2);
        var x = randn(new long[] { 3, 1, 6, 6 }, ScalarType.Float64, generator: generator);
        var spec = new MaskedConvSpec(3, 1, 0, MaskActivation.Tanh, Activation.None);
        var weight = module.named_parameters().Single(np => np.name == "weight").parameter;

        var actual = autograd.grad(new[] { module.call(x).relu_().sum() }, new[] { weight })[0];
        var expected = autograd.grad(new[] { Reference(module, x, spec).relu().sum() }, new[] { weight })[0];

        AssertClose(expected, actual, "gradient w.r.t. weight");
    }

    [Theory]
    [InlineData(Activation.ReLU, MaskedConvFormulation.Fused, 2)]
    [InlineData(Activation.ReLU, MaskedConvFormulation.Fused, 0)]
    [InlineData(Activation.Tanh, MaskedConvFormulation.Fused, 1)]
    [InlineData(Activation.Tanh, MaskedConvFormulation.Fused, 3)]
    [InlineData(Activation.Sigmoid, MaskedConvFormulation.Fused, 2)]
    [InlineData(Activation.ReLU, MaskedConvFormulation.Composed, 0)]
    [InlineData(Activation.None, MaskedConvFormulation.Fused, 2)]
    public void ForwardActivatedIsTheLayerFollowedByTheActivation(Activation then, MaskedConvFormulation formulation, long slice)
    {
        // What generated models call for a [MaskedConv]'s own activation: the reference with that activation, in the
        // output and in the gradients of the input and of every parameter.
        using var scope = NewDisposeScope();
        using var generator = new Generator(17);
        using var module = Create(2, 3, 3, 1, 1, MaskActivation.Tanh, Activation.None, bias: true, formulation, slice);
        var x = randn(new long[] { 3, 2, 6, 5 }, ScalarType.Float64, generator: generator).requires_grad_();
        var (_, tensors) = InputAndParameters(module, x);
        var readout = randn(new long[] { 3, 3, 6, 5 }, ScalarType.Float64, generator: generator);

        var actual = module.ForwardActivated(x, then);
        var actualGradients = autograd.grad(new[] { (actual * readout).sum() }, tensors);
        var expected = Reference(module, x, new MaskedConvSpec(3, 1, 1, MaskActivation.Tanh, then));
        var expectedGradients = autograd.grad(new[] { (expected * readout).sum() }, tensors);

        AssertClose(expected, actual, "output");
        for (int i = 0; i < tensors.Count; i++)
            AssertClose(expectedGradients[i], actualGradients[i], $"gradient {i}");
        Assert.Equal(Activation.None, module.Activation);
    }

    [Fact]
    public void ForwardActivatedRefusesALayerWithItsOwnActivationAndOtherActivations()
    {
        using var relu = new MaskedConv2d(1, 2, 3, activation: Activation.ReLU);
        using var plain = new MaskedConv2d(1, 2, 3, activation: Activation.None);
        var x = zeros(1, 1, 5, 5);

        var own = Assert.Throws<InvalidOperationException>(() => relu.ForwardActivated(x, Activation.Tanh));
        Assert.Contains("Activation.None", own.Message);
        var other = Assert.Throws<ArgumentOutOfRangeException>(() => plain.ForwardActivated(x, Activation.Softmax));
        Assert.Equal("then", other.ParamName);
    }

    [Fact]
    public void FormulationRejectsUndefinedValues()
    {
        using var module = new MaskedConv2d(1, 2, 3);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => module.Formulation = (MaskedConvFormulation)7);
        Assert.Contains(nameof(MaskedConvFormulation.Composed), ex.Message);
        Assert.Equal(MaskedConvFormulation.Fused, module.Formulation);
    }

    private static MaskedConv2d Create(long c, long f, long k, long s, long p, MaskActivation maskActivation, Activation activation, bool bias,
        MaskedConvFormulation formulation, long slice)
    {
        var module = new MaskedConv2d(c, f, k, s, p, maskActivation, activation, bias) { Formulation = formulation };
        module.SliceImages = slice > 0 ? slice : null;
        module.to(ScalarType.Float64);
        return module;
    }

    private static (List<string> Names, List<Tensor> Tensors) InputAndParameters(MaskedConv2d module, Tensor x)
    {
        var names = new List<string> { "input" };
        var tensors = new List<Tensor> { x };
        foreach (var (name, parameter) in module.named_parameters())
        {
            names.Add(name);
            tensors.Add(parameter);
        }

        return (names, tensors);
    }

    /// <summary>The reference on the module's parameters (by their state-dict keys), configured by <paramref name="spec"/> alone.</summary>
    private static Tensor Reference(MaskedConv2d module, Tensor x, MaskedConvSpec spec)
    {
        var parameters = module.named_parameters().ToDictionary(np => np.name, np => (Tensor)np.parameter);
        return MaskedConvReference.Forward(x, parameters["mask.weight"], parameters["mask.bias"], parameters["weight"],
            parameters.GetValueOrDefault("bias"), spec);
    }

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double diff = actual.sub(expected).abs().max().item<double>();
        Assert.True(diff < Tolerance, $"{what}: max |diff| = {diff}");
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
    [InlineData(Activation.GELU)]
    [InlineData(Activation.LeakyReLU)]
    [InlineData((Activation)99)]
    public void ConstructorRejectsActivationsTheLayerDoesNotApplyItself(Activation activation)
    {
        // Refused when built, not at the first forward call.
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MaskedConv2d(1, 2, 3, activation: activation));
        Assert.Equal("activation", ex.ParamName);
        Assert.Contains("Activation.None", ex.Message);
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
