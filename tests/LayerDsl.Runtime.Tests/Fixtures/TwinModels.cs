using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests.Fixtures.Left
{
    /// <summary>A model whose class name another model shares, in another namespace.</summary>
    public sealed class TwinNet : TinyConvNet
    {
        public TwinNet(Device? device = null)
            : base(8, 3, nameof(TwinNet), device)
        {
        }
    }
}

namespace LayerDsl.Runtime.Tests.Fixtures.Right
{
    /// <summary>The other model of that name, with another architecture.</summary>
    public sealed class TwinNet : TinyConvNet
    {
        public TwinNet(Device? device = null)
            : base(4, 5, nameof(TwinNet), device)
        {
        }
    }
}

namespace LayerDsl.Runtime.Tests.Fixtures
{
    /// <summary>A model with two classes: it cannot be trained on Fashion-MNIST's ten.</summary>
    public sealed class TwoClassCnn : TinyConvNet
    {
        public TwoClassCnn(Device? device = null)
            : base(4, 3, nameof(TwoClassCnn), device, classes: 2)
        {
        }
    }
}
