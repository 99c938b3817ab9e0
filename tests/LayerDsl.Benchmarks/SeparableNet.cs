using LayerDsl;
using TorchSharp;

namespace LayerDsl.Benchmarks;

/// <summary>Depthwise 3 × 3 and pointwise 1 × 1 convolution to 64 channels, each batch-normalised and rectified.</summary>
[Block]
[DepthwiseConv2D(3, Pad = 1, UseBias = false)]
[BatchNorm]
[ReLU]
[Conv2D(64, 1, UseBias = false)]
[BatchNorm]
[ReLU]
public partial class Separable64
{
}

/// <summary>The same to 128 channels, halving the size.</summary>
[Block]
[DepthwiseConv2D(3, Stride = 2, Pad = 1, UseBias = false)]
[BatchNorm]
[ReLU]
[Conv2D(128, 1, UseBias = false)]
[BatchNorm]
[ReLU]
public partial class Separable128Down
{
}

/// <summary>The same to 128 channels.</summary>
[Block]
[DepthwiseConv2D(3, Pad = 1, UseBias = false)]
[BatchNorm]
[ReLU]
[Conv2D(128, 1, UseBias = false)]
[BatchNorm]
[ReLU]
public partial class Separable128
{
}

/// <summary>The same to 256 channels, halving the size.</summary>
[Block]
[DepthwiseConv2D(3, Stride = 2, Pad = 1, UseBias = false)]
[BatchNorm]
[ReLU]
[Conv2D(256, 1, UseBias = false)]
[BatchNorm]
[ReLU]
public partial class Separable256Down
{
}

/// <summary>A MobileNet-style network for 28 × 28 images: a stem, four depthwise-separable blocks, global average pooling.</summary>
[Input(28, 28, 1)]
[Conv2D(32, 3, Pad = 1, UseBias = false)]
[BatchNorm]
[ReLU]
[Use<Separable64>]
[Use<Separable128Down>]
[Use<Separable128>]
[Use<Separable256Down>]
[GlobalAvgPool2D]
[Dense(10)]
public partial class SeparableNet
{
}
