using LayerDsl.Generator.Models;
using LayerDsl.Generator.Tests.Infrastructure;

namespace LayerDsl.Generator.Tests;

/// <summary>
/// Every 2-D layer kind on inputs whose height and width differ, with kernels, strides, dilations and paddings that
/// differ between the two axes too, from the attribute as a user writes it to the shape and the diagnostic's numbers.
/// A square input cannot tell height from width: each expected size below is worked out per axis from PyTorch's formula
/// (Valid: floor((n + 2 pad - dilation (k - 1) - 1) / stride) + 1; Same: ceil(n / stride); transposed:
/// (n - 1) stride - 2 pad + dilation (k - 1) + 1 + output padding), and no case has the two axes agree.
/// </summary>
public class NonSquareTests
{
    private const string Usings = "using LayerDsl;\nusing TorchSharp;\n";

    private static ModelResult Infer(string layers)
    {
        var compilation = GeneratorHarness.Compile($"{Usings}{layers}\npublic partial class Net {{ }}");
        var parsed = Parser.Parse(compilation.GetTypeByMetadataName("Net")!, default);
        Assert.Empty(parsed.Diagnostics);
        return ShapeInference.Run(parsed.Spec);
    }

    [Theory]
    // H: (17 + 2 - 3) / 2 + 1 = 9; W: (11 + 4 - 5) / 3 + 1 = 4.
    [InlineData("[Input(17, 11, 2)][Conv2D(4, 3, 5, StrideHeight = 2, StrideWidth = 3, PadHeight = 1, PadWidth = 2)]", 4, 9, 4, (4 * 2 * 3 * 5) + 4)]
    // Stride and Pad set for both axes, overridden on one: H: (12 + 2 - 3) / 1 + 1 = 12; W: (7 + 4 - 3) / 2 + 1 = 5.
    [InlineData("[Input(12, 7, 1)][Conv2D(3, 3, Stride = 2, StrideHeight = 1, Pad = 1, PadWidth = 2)]", 3, 12, 5, (3 * 1 * 3 * 3) + 3)]
    // Dilation 2 spans 5 on each axis: H: 13 - 5 + 1 = 9; W: 8 - 5 + 1 = 4.
    [InlineData("[Input(13, 8, 1)][Conv2D(4, 3, Dilation = 2, UseBias = false)]", 4, 9, 4, 4 * 1 * 3 * 3)]
    // Same: H: ceil(10 / 3) = 4; W: ceil(9 / 2) = 5.
    [InlineData("[Input(10, 9, 1)][Conv2D(2, 4, 2, Padding = Padding.Same, StrideHeight = 3, StrideWidth = 2)]", 2, 4, 5, (2 * 1 * 4 * 2) + 2)]
    // Same with an odd size and stride 2: H: ceil(27 / 2) = 14; W: ceil(10 / 2) = 5.
    [InlineData("[Input(27, 10, 3)][Conv2D(5, 4, Padding = Padding.Same, Stride = 2)]", 5, 14, 5, (5 * 3 * 4 * 4) + 5)]
    // Grouped: H: 9 - 3 + 1 = 7; W: (16 - 1) / 2 + 1 = 8.
    [InlineData("[Input(9, 16, 4)][Conv2D(6, 3, 1, StrideWidth = 2, Groups = 2)]", 6, 7, 8, (6 * 2 * 3 * 1) + 6)]
    public void ConvolutionsKeepHeightAndWidthApart(string layers, long channels, long height, long width, long parameters)
    {
        var trace = Infer(layers).Trace!;

        Assert.Equal(new[] { channels, height, width }, trace.Output.Dims);
        Assert.Equal(parameters, trace.Parameters);
    }

