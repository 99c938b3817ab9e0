using System.Linq;
using BenchmarkDotNet.Attributes;
using LayerDsl.Models;
using LayerDsl.Modules;
using LayerDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Benchmarks;

/// <summary>
/// One training step of each origin model as the trainer takes it: zero the gradients, logits, cross-entropy, backward,
/// RMSprop step, on a batch of 128 Fashion-MNIST-sized images; MaskedConvNet with each <see cref="MaskedConvFormulation"/>.
/// </summary>
public class TrainingStepBenchmarks
{
    private const int Batch = 128;

    private Tensor images = null!;
    private Tensor labels = null!;
    private StandardCnn standard = null!;
    private MaskedConvNet masked = null!;
    private MaskedConvNet maskedComposed = null!;
    private OptimizerHelper standardOptimizer = null!;
    private OptimizerHelper maskedOptimizer = null!;
    private OptimizerHelper maskedComposedOptimizer = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Threads);
        Trainer.Seed(0);
        images = rand(Batch, 1, 28, 28);
        labels = randint(0, 10, new long[] { Batch });
        standard = new StandardCnn();
        masked = new MaskedConvNet();
        maskedComposed = new MaskedConvNet();
        foreach (var layer in maskedComposed.modules().OfType<MaskedConv2d>())
            layer.Formulation = MaskedConvFormulation.Composed;
        standardOptimizer = Optimizers.Create(OptimizerKind.RmsProp, standard.parameters(), 1e-3);
        maskedOptimizer = Optimizers.Create(OptimizerKind.RmsProp, masked.parameters(), 1e-3);
        maskedComposedOptimizer = Optimizers.Create(OptimizerKind.RmsProp, maskedComposed.parameters(), 1e-3);
    }

    [Benchmark(Baseline = true), Images(Batch)]
    public float StandardCnn() => Step(standard, standardOptimizer);

    [Benchmark, Images(Batch)]
    public float MaskedConvNet() => Step(masked, maskedOptimizer);

    [Benchmark, Images(Batch)]
    public float MaskedConvNetComposed() => Step(maskedComposed, maskedComposedOptimizer);

    private float Step(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(Trainer.Logits(model, images), labels);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        standardOptimizer.Dispose();
        maskedOptimizer.Dispose();
        maskedComposedOptimizer.Dispose();
        standard.Dispose();
        masked.Dispose();
        maskedComposed.Dispose();
        images.Dispose();
        labels.Dispose();
    }
}
