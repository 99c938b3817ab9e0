using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Layers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Tests;

/// <summary>Shape inference on hand-built specs: pure, no Roslyn, no TorchSharp.</summary>
public class InferenceTests
{
    private static ModelResult Infer(long height, long width, long channels, params LayerSpec[] layers) =>
        InferShape(Shape.Of(channels, height, width), $"Input({height}, {width}, {channels})", layers);

    private static ModelResult InferShape(Shape input, string display, params LayerSpec[] layers) =>
        ShapeInference.Run(new ModelSpec(
            "Demo",
            "Net",
            EquatableArray<ContainingType>.Empty,
            new InputSpec(input, display, (input.Rank switch { 1 => new[] { "features" }, 2 => new[] { "channels", "length" }, _ => new[] { "channels", "height", "width" } }).ToEquatableArray()),
            LayerNames.Assign(layers.Select((l, i) => l with { Index = i })).ToEquatableArray(),
            EmitMode.Full));

    private static Conv2DLayer Conv(long filters, long kernel, long stride = 1, bool same = false) =>
        new($"Conv2D({filters}, {kernel})", 0, filters, Conv2DGeometry.Square(kernel, stride, same ? 1 : 0), 1, true, 0);

    private static MaskedConvLayer Masked(long kernel, long filters, long stride = 1, bool same = false, bool bias = false) =>
        new($"MaskedConv({kernel}, {filters})", 0, kernel, filters, stride, same ? 1 : 0, 0, 1, bias);

    private static PoolLayer Pool(long size, long stride = 0) => new($"MaxPool2D({size})", 0, true, size, size, stride, stride, "poolSize");

    private static DenseLayer Dense(long units, long pin = 0) => new($"Dense({units})", 0, units, 0, pin);

    private static FlattenLayer Flatten() => new("Flatten", 0);

    private static BatchNormLayer BatchNorm() => new("BatchNorm", 0, 1e-5, 0.1);

    [Fact]
    public void OriginsMaskedConvNetHas185780Parameters()
    {
        var trace = Infer(28, 28, 1, Masked(5, 32), Flatten(), Dense(10)).Trace!;

        Assert.Equal(new long[] { 32, 24, 24 }, trace.Layers[0].Output.Dims);
        Assert.Equal(new long[] { 18432 }, trace.Layers[1].Output.Dims);
        Assert.Equal(new long[] { 10 }, trace.Output.Dims);
        Assert.Equal(new long[] { 1450, 0, 184330 }, trace.Layers.Select(l => l.Parameters));
        Assert.Equal(185780, trace.Parameters);
        Assert.Equal(new[] { "maskedConv1", "flatten1", "dense1" }, trace.Layers.Select(l => l.Name));
    }

    [Fact]
    public void StandardCnnShapes()
    {
        var trace = Infer(28, 28, 1, Conv(32, 3), Flatten(), Dense(10)).Trace!;
        Assert.Equal(new long[] { 32, 26, 26 }, trace.Layers[0].Output.Dims);
        Assert.Equal(320 + 216330, trace.Parameters);
    }

    [Theory]
    [InlineData(28, 21, 3, 1, false, 26, 19)]
    [InlineData(28, 21, 3, 2, false, 13, 10)]
    [InlineData(28, 30, 28, 1, false, 1, 3)]
    [InlineData(7, 11, 2, 3, false, 2, 4)]
    [InlineData(28, 21, 3, 1, true, 28, 21)]
    [InlineData(28, 21, 4, 2, true, 14, 11)]
    [InlineData(27, 8, 4, 2, true, 14, 4)]
    [InlineData(5, 12, 9, 1, true, 5, 12)]
    [InlineData(1, 7, 5, 3, true, 1, 3)]
    public void ConvolutionOutputSizeFollowsValidAndSameRules(long height, long width, long kernel, long stride, bool same, long outHeight, long outWidth)
    {
        var trace = Infer(height, width, 2, Conv(4, kernel, stride, same)).Trace!;
        Assert.Equal(new[] { 4, outHeight, outWidth }, trace.Output.Dims);
        Assert.Equal((4 * 2 * kernel * kernel) + 4, trace.Parameters);
    }

    [Theory]
    [InlineData(28, 17, 3, 1, 1, 1, 1, 1)]
    [InlineData(28, 9, 4, 1, 1, 2, 1, 2)] // total 3: Keras puts the extra row and column at the bottom and right
    [InlineData(28, 27, 4, 2, 1, 1, 1, 2)] // out 14 and 14: total 13 * 2 + 4 - 28 = 2 high, 13 * 2 + 4 - 27 = 3 wide
    [InlineData(27, 28, 4, 2, 1, 2, 1, 1)] // the same, the other way round
    [InlineData(5, 6, 9, 1, 4, 4, 4, 4)]
    [InlineData(28, 29, 1, 3, 0, 0, 0, 0)]
    public void SamePaddingSplitsLikeKeras(long height, long width, long kernel, long stride, long top, long bottom, long left, long right)
    {
        var window = Window.Compute(height, width, kernel, stride, same: true);
        Assert.Equal((top, bottom, left, right), (window.Top, window.Bottom, window.Left, window.Right));
        Assert.Equal(top == bottom && left == right, window.IsSymmetric);
    }