    [Theory]
    // Depthwise, multiplier 2: H: 9 - 3 + 1 = 7; W: (16 - 1) / 2 + 1 = 8; weights 6 x 3 x 1, bias 6.
    [InlineData("[Input(9, 16, 3)][DepthwiseConv2D(3, 1, StrideWidth = 2, DepthMultiplier = 2)]", 6, 7, 8, (6 * 3 * 1) + 6)]
    // Depthwise Same: H: ceil(11 / 3) = 4; W: ceil(5 / 1) = 5.
    [InlineData("[Input(11, 5, 2)][DepthwiseConv2D(3, Padding = Padding.Same, StrideHeight = 3, UseBias = false)]", 2, 4, 5, 2 * 3 * 3)]
    // Transposed: H: (5 - 1) 2 + 2 = 10; W: (7 - 1) 1 + 3 = 9.
    [InlineData("[Input(5, 7, 2)][ConvTranspose2D(3, 2, 3, StrideHeight = 2)]", 3, 10, 9, (2 * 3 * 2 * 3) + 3)]
    // Transposed with padding on one axis and output padding: H: (6 - 1) 2 - 2 + 3 + 1 = 12; W: (4 - 1) 3 - 0 + 3 + 1 = 13.
    [InlineData("[Input(6, 4, 1)][ConvTranspose2D(2, 3, StrideHeight = 2, StrideWidth = 3, PadHeight = 1, OutputPadding = 1, UseBias = false)]", 2, 12, 13, 1 * 2 * 3 * 3)]
    // Transposed Same: the input times the stride on each axis.
    [InlineData("[Input(3, 5, 1)][ConvTranspose2D(2, 3, StrideHeight = 3, StrideWidth = 2, Padding = Padding.Same)]", 2, 9, 10, (1 * 2 * 3 * 3) + 2)]
    // Masked, stride 2: H: (11 - 3) / 2 + 1 = 5; W: (6 - 3) / 2 + 1 = 2. Mask 9 x 1 x 9 + 9, projection 4 x 1 x 9.
    [InlineData("[Input(11, 6, 1)][MaskedConv(3, 4, Stride = 2)]", 4, 5, 2, (9 * 9) + 9 + (4 * 9))]
    // Masked Same, stride 3: H: ceil(21 / 3) = 7; W: ceil(37 / 3) = 13 (the padding differs between the axes).
    [InlineData("[Input(21, 37, 2)][MaskedConv(5, 3, Stride = 3, Padding = Padding.Same, UseBias = true)]", 3, 7, 13, (25 * 2 * 25) + 25 + (3 * 2 * 25) + 3)]
    // Deformable, dilation 2 spans 5: H: (13 - 5) / 2 + 1 = 5; W: (9 - 5) / 2 + 1 = 3.
    [InlineData("[Input(13, 9, 2)][DeformConv(3, 4, Stride = 2, Dilation = 2, Modulated = false)]", 4, 5, 3, (18 * 2 * 9) + 18 + (4 * 2 * 9) + 4)]
    // Deformable Same, stride 2: H: ceil(11 / 2) = 6; W: ceil(7 / 2) = 4.
    [InlineData("[Input(11, 7, 2)][DeformConv(3, 2, Stride = 2, Padding = Padding.Same, UseBias = false)]", 2, 6, 4, (27 * 2 * 9) + 27 + (2 * 2 * 9))]
    public void OtherConvolutionsKeepHeightAndWidthApart(string layers, long channels, long height, long width, long parameters)
    {
        var trace = Infer(layers).Trace!;

        Assert.Equal(new[] { channels, height, width }, trace.Output.Dims);
        Assert.Equal(parameters, trace.Parameters);
    }

    [Theory]
    // Pool 3 x 2, stride defaults to the window: H: (19 - 3) / 3 + 1 = 6; W: (13 - 2) / 2 + 1 = 6 would agree, so 15 wide: 7.
    [InlineData("[Input(19, 15, 3)][MaxPool2D(3, 2)]", 3, 6, 7)]
    // Stride on one axis only: H: (19 - 2) / 1 + 1 = 18; W: (15 - 3) / 3 + 1 = 5.
    [InlineData("[Input(19, 15, 3)][AvgPool2D(2, 3, StrideHeight = 1)]", 3, 18, 5)]
    // Square window, stride set for both and overridden on width: H: (10 - 2) / 2 + 1 = 5; W: (9 - 2) / 1 + 1 = 8.
    [InlineData("[Input(10, 9, 2)][MaxPool2D(2, Stride = 2, StrideWidth = 1)]", 2, 5, 8)]
    // Upsampling scales each axis: 4 x 3 and 5 x 3.
    [InlineData("[Input(4, 5, 2)][Upsample2D(3)]", 2, 12, 15)]
    public void PoolsAndUpsamplingKeepHeightAndWidthApart(string layers, long channels, long height, long width)
    {
        Assert.Equal(new[] { channels, height, width }, Infer(layers).Trace!.Output.Dims);
    }

