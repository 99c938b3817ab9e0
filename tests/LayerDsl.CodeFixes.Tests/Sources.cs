namespace LayerDsl.CodeFixes.Tests;

/// <summary>
/// Model declarations shared by the tests, with their diagnostics marked as Roslyn's testing library marks them:
/// <c>{|LDSL0013:InFeatures = 784|}</c> is LDSL0013 on exactly that text.
/// </summary>
internal static class Sources
{
    /// <summary>The origin's model: a Dense layer pinned to the 28 x 28 x 1 = 784 input features.</summary>
    public const string Origin =
        """
        using LayerDsl;

        namespace Demo;

        [Input(28, 28, 1)]
        [MaskedConv(5, 32)]
        [Dense(10, {|LDSL0013:InFeatures = 784|})]
        public partial class Origin
        {
        }

        """;

    /// <summary>The origin's baseline, without <c>partial</c>.</summary>
    public const string NotPartial =
        """
        using LayerDsl;

        namespace Demo;

        [Input(28, 28, 1)]
        [Conv2D(32, 3, Activation = Activation.ReLU)]
        [Flatten]
        [Dense(10, Activation = Activation.Softmax)]
        public class {|LDSL0001:Baseline|}
        {
        }

        """;

    /// <summary>A 5 x 5 convolution over a 3 x 3 input.</summary>
    public const string ConvTooLarge =
        """
        using LayerDsl;
        using TorchSharp;

        namespace Demo;

        [Input(3, 3, 1)]
        [Conv2D(8, {|LDSL0011:5|})]
        [Flatten]
        [Dense(2)]
        public partial class Tiny
        {
        }

        """;
}
