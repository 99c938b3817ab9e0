using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Benchmarks;

/// <summary>
/// A MobileNet-style network of depthwise-separable convolutions, generated from <see cref="SeparableNet"/>'s attributes,
/// against the same network written by hand in TorchSharp.
/// </summary>
public class SeparableArchitectureBenchmarks : GeneratedAgainstHandWritten
{
    /// <inheritdoc />
    protected override nn.Module<Tensor, Tensor> CreateGenerated() => new SeparableNet();

    /// <inheritdoc />
    protected override nn.Module<Tensor, Tensor> CreateHandWritten() => new HandWrittenSeparableNet();

    /// <summary>A depthwise-separable block by hand: 3 × 3 depthwise convolution and 1 × 1 pointwise one, each batch-normalised and rectified.</summary>
    private sealed class SeparableBlock : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d depthwise;
        private readonly BatchNorm2d depthwiseNorm;
        private readonly Conv2d pointwise;
        private readonly BatchNorm2d pointwiseNorm;

        public SeparableBlock(long inChannels, long outChannels, long stride)
            : base(nameof(SeparableBlock))
        {
            depthwise = nn.Conv2d(inChannels, inChannels, 3, stride: stride, padding: 1, groups: inChannels, bias: false);
            depthwiseNorm = nn.BatchNorm2d(inChannels);
            pointwise = nn.Conv2d(inChannels, outChannels, 1, bias: false);
            pointwiseNorm = nn.BatchNorm2d(outChannels);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = nn.functional.relu(depthwiseNorm.call(depthwise.call(x)));
            return nn.functional.relu(pointwiseNorm.call(pointwise.call(y))).MoveToOuterDisposeScope();
        }
    }

    /// <summary><see cref="SeparableNet"/> by hand.</summary>
    private sealed class HandWrittenSeparableNet : nn.Module<Tensor, Tensor>
    {
        private readonly Conv2d stem;
        private readonly BatchNorm2d stemNorm;
        private readonly Sequential blocks;
        private readonly Linear classifier;

        public HandWrittenSeparableNet()
            : base(nameof(HandWrittenSeparableNet))
        {
            stem = nn.Conv2d(1, 32, 3, padding: 1, bias: false);
            stemNorm = nn.BatchNorm2d(32);
            blocks = nn.Sequential(
                new SeparableBlock(32, 64, 1), new SeparableBlock(64, 128, 2),
                new SeparableBlock(128, 128, 1), new SeparableBlock(128, 256, 2));
            classifier = nn.Linear(256, 10);
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