    [Fact]
    public void FlatteningANonSquareMapCountsHeightTimesWidthTimesChannels()
    {
        // (17 - 3) / 2 + 1 = 8 high, 11 - 3 + 1 = 9 wide, 4 channels: 288 features into the dense layer.
        var trace = Infer("[Input(17, 11, 2)][Conv2D(4, 3, StrideHeight = 2)][Flatten][Dense(5)]").Trace!;

        Assert.Equal(new long[] { 4, 8, 9 }, trace.Layers[0].Output.Dims);
        Assert.Equal(new long[] { 288 }, trace.Layers[1].Output.Dims);
        Assert.Equal((288 * 5) + 5, trace.Layers[2].Parameters);
    }

    /// <summary>The message's numbers: kernel, input and would-be output, each height × width.</summary>
    [Theory]
    // H: 5 - 7 + 1 = -1; W: 9 - 7 + 1 = 3.
    [InlineData("[Input(5, 9, 3)][Conv2D(8, {|LDSL0011:7|})]", "7 × 7 window over a 5 × 9 input, so its output would be -1 × 3")]
    // A 3 x 7 kernel: H: 9 - 3 + 1 = 7; W: 5 - 7 + 1 = -1.
    [InlineData("[Input(9, 5, 1)][Conv2D(8, {|LDSL0011:3|}, 7)]", "3 × 7 window over a 9 × 5 input, so its output would be 7 × -1")]
    // Padded to 8 x 10: H: 8 - 9 + 1 = 0; W: 10 - 9 + 1 = 2.
    [InlineData("[Input(6, 4, 1)][Conv2D(2, {|LDSL0011:9|}, PadHeight = 1, PadWidth = 3)]", "9 × 9 window over a 6 × 4 (padded to 8 × 10) input, so its output would be 0 × 2")]
    // Dilation 3 spans 7: H: 5 - 7 + 1 = -1; W: 8 - 7 + 1 = 2.
    [InlineData("[Input(5, 8, 1)][Conv2D(2, {|LDSL0011:3|}, Dilation = 3)]", "3 × 3 (dilated by 3, spanning 7 × 7) window over a 5 × 8 input, so its output would be -1 × 2")]
    // Stride 2 on both axes: H: (4 - 5) / 2 + 1 = 0 (floor); W: (12 - 5) / 2 + 1 = 4.
    [InlineData("[Input(4, 12, 1)][MaskedConv({|LDSL0011:5|}, 2, Stride = 2)]", "5 × 5 window over a 4 × 12 input, so its output would be 0 × 4")]
    // Pool 6, stride 6: H: (4 - 6) / 6 + 1 = 0; W: (13 - 6) / 6 + 1 = 2.
    [InlineData("[Input(4, 13, 3)][MaxPool2D({|LDSL0011:6|})]", "6 × 6 window over a 4 × 13 input, so its output would be 0 × 2")]
    // A 2 x 5 pool on 7 x 3: H: (7 - 2) / 2 + 1 = 3; W: (3 - 5) / 5 + 1 = 0.
    [InlineData("[Input(7, 3, 1)][AvgPool2D({|LDSL0011:2|}, 5)]", "2 × 5 window over a 7 × 3 input, so its output would be 3 × 0")]
    // After a layer that makes the map non-square: 6 x 12 pooled by 2 is 3 x 6; H: 3 - 4 + 1 = 0; W: 6 - 4 + 1 = 3.
    [InlineData("[Input(6, 12, 1)][MaxPool2D(2)][Conv2D(2, {|LDSL0011:4|})]", "4 × 4 window over a 3 × 6 input, so its output would be 0 × 3")]
    public void WindowLargerThanItsInputNamesHeightThenWidth(string layers, string numbers)
    {
        var diagnostic = SingleDiagnostic(layers, "LDSL0011");
        Assert.Contains(numbers, diagnostic.GetMessage());
    }