    [Fact]
    public void MaskedConvParametersCountMaskConvProjectionAndBias()
    {
        // mask: 9 * 3 * 9 + 9 = 252; projection: 8 * 3 * 9 = 216; bias: 8.
        Assert.Equal(252 + 216, Infer(10, 7, 3, Masked(3, 8)).Trace!.Parameters);
        Assert.Equal(252 + 216 + 8, Infer(10, 7, 3, Masked(3, 8, bias: true)).Trace!.Parameters);
    }

    [Fact]
    public void PoolingDefaultsItsStrideToTheWindowAndFloors()
    {
        Assert.Equal(new long[] { 3, 14, 11 }, Infer(28, 23, 3, Pool(2)).Trace!.Output.Dims);
        Assert.Equal(new long[] { 3, 9, 7 }, Infer(28, 23, 3, Pool(3)).Trace!.Output.Dims);
        Assert.Equal(new long[] { 3, 26, 21 }, Infer(28, 23, 3, Pool(3, 1)).Trace!.Output.Dims);
    }

    [Fact]
    public void DenseFlattensImplicitlyAndAcceptsAMatchingPin()
    {
        var result = Infer(28, 28, 1, Masked(5, 32), Dense(10, pin: 18432));
        Assert.Empty(result.Diagnostics);
        Assert.Equal(new long[] { 10 }, result.Trace!.Output.Dims);
    }

