using LayerDsl;
using LayerDsl.Export;
using LayerDsl.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Models;

/// <summary>
/// The origin's custom layer as a user would bring it: their own TorchSharp module (here wrapping the masked convolution),
/// with the shape contract the Keras version never declared: a valid 5 x 5 window over [C, H, W] gives [filters, H - 4, W - 4].
/// It also says how it leaves C#: its ONNX operators (<see cref="IOnnxExportable"/>) and its PyTorch twin
/// (<see cref="PyTorchSource"/>), which the model's <c>ExportOnnx</c> and <c>PyTorchSource</c> then include.
/// </summary>
[LayerShape("[C, H, W] -> [filters, H - kernelSize + 1, W - kernelSize + 1] where H >= kernelSize, W >= kernelSize params (kernelSize * kernelSize) * C * (kernelSize * kernelSize) + kernelSize * kernelSize + filters * C * kernelSize * kernelSize")]
public sealed class OriginMaskedLayer : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    /// <summary>
    /// The layer in PyTorch, for the twin of every model that uses it: the same constructor arguments by name and the same
    /// submodule name, so the same state-dict keys. It may call LayerDsl's own modules' twins (here <c>MaskedConv2d</c>).
    /// </summary>
    public const string PyTorchSource = """
        class OriginMaskedLayer(nn.Module):
            def __init__(self, C, filters, kernelSize):
                super().__init__()
                self.masked = MaskedConv2d(C, filters, kernelSize)

            def forward(self, x):
                return self.masked(x)
        """;

    private readonly MaskedConv2d masked;

    /// <summary>Creates the layer: the mask branch and the filter bank of the origin's layer.</summary>
    /// <param name="C">Input channels, from the input shape.</param>
    /// <param name="filters">Output channels.</param>
    /// <param name="kernelSize">Side of the square window.</param>
    public OriginMaskedLayer(long C, long filters, long kernelSize)
        : base(nameof(OriginMaskedLayer))
    {
        masked = new MaskedConv2d(C, filters, kernelSize);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => masked.call(input);

    /// <inheritdoc />
    public string ExportOnnx(OnnxGraphBuilder builder, string input, string name) => builder.MaskedConv2d(input, masked, name + ".masked");
}

/// <summary>The origin's model with its layer placed by contract (<c>Layer&lt;OriginMaskedLayer&gt;</c>): the same network as <see cref="MaskedConvNet"/>.</summary>
[Input(28, 28, 1)]
[Layer<OriginMaskedLayer>(32, 5)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class OriginLayerNet
{
}