    [Fact]
    public void TransposedConvolutionWithTooMuchPaddingNamesHeightThenWidth()
    {
        // A 2 x 1 kernel, stride 1, padding 2 on both axes: H: (4 - 1) - 4 + 2 = 1; W: (2 - 1) - 4 + 1 = -2.
        var diagnostic = SingleDiagnostic("[Input(4, 2, 1)][ConvTranspose2D(2, 2, 1, {|LDSL0011:Pad = 2|})]", "LDSL0011");
        Assert.Contains("2 × 1 window over a 4 × 2 input, so its output would be 1 × -2", diagnostic.GetMessage());
    }

    [Theory]
    // 30000 high, 50000 wide, 2 channels.
    [InlineData("[Input(30000, 50000, 1)][{|LDSL0014:Conv2D(2, 1)|}]", "30000 × 50000 × 2 = 3000000000 values per sample, more than 2147483647")]
    // Stride 3 on width only: 30000 x 20000 x 4.
    [InlineData("[Input(30000, 60000, 1)][{|LDSL0014:Conv2D(4, 1, StrideWidth = 3)|}]", "30000 × 20000 × 4 = 2400000000 values per sample")]
    // The input itself: 100000 x 30000 x 1.
    [InlineData("[{|LDSL0014:Input(100000, 30000, 1)|}][Dense(2)]", "100000 × 30000 × 1 = 3000000000 values per sample, more than 2147483647")]
    public void SizeOverflowNamesHeightWidthAndChannels(string layers, string numbers)
    {
        var diagnostic = SingleDiagnostic(layers, "LDSL0014");
        Assert.Contains(numbers, diagnostic.GetMessage());
    }

    [Fact]
    public void SwappedArgumentsAdviceNamesTheInputHeightThenWidth()
    {
        var run = GeneratorHarness.Run(Usings + "[Input(64, 48, 3)]\n[Conv2D(3, 24)]\n[Flatten]\n[Dense(10)]\npublic partial class Net { }");
        var diagnostic = Assert.Single(run.LayerDslDiagnostics);
        Assert.Equal("LDSL0020", diagnostic.Id);
        Assert.Equal(
            "Conv2D(3, 24) builds 3 filters, 24 × 24 kernel over a 64 × 48 input; Conv2D takes (filters, kernelSize), so if you meant 24 filters, 3 × 3 kernel, write Conv2D(24, 3)",
            diagnostic.GetMessage());
    }

    /// <summary>
    /// Runs the generator on <paramref name="marked"/>, whose <c>{|ID:...|}</c> markup marks where the one diagnostic
    /// must be, and returns it after checking its ID and its span.
    /// </summary>
    private static Microsoft.CodeAnalysis.Diagnostic SingleDiagnostic(string marked, string id)
    {
        var start = marked.IndexOf("{|" + id + ":", System.StringComparison.Ordinal);
        Assert.True(start >= 0, $"the case must mark where {id} goes");
        var end = marked.IndexOf("|}", start, System.StringComparison.Ordinal);
        var text = marked[(start + id.Length + 3)..end];
        var source = Usings + marked.Remove(end, 2).Remove(start, id.Length + 3) + "\npublic partial class Net { }";

        var run = GeneratorHarness.Run(source);

        var diagnostic = Assert.Single(run.LayerDslDiagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(Usings.Length + start, diagnostic.Location.SourceSpan.Start);
        Assert.Equal(text, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Empty(run.CompilerDiagnostics);
        return diagnostic;
    }
}