    [Fact]
    public void MismatchedPinStopsInferenceWithOneDiagnostic()
    {
        var result = Infer(28, 28, 1, Masked(5, 32), Dense(10, pin: 784), Conv(3, 3));
        Assert.Null(result.Trace);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticIds.DenseInFeaturesMismatch, diagnostic.Id);
        Assert.Equal(new[] { "Dense(10)", "784", "18432", "24 × 24 × 32 = 18432 from MaskedConv(5, 32)" }, diagnostic.Arguments);
    }

    [Fact]
    public void ArgumentErrorsAreAllReportedBeforeShapes()
    {
        var result = Infer(28, 28, 1, Conv(0, 3), Dense(-1), Conv(4, 99));
        Assert.Equal(new[] { DiagnosticIds.InvalidArgument, DiagnosticIds.InvalidArgument }, result.Diagnostics.Select(d => d.Id));
    }

    [Theory]
    [InlineData(new long[] { 65536, 65536 }, "4294967296")]
    [InlineData(new long[] { 2147483647, 2147483647, 2147483647 }, "2147483647 × 2147483647 × 2147483647")]
    [InlineData(new long[] { 2147483647, -1, 2147483647, 2147483647 }, "a multiple of 2147483647 × 2147483647 × 2147483647")]
    public void AReshapePastEveryInputSizeIsASizeMismatchSayingTheCountItAsksFor(long[] target, string needed)
    {
        var reshape = new ReshapeLayer($"Reshape({string.Join(", ", target)})", 0, target.ToEquatableArray());
        var result = InferShape(Shape.Of(4, 2, 2), "Input(2, 2, 4)", reshape);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticIds.ReshapeSizeMismatch, diagnostic.Id);
        Assert.Equal(new[] { reshape.Display, "2 × 2 × 4 = 16 from Input(2, 2, 4)", needed }, diagnostic.Arguments);
        Assert.Equal(Site.Layer(0, "shape"), diagnostic.Site);
    }

    [Fact]
    public void ResultsAreEquatableSoThePipelineCaches()
    {
        Assert.Equal(Infer(28, 28, 1, Masked(5, 32), Flatten(), Dense(10)), Infer(28, 28, 1, Masked(5, 32), Flatten(), Dense(10)));
        Assert.NotEqual(Infer(28, 28, 1, Masked(5, 32), Flatten(), Dense(10)), Infer(28, 28, 1, Masked(5, 32), Flatten(), Dense(11)));
    }

    [Theory]
    [InlineData(28, 20, 3, 1, false, 26, 18)]
    [InlineData(28, 20, 3, 2, false, 13, 9)]
    [InlineData(17, 9, 4, 3, false, 5, 2)]
    [InlineData(28, 20, 3, 1, true, 28, 20)]
    [InlineData(27, 10, 4, 2, true, 14, 5)]
    [InlineData(5, 31, 9, 1, true, 5, 31)]
    public void NonSquareInputsKeepHeightAndWidthApart(long height, long width, long kernel, long stride, bool same, long outHeight, long outWidth)
    {
        var trace = Infer(height, width, 2, Conv(4, kernel, stride, same), Flatten(), Dense(3)).Trace!;
        Assert.Equal(new[] { 4, outHeight, outWidth }, trace.Layers[0].Output.Dims);
        Assert.Equal(new[] { 4 * outHeight * outWidth }, trace.Layers[1].Output.Dims);
        Assert.Equal(4 * outHeight * outWidth * 3 + 3, trace.Layers[2].Parameters);
    }

    [Fact]
    public void SamePaddingOnNonSquareInputsPadsEachSideForItsOwnSize()
    {
        // Height 27, stride 2, kernel 4: out 14, total 13 * 2 + 4 - 27 = 3 (1 top, 2 bottom); width 10: out 5, total 4 * 2 + 4 - 10 = 2 (1, 1).
        var window = Window.Compute(27, 10, 4, 2, same: true);
        Assert.Equal((14L, 5L), (window.OutHeight, window.OutWidth));
        Assert.Equal((1L, 2L, 1L, 1L), (window.Top, window.Bottom, window.Left, window.Right));
        Assert.False(window.IsSymmetric);
    }

    [Fact]
    public void WindowTooLargeNamesHeightThenWidth()
    {
        var result = Infer(9, 4, 1, Pool(5));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticIds.WindowLargerThanInput, diagnostic.Id);
        // {2} × {3} is height × width; the would-be output likewise.
        Assert.Equal(new[] { "MaxPool2D(5)", "5 × 5", "9 × 4", "1 × 0" }, diagnostic.Arguments.Take(4));
        Assert.Equal(Site.Layer(0, "poolSize"), diagnostic.Site);
    }

    [Fact]
    public void SizesAreDescribedHeightTimesWidthTimesChannels()
    {
        var result = Infer(12, 7, 3, Conv(5, 3), Dense(10, pin: 1));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("10 × 5 × 5 = 250 from Conv2D(5, 3)", diagnostic.Arguments[3]);
        Assert.Equal(Site.Layer(1, "InFeatures"), diagnostic.Site);
    }

    [Fact]
    public void ASpatialLayerAfterFlatteningNamesTheShapeItGotItsProducerAndTheFlattener()
    {
        var result = Infer(8, 6, 1, Flatten(), Dense(128), Conv(8, 3));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(DiagnosticIds.WrongInputRank, diagnostic.Id);
        Assert.Equal(new[] { "Conv2D(8, 3)", "a [channels, height, width] input", "[128]", "Dense(128)", "move Conv2D(8, 3) before Flatten, which flattened the tensor" }, diagnostic.Arguments);
        Assert.Equal(Site.Layer(2), diagnostic.Site);
    }

    [Fact]
    public void FeatureAndSequenceInputsHaveTheirOwnRanks()
    {
        var flat = InferShape(Shape.Of(20), "Input(20)", Dense(8), BatchNorm(), Dense(2)).Trace!;
        Assert.Equal(new long[] { 8 * 20 + 8, 16, 8 * 2 + 2 }, flat.Layers.Select(l => l.Parameters));
        Assert.Equal(new long[] { 2 }, flat.Output.Dims);

        var sequence = InferShape(Shape.Of(3, 50), "Input(50, 3)", BatchNorm(), Flatten(), Dense(4)).Trace!;
        Assert.Equal(new long[] { 3, 50 }, sequence.Layers[0].Output.Dims);
        Assert.Equal(6, sequence.Layers[0].Parameters);
        Assert.Equal(new long[] { 150 }, sequence.Layers[1].Output.Dims);

        var wrong = InferShape(Shape.Of(3, 50), "Input(50, 3)", Conv(4, 3));
        Assert.Equal(new[] { "Conv2D(4, 3)", "a [channels, height, width] input", "[3, 50]", "Input(50, 3)", "reshape the tensor before it, or declare the input with the rank it needs" }, Assert.Single(wrong.Diagnostics).Arguments);
    }

    [Theory]
    [InlineData(64, 64, 3, 32, true)]   // Conv2D(3, 32): three 32 x 32 filters on 64 x 64
    [InlineData(64, 48, 3, 24, true)]   // half of the smaller side
    [InlineData(64, 64, 32, 3, false)]  // the usual order
    [InlineData(64, 64, 3, 31, false)]  // kernel below half the input
    [InlineData(64, 64, 8, 32, false)]  // 8 filters does not look like a kernel size
    public void ConvolutionArgumentsThatLookSwappedGetAnInformationalDiagnostic(long height, long width, long filters, long kernel, bool advised)
    {
        var result = Infer(height, width, 1, Conv(filters, kernel));
        Assert.NotNull(result.Trace);
        var advice = result.Diagnostics.Where(d => d.Id == DiagnosticIds.ConvolutionArgumentsLookSwapped).ToList();
        Assert.Equal(advised ? 1 : 0, advice.Count);
        if (advised)
        {
            Assert.Contains($"{filters} filters, {kernel} × {kernel} kernel", advice[0].Arguments);
            Assert.Contains($"Conv2D({kernel}, {filters})", advice[0].Arguments);
        }
    }
}
