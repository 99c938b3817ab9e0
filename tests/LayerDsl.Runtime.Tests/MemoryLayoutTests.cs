using System;
using Xunit;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

public sealed class MemoryLayoutTests
{
    [Fact]
    public void ChannelsLastKeepsShapeAndValuesAndLaysChannelsInnermost()
    {
        using var scope = NewDisposeScope();
        var x = arange(2 * 3 * 4 * 5, ScalarType.Float32).view(2, 3, 4, 5);

        var y = MemoryLayout.ChannelsLast(x);

        Assert.Equal(x.shape, y.shape);
        Assert.True(y.eq(x).all().item<bool>());
        Assert.Equal(new long[] { 60, 1, 15, 3 }, y.stride());
        Assert.True(MemoryLayout.IsChannelsLast(y));
        Assert.False(MemoryLayout.IsChannelsLast(x));
    }

    [Fact]
    public void ATensorAlreadyChannelsLastIsNotCopied()
    {
        using var scope = NewDisposeScope();
        var y = MemoryLayout.ChannelsLast(randn(2, 3, 4, 5));

        var again = MemoryLayout.ChannelsLast(y);
        again.zero_();

        Assert.Equal(0, y.abs().sum().item<float>());   // a view of y's memory
    }

    [Fact]
    public void GradientsPassThroughUnchanged()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 3, 4, 5).requires_grad_();
        var weights = randn(2, 3, 4, 5);

        (MemoryLayout.ChannelsLast(x) * weights).sum().backward();

        Assert.True(x.grad!.eq(weights).all().item<bool>());
    }

    [Fact]
    public void OnlyFourDimensionalTensorsAreAccepted()
    {
        using var x = zeros(3, 4, 5);

        var ex = Assert.Throws<ArgumentException>(() => MemoryLayout.ChannelsLast(x));

        Assert.Contains("[3, 4, 5]", ex.Message, StringComparison.Ordinal);
        Assert.False(MemoryLayout.IsChannelsLast(x));
    }
}
