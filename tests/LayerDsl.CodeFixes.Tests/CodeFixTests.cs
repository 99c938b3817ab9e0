using System.Threading.Tasks;
using LayerDsl.CodeFixes.Tests.Infrastructure;

namespace LayerDsl.CodeFixes.Tests;

/// <summary>
/// Each code fix on Roslyn's testing library: the diagnostics of the source before (marked), the fix's title, the
/// source after, and that the source after builds with no diagnostic and no compiler warning; where a fix must not be
/// offered, that it is not.
/// </summary>
public class CodeFixTests
{
    private const string OriginPin = "{|LDSL0013:InFeatures = 784|}";

    [Fact]
    public Task UseTheInferredSizeIsTheFirstFixAndWritesTheRealNumber() =>
        Verify<InFeaturesCodeFixProvider>.FixAsync(
            Sources.Origin,
            Sources.Origin.Replace(OriginPin, "InFeatures = 18432"),
            "Use the inferred size (18432)",
            index: 0);

    [Fact]
    public Task RemoveThePinIsTheSecondFixAndLeavesTheInferredSize() =>
        Verify<InFeaturesCodeFixProvider>.FixAsync(
            Sources.Origin,
            Sources.Origin.Replace("[Dense(10, " + OriginPin + ")]", "[Dense(10)]"),
            InFeaturesCodeFixProvider.RemovePinTitle,
            index: 1);

    [Fact]
    public Task RemoveThePinKeepsTheOtherArguments()
    {
        var before = Sources.Origin.Replace("[Dense(10, " + OriginPin + ")]", "[Dense(10, " + OriginPin + ", Activation = Activation.Softmax)]");

        return Verify<InFeaturesCodeFixProvider>.FixAsync(
            before,
            Sources.Origin.Replace("[Dense(10, " + OriginPin + ")]", "[Dense(10, Activation = Activation.Softmax)]"),
            InFeaturesCodeFixProvider.RemovePinTitle,
            index: 1);
    }

    [Fact]
    public Task UseTheInferredSizeNamesTheSizeOfTheLayerBeforeTheDense()
    {
        const string model = """
            using LayerDsl;

            [Input(28, 28, 1)]
            [Conv2D(32, 3)]
            [Dropout(0.5)]
            [Flatten]
            [Dense(10, {|LDSL0013:InFeatures = 784|})]
            public partial class Net
            {
            }

            """;

        return Verify<InFeaturesCodeFixProvider>.FixAsync(
            model,
            model.Replace("{|LDSL0013:InFeatures = 784|}", "InFeatures = 21632"),
            "Use the inferred size (21632)");
    }

    [Fact]
    public Task MakePartialAddsTheModifierBeforeClass() =>
        Verify<MakePartialCodeFixProvider>.FixAsync(
            Sources.NotPartial,
            Sources.NotPartial.Replace("public class {|LDSL0001:Baseline|}", "public partial class Baseline"),
            MakePartialCodeFixProvider.Title);

    [Theory]
    [InlineData("internal sealed class", "internal sealed partial class")]
    [InlineData("class", "partial class")]
    public Task MakePartialKeepsTheOtherModifiersAndTheLayout(string declaration, string expected)
    {
        var before = Sources.NotPartial.Replace("public class {|LDSL0001:Baseline|}", declaration + " {|LDSL0001:Baseline|}");

        return Verify<MakePartialCodeFixProvider>.FixAsync(
            before,
            Sources.NotPartial.Replace("public class {|LDSL0001:Baseline|}", expected + " Baseline"),
            MakePartialCodeFixProvider.Title);
    }

    [Fact]
    public Task MakePartialKeepsTheIndentationOfAnIndentedClassWithoutModifiers() =>
        Verify<MakePartialCodeFixProvider>.FixAsync(
            "using LayerDsl;\n\nnamespace Demo\n{\n    [Input(4, 4, 1)]\n    [Dense(2)]\n    class {|LDSL0001:Net|}\n    {\n    }\n}\n",
            "using LayerDsl;\n\nnamespace Demo\n{\n    [Input(4, 4, 1)]\n    [Dense(2)]\n    partial class Net\n    {\n    }\n}\n",
            MakePartialCodeFixProvider.Title);

