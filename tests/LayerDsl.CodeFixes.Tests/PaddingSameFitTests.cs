using System.Threading.Tasks;
using LayerDsl.CodeFixes.Tests.Infrastructure;

namespace LayerDsl.CodeFixes.Tests;

/// <summary>
/// <i>Use Padding = Padding.Same</i> is offered only where it makes the whole model's shapes valid, on inputs whose
/// height and width differ: each pair below is one model offered the fix and its twin, with height and width exchanged
/// where it matters, that is not, so a fix decided on the wrong axis is told apart.
/// </summary>
public class PaddingSameFitTests
{
    private const string Usings = "using LayerDsl;\nusing TorchSharp;\n";

    private static string Model(string layers) => Usings + layers + "\npublic partial class Net { }\n";

    [Fact]
    public Task OfferedWhenThePoolAfterTheConvolutionFitsItsSamePaddedOutput() =>
        // Same keeps 9 x 3; the 4 x 2 pool then gives 2 x 1.
        Verify<PaddingSameCodeFixProvider>.FixAsync(
            Model("[Input(9, 3, 1)]\n[Conv2D(8, {|LDSL0011:5|})]\n[MaxPool2D(4, 2)]"),
            Model("[Input(9, 3, 1)]\n[Conv2D(8, 5, Padding = Padding.Same)]\n[MaxPool2D(4, 2)]"),
            PaddingSameCodeFixProvider.Title);

    [Fact]
    public Task NotOfferedWhenThePoolDoesNotFitTheSamePaddedHeight() =>
        // Same keeps 3 x 9: the 4 x 2 pool is taller than 3 (it would fit 9 x 3).
        Verify<PaddingSameCodeFixProvider>.NoFixAsync(Model("[Input(3, 9, 1)]\n[Conv2D(8, {|LDSL0011:5|})]\n[MaxPool2D(4, 2)]"));

    [Fact]
    public Task OfferedOnAStridedMaskedConvolutionWhoseNextLayerFits() =>
        // Same with stride 2 gives ceil(4 / 2) x ceil(11 / 2) = 2 x 6; a 1 x 3 convolution then gives 2 x 4.
        Verify<PaddingSameCodeFixProvider>.FixAsync(
            Model("[Input(4, 11, 1)]\n[MaskedConv({|LDSL0011:5|}, 2, Stride = 2)]\n[Conv2D(2, 1, 3)]"),
            Model("[Input(4, 11, 1)]\n[MaskedConv(5, 2, Stride = 2, Padding = Padding.Same)]\n[Conv2D(2, 1, 3)]"),
            PaddingSameCodeFixProvider.Title);

    [Fact]
    public Task NotOfferedOnAStridedMaskedConvolutionWhoseNextLayerIsTallerThanItsOutput() =>
        // Same with stride 2 gives 2 x 6: a 3 x 1 convolution does not fit its height (a 1 x 3 one does).
        Verify<PaddingSameCodeFixProvider>.NoFixAsync(Model("[Input(4, 11, 1)]\n[MaskedConv({|LDSL0011:5|}, 2, Stride = 2)]\n[Conv2D(2, 3, 1)]"));

    [Fact]
    public Task OfferedWhenTheStridesPerAxisLeaveRoomForTheNextLayer() =>
        // Same with strides 1 x 3 gives 3 x ceil(12 / 3) = 3 x 4; a 3 x 4 pool then gives 1 x 1.
        Verify<PaddingSameCodeFixProvider>.FixAsync(
            Model("[Input(3, 12, 1)]\n[Conv2D(2, {|LDSL0011:5|}, StrideWidth = 3)]\n[MaxPool2D(3, 4)]"),
            Model("[Input(3, 12, 1)]\n[Conv2D(2, 5, StrideWidth = 3, Padding = Padding.Same)]\n[MaxPool2D(3, 4)]"),
            PaddingSameCodeFixProvider.Title);

    [Fact]
    public Task NotOfferedWhenTheStrideOnTheOtherAxisLeavesNoRoom() =>
        // Same with strides 3 x 1 gives ceil(3 / 3) x 12 = 1 x 12: the 3 x 4 pool is taller than 1.
        Verify<PaddingSameCodeFixProvider>.NoFixAsync(Model("[Input(3, 12, 1)]\n[Conv2D(2, {|LDSL0011:5|}, StrideHeight = 3)]\n[MaxPool2D(3, 4)]"));

    [Fact]
    public Task OfferedOnANonSquareKernelAndDropsTheExplicitPadding() =>
        // A 7 x 2 kernel padded by 1 on the width still does not fit 3 rows; Same keeps 3 x 8 and the 3 x 8 pool fits exactly.
        Verify<PaddingSameCodeFixProvider>.FixAsync(
            Model("[Input(3, 8, 1)]\n[Conv2D(2, {|LDSL0011:7|}, 2, PadWidth = 1)]\n[MaxPool2D(3, 8)]"),
            Model("[Input(3, 8, 1)]\n[Conv2D(2, 7, 2, Padding = Padding.Same)]\n[MaxPool2D(3, 8)]"),
            PaddingSameCodeFixProvider.Title);

    [Fact]
    public Task NotOfferedWhenADenseLayerIsPinnedToAnotherSize() =>
        // Same keeps 3 x 8 x 2 = 48 features, but the Dense after it is pinned to 40: still an error, so no fix.
        Verify<PaddingSameCodeFixProvider>.NoFixAsync(Model("[Input(3, 8, 1)]\n[Conv2D(2, {|LDSL0011:7|}, 2)]\n[Dense(4, InFeatures = 40)]"));
}
