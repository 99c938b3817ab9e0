using LayerDsl;

namespace LayerDsl.Models;

/// <summary>
/// The origin's attention-masked ("deformable") convolution: 5 x 5 taps weighted by a learned tanh mask,
/// 32 filters, then a softmax classifier. Its Dense layer infers the 24 x 24 x 32 = 18432 inputs that the
/// hand-written Keras layer never declared.
/// </summary>
[Input(28, 28, 1)]
[MaskedConv(5, 32)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class MaskedConvNet
{
}
