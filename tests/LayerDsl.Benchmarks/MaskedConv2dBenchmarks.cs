using BenchmarkDotNet.Attributes;
using LayerDsl.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Benchmarks;

/// <summary>
/// The origin's masked layer alone (1 channel, 5 x 5, 32 filters, 28 x 28) against a standard 5 x 5 convolution: forward +
/// backward on a training batch of 128, and forward only without gradients on an evaluation batch of 1000.
/// </summary>
public class MaskedConv2dBenchmarks
{
    private const int TrainBatch = 128;
    private const int EvaluationBatch = 1000;

    private Tensor trainImages = null!;
    private Tensor evaluationImages = null!;
    private MaskedConv2d masked = null!;
    private TorchSharp.Modules.Conv2d convolution = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [Params(MaskedConvFormulation.Fused, MaskedConvFormulation.Composed)]
    public MaskedConvFormulation Formulation { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Threads);
        random.manual_seed(0);
        trainImages = rand(TrainBatch, 1, 28, 28);
        evaluationImages = rand(EvaluationBatch, 1, 28, 28);
        masked = new MaskedConv2d(1, 32, 5) { Formulation = Formulation };
        convolution = nn.Conv2d(1, 32, 5);
    }

    [Benchmark(Baseline = true), Images(TrainBatch)]
    public float Conv2dTrain() => Train(convolution);

    [Benchmark, Images(TrainBatch)]
    public float MaskedConv2dTrain() => Train(masked);

    [Benchmark, Images(EvaluationBatch)]
    public float MaskedConv2dEvaluate()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return masked.call(evaluationImages).sum().item<float>();
    }

    private float Train(nn.Module<Tensor, Tensor> layer)
    {
        using var scope = NewDisposeScope();
        layer.zero_grad();
        var loss = layer.call(trainImages).relu().sum();
        loss.backward();
        return loss.item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        masked.Dispose();
        convolution.Dispose();
        trainImages.Dispose();
        evaluationImages.Dispose();
    }
}