    [Fact]
    public Task MakePartialFixesEveryDeclarationOfTheClass()
    {
        const string other = "namespace Demo;\n\npublic class {|CS0101:Baseline|}\n{\n    internal int Extra => 1;\n}\n";

        return new LayerDslFixTest<MakePartialCodeFixProvider>
        {
            TestState = { Sources = { ("Model.cs", Sources.NotPartial), ("Other.cs", other) } },
            FixedState =
            {
                Sources =
                {
                    ("Model.cs", Sources.NotPartial.Replace("public class {|LDSL0001:Baseline|}", "public partial class Baseline")),
                    ("Other.cs", other.Replace("public class {|CS0101:Baseline|}", "public partial class Baseline")),
                },
            },
            CodeActionVerifier = (action, verifier) => verifier.Equal(MakePartialCodeFixProvider.Title, action.Title, "the title of the fix"),
        }.RunAsync();
    }

    [Fact]
    public Task PaddingSameIsAddedToAConvolution() =>
        Verify<PaddingSameCodeFixProvider>.FixAsync(
            Sources.ConvTooLarge,
            Sources.ConvTooLarge.Replace("[Conv2D(8, {|LDSL0011:5|})]", "[Conv2D(8, 5, Padding = Padding.Same)]"),
            PaddingSameCodeFixProvider.Title);

    [Fact]
    public Task PaddingValidIsReplacedOnAMaskedConvolution()
    {
        var before = Sources.ConvTooLarge.Replace("[Conv2D(8, {|LDSL0011:5|})]", "[MaskedConv({|LDSL0011:5|}, 4, Padding = Padding.Valid, UseBias = true)]");

        return Verify<PaddingSameCodeFixProvider>.FixAsync(
            before,
            before.Replace("{|LDSL0011:5|}", "5").Replace("Padding = Padding.Valid", "Padding = Padding.Same"),
            PaddingSameCodeFixProvider.Title);
    }

    [Fact]
    public Task PaddingSameIsFullyQualifiedWithoutAUsing() =>
        Verify<PaddingSameCodeFixProvider>.FixAsync(
            "[LayerDsl.Input(3, 3, 1)]\n[LayerDsl.Conv2D(8, {|LDSL0011:5|})]\npublic partial class Tiny { }\n",
            "[LayerDsl.Input(3, 3, 1)]\n[LayerDsl.Conv2D(8, 5, Padding = TorchSharp.Padding.Same)]\npublic partial class Tiny { }\n",
            PaddingSameCodeFixProvider.Title);

    [Fact]
    public Task PaddingSameIsOfferedWhenTheLayersAfterTheConvolutionThenFit() =>
        Verify<PaddingSameCodeFixProvider>.FixAsync(
            "using LayerDsl;\nusing TorchSharp;\n[Input(5, 6, 1)]\n[Conv2D(4, {|LDSL0011:7|})]\n[MaxPool2D(4)]\npublic partial class Net { }\n",
            "using LayerDsl;\nusing TorchSharp;\n[Input(5, 6, 1)]\n[Conv2D(4, 7, Padding = Padding.Same)]\n[MaxPool2D(4)]\npublic partial class Net { }\n",
            PaddingSameCodeFixProvider.Title);

    [Fact]
    public Task PaddingSameReplacesExplicitPadding() =>
        Verify<PaddingSameCodeFixProvider>.FixAsync(
            "using LayerDsl;\nusing TorchSharp;\n[Input(3, 4, 1)]\n[Conv2D(2, {|LDSL0011:7|}, Pad = 1, Stride = 1)]\npublic partial class Net { }\n",
            "using LayerDsl;\nusing TorchSharp;\n[Input(3, 4, 1)]\n[Conv2D(2, 7, Stride = 1, Padding = Padding.Same)]\npublic partial class Net { }\n",
            PaddingSameCodeFixProvider.Title);

