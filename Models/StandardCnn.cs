using LayerDsl;

namespace LayerDsl.Models;

/// <summary>The origin's baseline: one standard 3 x 3 convolution, then a softmax classifier.</summary>
[Input(28, 28, 1)]
[Conv2D(32, 3, Activation = Activation.ReLU)]
[Flatten]
[Dense(10, Activation = Activation.Softmax)]
public partial class StandardCnn
{
}
