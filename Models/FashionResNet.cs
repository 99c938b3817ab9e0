using LayerDsl;
using TorchSharp;

namespace LayerDsl.Models;

/// <summary>
/// A compact residual network, the candidate for the best Fashion-MNIST accuracy within minutes of CPU training: a 3 x 3
/// stem of 32 channels pooled to 14 x 14 at once (so every block runs on a quarter of the pixels), a residual basic block
/// at 32 channels, a strided block to 64 channels at 7 x 7 whose skip path is a projected 1 x 1 convolution, a second
/// basic block, global average pooling, dropout and a 10-way classifier on logits. It reuses <see cref="SmallResNet"/>'s
/// blocks at about half its multiply-adds per image, and is meant to be trained with augmentation
/// (<c>--augment crop,flip</c>) under a one-cycle schedule.
/// </summary>
[Input(28, 28, 1)]
[Conv2D(32, 3, Padding = Padding.Same, UseBias = false)]
[BatchNorm]
[ReLU]
[MaxPool2D]
[Residual<Basic32>(Activation = Activation.ReLU)]
[Residual<Down64>(Project = true, Activation = Activation.ReLU)]
[Residual<Basic64>(Activation = Activation.ReLU)]
[GlobalAvgPool2D]
[Dropout(0.2)]
[Dense(10)]
public partial class FashionResNet
{
}
