using LayerDsl.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Benchmarks;

/// <summary>The generated <see cref="SmallResNet"/> against the same network written by hand in TorchSharp.</summary>
public class ArchitectureBenchmarks : GeneratedAgainstHandWritten
{
    /// <inheritdoc />
    protected override nn.Module<Tensor, Tensor> CreateGenerated() => new SmallResNet();

    /// <inheritdoc />
    protected override nn.Module<Tensor, Tensor> CreateHandWritten() => new HandWrittenResNet();

    /// <summary>A ResNet basic block by hand: two 3 × 3 convolutions with batch normalisation, a projected skip when the shape changes.</summary>
    private sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d conv1;
        private readonly BatchNorm2d bn1;
        private readonly Conv2d conv2;
        private readonly BatchNorm2d bn2;
        private readonly Conv2d? projection;

        public BasicBlock(long inChannels, long outChannels, long stride)
            : base(nameof(BasicBlock))
        {
            conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
            bn1 = nn.BatchNorm2d(outChannels);
            conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
            bn2 = nn.BatchNorm2d(outChannels);
            projection = stride != 1 || inChannels != outChannels ? nn.Conv2d(inChannels, outChannels, 1, stride: stride) : null;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = bn2.call(conv2.call(nn.functional.relu(bn1.call(conv1.call(x)))));
            var skip = projection is null ? x : projection.call(x);
            return nn.functional.relu(skip + y).MoveToOuterDisposeScope();
        }
    }

    /// <summary>SmallResNet by hand.</summary>
    private sealed class HandWrittenResNet : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d stem;
        private readonly BatchNorm2d stemNorm;
        private readonly Sequential blocks;
        private readonly Linear classifier;

        public HandWrittenResNet()
            : base(nameof(HandWrittenResNet))
        {
            stem = nn.Conv2d(1, 16, 3, padding: 1, bias: false);
            stemNorm = nn.BatchNorm2d(16);
            blocks = nn.Sequential(
                new BasicBlock(16, 16, 1), new BasicBlock(16, 16, 1),
                new BasicBlock(16, 32, 2), new BasicBlock(32, 32, 1),
                new BasicBlock(32, 64, 2), new BasicBlock(64, 64, 1));
            classifier = nn.Linear(64, 10);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = blocks.call(nn.functional.relu(stemNorm.call(stem.call(x))));
            return classifier.call(y.mean(new long[] { 2, 3 })).MoveToOuterDisposeScope();
        }
    }
}
