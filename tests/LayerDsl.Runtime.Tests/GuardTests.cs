using System;
using System.Collections.Generic;
using System.Linq;
using LayerDsl.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>A non-square model, so that swapped height and width are caught too.</summary>
[Input(12, 8, 3)]
[Conv2D(4, 3, Padding = Padding.Same)]
[MaxPool2D]
[Dense(5)]
public partial class GuardedWideNet
{
}

/// <summary>
/// A wrong input shape to a generated model throws an <see cref="ArgumentException"/> naming the expected and the
/// actual shape, from every entry point, before libtorch sees the tensor.
/// </summary>
public sealed class GuardTests
{
    public static TheoryData<string, long[]> WrongInputs => new()
    {
        { "StandardCnn", new long[] { 1, 28, 28 } },        // rank 3: the batch dimension is missing
        { "StandardCnn", new long[] { 28, 28 } },           // rank 2
        { "StandardCnn", new long[] { 784 } },              // rank 1, already flattened
        { "StandardCnn", new long[] { 2, 1, 1, 28, 28 } },  // rank 5
        { "StandardCnn", new long[] { 2, 28, 28, 1 } },     // NHWC, as Keras users hold their data
        { "StandardCnn", new long[] { 2, 3, 28, 28 } },     // wrong channels
        { "StandardCnn", new long[] { 2, 1, 27, 28 } },     // wrong height
        { "StandardCnn", new long[] { 2, 1, 28, 32 } },     // wrong width
        { "StandardCnn", new long[] { 0, 1, 28, 29 } },     // empty batch, wrong width
        { "MaskedConvNet", new long[] { 1, 28, 28 } },
        { "MaskedConvNet", new long[] { 4, 2, 28, 28 } },
        { "MaskedConvNet", new long[] { 4, 1, 24, 24 } },   // the masked convolution's output shape, not its input
        { "MaskedConvNet", new long[] { 4, 1, 28, 28, 1 } },
        { "GuardedWideNet", new long[] { 2, 3, 8, 12 } },   // height and width swapped
        { "GuardedWideNet", new long[] { 2, 12, 8, 3 } },   // NHWC
        { "GuardedWideNet", new long[] { 3, 12, 8 } },
    };

    [Theory]
    [MemberData(nameof(WrongInputs))]
    public void WrongInputShapeThrowsArgumentExceptionNamingBothShapes(string modelName, long[] shape)
    {
        using var scope = NewDisposeScope();
        using var model = Create(modelName);
        var info = ((ILayerModel)model).Info;
        var expected = $"[batch, {string.Join(", ", info.InputShape)}]";
        var actual = $"[{string.Join(", ", shape)}]";
        var input = zeros(shape);

        var entryPoints = new Dictionary<string, Action>
        {
            ["forward"] = () => model.forward(input),
            ["call"] = () => model.call(input),
            ["ForwardLogits"] = () => ((ILayerModel)model).ForwardLogits(input),
            ["ForwardTrace"] = () => ((ILayerModel)model).ForwardTrace(input),
        };
        foreach (var (name, entry) in entryPoints)
        {
            // Exactly ArgumentException: a libtorch failure would surface as an ExternalException instead.
            var exception = Assert.Throws<ArgumentException>(entry);
            Assert.Equal("input", exception.ParamName);
            Assert.True(
                exception.Message.Contains(expected, StringComparison.Ordinal) && exception.Message.Contains(actual, StringComparison.Ordinal),
                $"{modelName}.{name}: the message should name {expected} and {actual}: {exception.Message}");
            Assert.Contains(modelName, exception.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("StandardCnn", 1)]
    [InlineData("StandardCnn", 3)]
    [InlineData("MaskedConvNet", 2)]
    [InlineData("GuardedWideNet", 5)]
    public void RightInputShapePassesTheGuardForAnyBatchSize(string modelName, long batch)
    {
        using var scope = NewDisposeScope();
        using var model = Create(modelName);
        var info = ((ILayerModel)model).Info;
        model.eval();

        var output = model.forward(zeros(new[] { batch }.Concat(info.InputShape).ToArray()));

        Assert.Equal(new[] { batch }.Concat(info.OutputShape).ToArray(), output.shape);
    }

    [Fact]
    public void GuardRejectsNull()
    {
        using var model = new StandardCnn();
        Assert.Throws<ArgumentNullException>(() => model.forward(null!));
    }

    private static nn.Module<Tensor, Tensor> Create(string name) => name switch
    {
        "StandardCnn" => new StandardCnn(),
        "MaskedConvNet" => new MaskedConvNet(),
        "GuardedWideNet" => new GuardedWideNet(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown model"),
    };
}
