using LayerDsl;
using TorchSharp;

namespace LayerDsl.Models;

/// <summary>Two 3 x 3 convolutions with batch normalisation that keep 16 channels: the body of a ResNet basic block.</summary>
[Block]
[Conv2D(16, 3, Padding = Padding.Same, UseBias = false)]
[BatchNorm]
[ReLU]
[Conv2D(16, 3, Padding = Padding.Same, UseBias = false)]
[BatchNorm]
public partial class Basic16
{
}

/// <summary>A basic block body at 32 channels.</summary>
[Block]
[Conv2D(32, 3, Padding = Padding.Same, UseBias = false)]
[BatchNorm]
[ReLU]
[Conv2D(32, 3, Padding = Padding.Same, UseBias = false)]
[BatchNorm]
public partial class Basic32
{
}

/// <summary>A basic block body at 64 channels.</summary>
[Block]
[Conv2D(64, 3, Padding = Padding.Same, UseBias = false)]
[BatchNorm]
[ReLU]
[Conv2D(64, 3, Padding = Padding.Same, UseBias = false)]
[BatchNorm]
public partial class Basic64
{
}

/// <summary>A basic block body that halves the image and doubles the channels to 32 (its residual needs a projection).</summary>
[Block]
[Conv2D(32, 3, Stride = 2, Padding = Padding.Same, UseBias = false)]
[BatchNorm]
[ReLU]
[Conv2D(32, 3, Padding = Padding.Same, UseBias = false)]
[BatchNorm]
public partial class Down32
{
}

/// <summary>A basic block body that halves the image and doubles the channels to 64.</summary>
[Block]
[Conv2D(64, 3, Stride = 2, Padding = Padding.Same, UseBias = false)]
[BatchNorm]
[ReLU]
[Conv2D(64, 3, Padding = Padding.Same, UseBias = false)]
[BatchNorm]
public partial class Down64
{
}

/// <summary>
/// A small ResNet for Fashion-MNIST: a 3 x 3 stem, three stages of residual basic blocks (16 channels at 28 x 28, 32 at
/// 14 x 14, 64 at 7 x 7; each later stage opens with a strided block whose skip path is a projected 1 x 1 convolution),
/// global average pooling and a 10-way classifier on logits.
/// </summary>
[Input(28, 28, 1)]
[Conv2D(16, 3, Padding = Padding.Same, UseBias = false)]
[BatchNorm]
[ReLU]
[Residual<Basic16>(Activation = Activation.ReLU)]
[Residual<Basic16>(Activation = Activation.ReLU)]
[Residual<Down32>(Project = true, Activation = Activation.ReLU)]
[Residual<Basic32>(Activation = Activation.ReLU)]
[Residual<Down64>(Project = true, Activation = Activation.ReLU)]
[Residual<Basic64>(Activation = Activation.ReLU)]
[GlobalAvgPool2D]
[Dense(10)]
public partial class SmallResNet
{
}
