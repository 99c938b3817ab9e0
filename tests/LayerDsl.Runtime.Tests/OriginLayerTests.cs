using System.Linq;
using LayerDsl.Models;
using LayerDsl.Runtime.Tests.Fixtures;
using LayerDsl.Training;
using static TorchSharp.torch;

namespace LayerDsl.Runtime.Tests;

/// <summary>The origin's layer brought in as a user layer with the right contract is the same network as MaskedConvNet.</summary>
[Collection(RunsAlone.Name)]
public class OriginLayerTests
{
    [Fact]
    public void WithTheRightContractTheUserLayerTrainsExactlyAsMaskedConvNet()
    {
        using var scope = NewDisposeScope();
        Trainer.Seed(3);
        var images = rand(640, 1, 28, 28);
        var labels = randint(0, 10, new long[] { 640 }, dtype: ScalarType.Int64);
        var train = (images[..512], labels[..512]);
        var test = (images[512..], labels[512..]);
        var options = new TrainingOptions { Epochs = 2, BatchSize = 64 };

        Trainer.Seed(0);
        using var masked = new MaskedConvNet();
        var expected = Trainer.Train(masked, train, test, options);
        Trainer.Seed(0);
        using var origin = new OriginLayerNet();
        var actual = Trainer.Train(origin, train, test, options);

        Assert.Equal(MaskedConvNet.Info.Parameters, OriginLayerNet.Info.Parameters);
        Assert.Equal(expected.Final.Accuracy, actual.Final.Accuracy);
        Assert.Equal(expected.Final.Loss, actual.Final.Loss, 6);
        Assert.Equal(masked.parameters().Select(p => p.shape), origin.parameters().Select(p => p.shape));
    }
}
