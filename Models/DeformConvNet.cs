using LayerDsl;

namespace LayerDsl.Models;

/// <summary>
/// The origin's model with a true deformable convolution (DCNv2) in place of the attention mask: 32 filters of 5 x 5 whose
/// taps sample where a learned offset branch points, weighted by a learned sigmoid mask, then a softmax classifier.
/// </summary>
[Input(28, 28, 1)]
[DeformConv(5, 32)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class DeformConvNet
{
}
