using LayerDsl.Generator.Tests.Infrastructure;

namespace LayerDsl.Generator.Tests;

/// <summary>
/// A 2-D window's arguments checked per axis: a wrong value on one axis only is reported with that axis's name and value,
/// and the window-larger-than-input message pads, and advises, as the layer does.
/// </summary>
public class WindowArgumentTests
{
    private const string Usings = "using LayerDsl;\nusing TorchSharp;\n";

    private static string OnlyMessage(string layers, string id)
    {
        var run = GeneratorHarness.Run(Usings + layers + "\npublic partial class Net { }");
        var diagnostic = Assert.Single(run.LayerDslDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        return diagnostic.GetMessage();
    }

    [Theory]
    [InlineData("[Input(8, 9, 1)][Conv2D(4, 0)][Flatten][Dense(2)]", "kernelSize must be greater than 0, but is 0")]
    [InlineData("[Input(8, 9, 1)][Conv2D(4, 3, 0)][Flatten][Dense(2)]", "kernelWidth must be greater than 0, but is 0")]
    [InlineData("[Input(8, 9, 1)][Conv2D(4, 3, StrideWidth = -1)][Flatten][Dense(2)]", "Stride must be greater than 0, but is -1")]
    [InlineData("[Input(8, 9, 1)][Conv2D(4, 3, PadHeight = -2)][Flatten][Dense(2)]", "Pad must be 0 or greater, but is -2")]
    [InlineData("[Input(8, 9, 1)][Conv2D(4, 3, PadHeight = 2, PadWidth = -1)][Flatten][Dense(2)]", "Pad must be 0 or greater, but is -1")]
    [InlineData("[Input(8, 9, 1)][Conv2D(4, 3, Padding = Padding.Same, PadWidth = 2)][Flatten][Dense(2)]", "Pad must be 0 with Padding = Same (Same computes the padding), but is 2")]
    [InlineData("[Input(8, 9, 1)][MaxPool2D(2, 0)][Flatten][Dense(2)]", "poolWidth must be greater than 0, but is 0")]
    [InlineData("[Input(8, 9, 1)][AvgPool2D(2, StrideWidth = -3)][Flatten][Dense(2)]", "Stride must be 0 (the pool size) or greater, but is -3")]
    public void AWrongValueOnOneAxisIsNamed(string layers, string expected)
    {
        Assert.Contains(expected, OnlyMessage(layers, "LDSL0010"));
    }

    [Theory]
    // Width padded only: H: 3 - 7 + 1 = -3; W: 6 + 2 - 7 + 1 = 2.
    [InlineData("[Input(3, 6, 1)][Conv2D(2, 7, PadWidth = 1)]", "over a 3 × 6 (padded to 3 × 8) input, so its output would be -3 × 2; use a smaller kernel, Padding = Padding.Same, or a larger input")]
    // Height padded only: H: 4 + 4 - 6 + 1 = 3; W: 3 - 6 + 1 = -2.
    [InlineData("[Input(4, 3, 1)][Conv2D(2, 6, PadHeight = 2)]", "over a 4 × 3 (padded to 8 × 3) input, so its output would be 3 × -2; use a smaller kernel")]
    // A pool cannot be padded: the advice is a smaller window.
    [InlineData("[Input(4, 13, 3)][MaxPool2D(6)]", "over a 4 × 13 input, so its output would be 0 × 2; use a smaller window or a larger input")]
    public void TheWindowMessagePadsEachAxisAndAdvisesForTheLayerKind(string layers, string expected)
    {
        Assert.Contains(expected, OnlyMessage(layers + "[Flatten][Dense(2)]", "LDSL0011"));
    }
}
