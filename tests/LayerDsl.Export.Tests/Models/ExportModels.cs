using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Export.Tests.Models;

// Models that between them use every layer kind and option that changes what is exported: odd and non-square sizes,
// asymmetric Same padding, strides, dilation, groups, every activation, blocks at two shapes, residuals with and
// without projection, concatenation and sums of branches, 1-D layers, and a final softmax.

/// <summary>A block the models place at two input shapes.</summary>
[Block]
[Conv2D(6, 3, Padding = Padding.Same, UseBias = false)]
[BatchNorm]
[ReLU]
public partial class SameBlock
{
}

/// <summary>A strided block whose residual needs a projection.</summary>
[Block]
[Conv2D(8, 3, Stride = 2, Padding = Padding.Same)]
[BatchNorm(Epsilon = 1e-3, Momentum = 0.2)]
public partial class DownBlock
{
}

/// <summary>A branch with a depthwise and a dilated convolution.</summary>
[Block]
[DepthwiseConv2D(3, Padding = Padding.Same, Activation = Activation.SiLU)]
[Conv2D(4, 3, Dilation = 2, Pad = 2, Activation = Activation.GELU)]
public partial class WideBranch
{
}

/// <summary>A branch with a 1 × 1 convolution.</summary>
[Block]
[Conv2D(3, 1, Activation = Activation.Hardswish)]
public partial class NarrowBranch
{
}

/// <summary>A branch with a 1 × 1 convolution and a leaky ReLU, for the sum.</summary>
[Block]
[Conv2D(7, 1)]
[LeakyReLU(0.2)]
public partial class SumBranchA
{
}

/// <summary>Another branch of the same shape, for the sum.</summary>
[Block]
[Conv2D(7, 3, Padding = Padding.Same, Groups = 7, Activation = Activation.ELU)]
public partial class SumBranchB
{
}

/// <summary>Convolutions on a non-square image with blocks, residuals, branches and pools.</summary>
[Input(13, 10, 2)]
[Conv2D(6, 4, 3, Padding = Padding.Same, StrideWidth = 1)]
[Use<SameBlock>]
[Residual<SameBlock>(Activation = Activation.ReLU)]
[Residual<DownBlock>(Project = true, Activation = Activation.Tanh)]
[Concat<WideBranch, NarrowBranch>]
[Conv2D(7, 1, Activation = Activation.Sigmoid)]
[Add<SumBranchA, SumBranchB>]
[MaxPool2D(2, 1, StrideHeight = 2, StrideWidth = 1)]
[AvgPool2D(2)]
[Dropout(0.3)]
[Flatten]
[Dense(5, Activation = Activation.Softmax)]
public partial class ConvZoo
{
}

/// <summary>A residual block at the image's own shape, for the block placed at a second shape.</summary>
[Input(6, 7, 6)]
[Use<SameBlock>(Repeat = 2)]
[GlobalAvgPool2D]
[Dense(3)]
public partial class BlockAtSecondShape
{
}

/// <summary>Transposed convolutions (with the odd Same crop), upsampling, permute and reshape, global max pooling.</summary>
[Input(5, 7, 3)]
[ConvTranspose2D(4, 3, Stride = 2, Padding = Padding.Same)]
[ConvTranspose2D(2, 2, 3, Stride = 1, OutputPadding = 0, Activation = Activation.ReLU)]
[Upsample2D(2)]
[Upsample2D(2, Mode = UpsampleMode.Bilinear)]
[MaskedConv(3, 4, Stride = 2, Padding = Padding.Same, MaskActivation = MaskActivation.Sigmoid, UseBias = true)]
[Permute(1, 2, 0)]
[LayerNorm]
[Permute(2, 0, 1)]
[GlobalMaxPool2D]
[Reshape(2, 2)]
[Flatten]
[Dense(4, UseBias = false)]
public partial class ShapeZoo
{
}

/// <summary>A residual block on sequences.</summary>
[Block]
[Conv1D(5, 3, Padding = Padding.Same)]
[BatchNorm]
public partial class SequenceBlock
{
}

/// <summary>1-D layers: convolutions with asymmetric Same padding and stride, pools, a residual, global pooling.</summary>
[Input(20, 3)]
[Conv1D(5, 4, Padding = Padding.Same, Activation = Activation.ReLU)]
[Residual<SequenceBlock>(Activation = Activation.ReLU)]
[Conv1D(6, 3, Stride = 2, Dilation = 2, Groups = 1)]
[MaxPool1D(2)]
[AvgPool1D(2, Stride = 1)]
[GlobalAvgPool1D]
[Dense(4, Activation = Activation.Tanh)]
public partial class SequenceZoo
{
}

/// <summary>Features only: dense layers, a residual with a projection on features, batch normalisation on features.</summary>
[Block]
[Dense(9, Activation = Activation.GELU)]
public partial class FeatureBlock
{
}

/// <summary>Dense layers on features.</summary>
[Input(12)]
[Dense(16, Activation = Activation.ReLU)]
[BatchNorm]
[Residual<FeatureBlock>(Project = true)]
[Dense(3, Activation = Activation.Softmax)]
public partial class FeatureZoo
{
}

/// <summary>Deformable convolutions, modulated and not, with offset groups, stride, padding and dilation.</summary>
[Input(9, 8, 2)]
[DeformConv(3, 4, Padding = Padding.Same, OffsetGroups = 2)]
[DeformConv(3, 3, Stride = 2, Dilation = 2, Modulated = false, UseBias = false, Activation = Activation.None)]
[Flatten]
[Dense(3)]
public partial class DeformZoo
{
}