    [Fact]
    public Task PaddingSameReplacesPerAxisPadding() =>
        Verify<PaddingSameCodeFixProvider>.FixAsync(
            "using LayerDsl;\nusing TorchSharp;\n[Input(3, 4, 1)]\n[Conv2D(2, {|LDSL0011:7|}, PadHeight = 1, PadWidth = 2)]\npublic partial class Net { }\n",
            "using LayerDsl;\nusing TorchSharp;\n[Input(3, 4, 1)]\n[Conv2D(2, 7, Padding = Padding.Same)]\npublic partial class Net { }\n",
            PaddingSameCodeFixProvider.Title);

    [Theory]
    [InlineData("[MaxPool2D({|LDSL0011:4|})]")]
    [InlineData("[AvgPool2D({|LDSL0011:4|}, Stride = 1)]")]
    public Task PoolsGetNoPaddingFix(string pool) =>
        Verify<PaddingSameCodeFixProvider>.NoFixAsync("using LayerDsl;\n[Input(3, 3, 1)]\n" + pool + "\npublic partial class Pooled { }\n");

    [Theory]
    // Same padding makes the 5 x 5 convolution fit its 3 x 3 input, but the pool after it still does not fit.
    [InlineData("[Input(3, 3, 1)]\n[Conv2D(8, {|LDSL0011:5|})]\n[MaxPool2D(4)]")]
    [InlineData("[Input(3, 3, 1)]\n[MaskedConv({|LDSL0011:5|}, 8)]\n[Flatten]\n[Conv2D(4, 1)]")]
    // Stride 2 with Same padding gives 3 x 3 from 5 x 6, too small for the pool after it (stride 1 would give 5 x 6).
    [InlineData("[Input(5, 6, 1)]\n[Conv2D(4, {|LDSL0011:7|}, Stride = 2)]\n[MaxPool2D(4)]")]
    // Same padding makes the window fit, but its output (40000 x 50000 x 2 values) overflows.
    [InlineData("[Input(40000, 50000, 1)]\n[Conv2D(2, {|LDSL0011:40001|})]")]
    public Task PaddingSameIsNotOfferedWhenItCannotMakeTheModelValid(string layers) =>
        Verify<PaddingSameCodeFixProvider>.NoFixAsync("using LayerDsl;\n" + layers + "\npublic partial class Net { }\n");

    [Fact]
    public Task ResidualThatChangesTheShapeGetsAProjection() =>
        Verify<ResidualProjectCodeFixProvider>.FixAsync(
            "using LayerDsl;\nusing TorchSharp;\n[Block][Conv2D(8, 3, Stride = 2, Padding = Padding.Same)] public partial class Down { }\n[Input(8, 8, 4)]\n[{|LDSL0024:Residual<Down>(Activation = Activation.ReLU)|}]\npublic partial class Net { }\n",
            "using LayerDsl;\nusing TorchSharp;\n[Block][Conv2D(8, 3, Stride = 2, Padding = Padding.Same)] public partial class Down { }\n[Input(8, 8, 4)]\n[Residual<Down>(Activation = Activation.ReLU, Project = true)]\npublic partial class Net { }\n",
            ResidualProjectCodeFixProvider.Title);

    [Fact]
    public Task ResidualWithoutArgumentsGetsAnArgumentList() =>
        Verify<ResidualProjectCodeFixProvider>.FixAsync(
            "using LayerDsl;\n[Block][Dense(6)] public partial class Wider { }\n[Input(4)]\n[{|LDSL0024:Residual<Wider>|}]\npublic partial class Net { }\n",
            "using LayerDsl;\n[Block][Dense(6)] public partial class Wider { }\n[Input(4)]\n[Residual<Wider>(Project = true)]\npublic partial class Net { }\n",
            ResidualProjectCodeFixProvider.Title);

    [Fact]
    public Task NoProjectionIsOfferedWhereNoStrideMapsTheShapes() =>
        // A block that flattens [4, 8, 8] to [256]: the ranks differ, so no 1 x 1 projection maps one onto the other.
        Verify<ResidualProjectCodeFixProvider>.NoFixAsync(
            "using LayerDsl;\n[Block][Flatten] public partial class Flat { }\n[Input(8, 8, 4)]\n[{|LDSL0024:Residual<Flat>|}]\npublic partial class Net { }\n");
}
