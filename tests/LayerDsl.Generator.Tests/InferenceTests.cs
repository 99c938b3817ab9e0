using System.Linq;
using LayerDsl.Generator.Helpers;
using LayerDsl.Generator.Layers;
using LayerDsl.Generator.Models;

namespace LayerDsl.Generator.Tests;

/// <summary>Shape inference on hand-built specs: pure, no Roslyn, no TorchSharp.</summary>
public class InferenceTests
{
    private static readonly EquatableArray<ArgumentInfo> NoArguments = EquatableArray<ArgumentInfo>.Empty;

    private static ModelResult Infer(long height, long width, long channels, params LayerSpec[] layers) =>
        ShapeInference.Run(new ModelSpec(
            "Demo",
            "Net",
            EquatableArray<ContainingType>.Empty,
            new InputSpec(height, width, channels, null, NoArguments),
            layers.ToEquatableArray(),
            EquatableArray<DiagnosticInfo>.Empty,
            EmitMode.Full));

    private static Conv2DLayer Conv(long filters, long kernel, long stride = 1, bool same = false) =>
        new($"Conv2D({filters}, {kernel})", null, NoArguments, filters, kernel, stride, same ? 1 : 0, 0);

    private static MaskedConvLayer Masked(long kernel, long filters, long stride = 1, bool same = false, bool bias = false) =>
        new($"MaskedConv({kernel}, {filters})", null, NoArguments, kernel, filters, stride, same ? 1 : 0, 0, 1, bias);

    private static PoolLayer Pool(long size, long stride = 0) => new($"MaxPool2D({size})", null, NoArguments, true, size, stride);

    private static DenseLayer Dense(long units, long pin = 0) => new($"Dense({units})", null, NoArguments, units, 0, pin);

    private static FlattenLayer Flatten() => new("Flatten", null, NoArguments);

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
    [InlineData(28, 3, 1, false, 26)]
    [InlineData(28, 3, 2, false, 13)]
    [InlineData(28, 28, 1, false, 1)]
    [InlineData(7, 2, 3, false, 2)]
    [InlineData(28, 3, 1, true, 28)]
    [InlineData(28, 4, 2, true, 14)]
    [InlineData(27, 4, 2, true, 14)]
    [InlineData(5, 9, 1, true, 5)]
    [InlineData(1, 5, 3, true, 1)]
    public void ConvolutionOutputSizeFollowsValidAndSameRules(long size, long kernel, long stride, bool same, long expected)
    {
        var trace = Infer(size, size, 2, Conv(4, kernel, stride, same)).Trace!;
        Assert.Equal(new[] { 4, expected, expected }, trace.Output.Dims);
        Assert.Equal((4 * 2 * kernel * kernel) + 4, trace.Parameters);
    }

    [Theory]
    [InlineData(28, 3, 1, 1, 1)]
    [InlineData(28, 4, 1, 1, 2)] // total 3: Keras puts the extra row and column at the bottom and right
    [InlineData(28, 4, 2, 1, 1)] // out 14: total 13 * 2 + 4 - 28 = 2
    [InlineData(27, 4, 2, 1, 2)] // out 14: total 13 * 2 + 4 - 27 = 3
    [InlineData(5, 9, 1, 4, 4)]
    [InlineData(28, 1, 3, 0, 0)]
    public void SamePaddingSplitsLikeKeras(long size, long kernel, long stride, long before, long after)
    {
        var window = Window.Compute(size, size, kernel, stride, same: true);
        Assert.Equal((before, after, before, after), (window.Top, window.Bottom, window.Left, window.Right));
        Assert.Equal(before == after, window.IsSymmetric);
    }

    [Fact]
    public void MaskedConvParametersCountMaskConvProjectionAndBias()
    {
        // mask: 9 * 3 * 9 + 9 = 252; projection: 8 * 3 * 9 = 216; bias: 8.
        Assert.Equal(252 + 216, Infer(10, 10, 3, Masked(3, 8)).Trace!.Parameters);
        Assert.Equal(252 + 216 + 8, Infer(10, 10, 3, Masked(3, 8, bias: true)).Trace!.Parameters);
    }

    [Fact]
    public void PoolingDefaultsItsStrideToTheWindowAndFloors()
    {
        Assert.Equal(new long[] { 3, 14, 14 }, Infer(28, 28, 3, Pool(2)).Trace!.Output.Dims);
        Assert.Equal(new long[] { 3, 9, 9 }, Infer(28, 28, 3, Pool(3)).Trace!.Output.Dims);
        Assert.Equal(new long[] { 3, 26, 26 }, Infer(28, 28, 3, Pool(3, 1)).Trace!.Output.Dims);
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

    [Fact]
    public void ResultsAreEquatableSoThePipelineCaches()
    {
        Assert.Equal(Infer(28, 28, 1, Masked(5, 32), Flatten(), Dense(10)), Infer(28, 28, 1, Masked(5, 32), Flatten(), Dense(10)));
        Assert.NotEqual(Infer(28, 28, 1, Masked(5, 32), Flatten(), Dense(10)), Infer(28, 28, 1, Masked(5, 32), Flatten(), Dense(11)));
    }
}
