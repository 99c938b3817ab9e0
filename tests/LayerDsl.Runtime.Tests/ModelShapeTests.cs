using System;
using System.Collections.Generic;
using System.Linq;
using LayerDsl.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>The central invariant on the shipped models: compile-time shapes equal the shapes TorchSharp produces.</summary>
public class ModelShapeTests
{
    /// <summary>Every generated model in Models/, found by reflection so that a new model is covered without a new test.</summary>
    public static TheoryData<string> ModelNames()
    {
        var data = new TheoryData<string>();
        foreach (var type in ModelTypes())
        {
            data.Add(type.Name);
        }

        return data;
    }

    private static IEnumerable<Type> ModelTypes() =>
        typeof(StandardCnn).Assembly.GetTypes()
            .Where(t => typeof(ILayerModel).IsAssignableFrom(t) && !t.IsAbstract)
            .OrderBy(t => t.Name, StringComparer.Ordinal);

    private static ILayerModel Create(string name)
    {
        var type = ModelTypes().Single(t => t.Name == name);
        return (ILayerModel)Activator.CreateInstance(type, new object?[] { null })!;
    }

    [Fact]
    public void BothOriginModelsAreFound() =>
        Assert.Equal(new[] { "MaskedConvNet", "StandardCnn" }, ModelTypes().Select(t => t.Name).Intersect(new[] { "MaskedConvNet", "StandardCnn" }).OrderBy(n => n));

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void EveryLayersRuntimeShapeEqualsItsCompileTimeShape(string name)
    {
        using var scope = NewDisposeScope();
        random.manual_seed(1);
        var model = Create(name);
        var module = (nn.Module<Tensor, Tensor>)model;
        module.eval();
        var info = model.Info;
        var shape = new long[] { 3 }.Concat(info.InputShape).ToArray();
        var input = info.InputTokens > 0 ? randint(0, info.InputTokens, shape, dtype: ScalarType.Int64) : rand(shape);

        var outputs = model.ForwardTrace(input);

        Assert.Equal(info.Layers.Count, outputs.Count);
        for (var i = 0; i < outputs.Count; i++)
        {
            Assert.True(
                new long[] { 3 }.Concat(info.Layers[i].OutputShape).SequenceEqual(outputs[i].shape),
                $"{name}.{info.Layers[i].Name} ({info.Layers[i].Description}): compile time [{string.Join(", ", info.Layers[i].OutputShape)}], run time [{string.Join(", ", outputs[i].shape)}]");
        }

        Assert.Equal(new long[] { 3 }.Concat(info.OutputShape), module.forward(input).shape);
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void ParameterCountsEqualTorchSharps(string name)
    {
        var model = Create(name);
        var module = (nn.Module<Tensor, Tensor>)model;
        Assert.Equal(model.Info.Parameters, module.parameters().Sum(p => p.numel()));
        // The top-level layers add up to the model (a residual's row includes its projection; inner layers are in their block's row).
        Assert.Equal(model.Info.Parameters, model.Info.Layers.Where(l => !l.Name.Contains('.', StringComparison.Ordinal) && l.Kind != "Projection").Sum(l => l.Parameters));
    }

    [Fact]
    public void OriginsForwardPassOnABatchOf128ReturnsProbabilitiesForTenClasses()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(0);
        using var model = new MaskedConvNet();
        var input = rand(128, 1, 28, 28);

        var probabilities = model.forward(input);
        var logits = model.ForwardLogits(input);

        Assert.Equal(new long[] { 128, 10 }, probabilities.shape);
        Assert.Equal(Activation.Softmax, MaskedConvNet.Info.OutputActivation);
        Assert.True(probabilities.sum(1).allclose(ones(128), rtol: 1e-5, atol: 1e-5));
        Assert.True(nn.functional.softmax(logits, 1).allclose(probabilities, rtol: 1e-5, atol: 1e-6));
        Assert.False(logits.allclose(probabilities));
    }

    [Fact]
    public void StateDictKeysAreTheStableLayerNames()
    {
        using var model = new MaskedConvNet();
        Assert.Equal(
            new[] { "dense1.bias", "dense1.weight", "maskedConv1.mask.bias", "maskedConv1.mask.weight", "maskedConv1.weight" },
            model.state_dict().Keys.OrderBy(k => k, StringComparer.Ordinal));
        using var standard = new StandardCnn();
        Assert.Equal(
            new[] { "conv1.bias", "conv1.weight", "dense1.bias", "dense1.weight" },
            standard.state_dict().Keys.OrderBy(k => k, StringComparer.Ordinal));
    }

    [Fact]
    public void ForwardAndBackwardRunOnTheGivenDevice()
    {
        using var scope = NewDisposeScope();
        using var model = new StandardCnn(CPU);
        var loss = nn.functional.cross_entropy(model.ForwardLogits(rand(8, 1, 28, 28)), zeros(8, dtype: int64));
        loss.backward();
        Assert.All(model.parameters(), p => Assert.Equal(DeviceType.CPU, p.grad!.device_type));
    }

    [Fact]
    public void SummaryIsTheCompileTimeTable()
    {
        Assert.Same(MaskedConvNet.Summary, MaskedConvNet.Info.Summary);
        Assert.Contains("maskedConv1 (MaskedConv(5, 32): 32 filters, 5 × 5 kernel)", MaskedConvNet.Summary);
        Assert.Contains("Total params: 185,780", MaskedConvNet.Summary);
    }
}
