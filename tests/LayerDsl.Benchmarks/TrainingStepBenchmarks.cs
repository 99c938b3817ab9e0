using BenchmarkDotNet.Attributes;
using LayerDsl.Models;
using LayerDsl.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Benchmarks;

/// <summary>One forward + backward pass on a batch of 128 Fashion-MNIST-sized images, per model and per convolution.</summary>
[MemoryDiagnoser(displayGenColumns: false)]
public class TrainingStepBenchmarks
{
    private Tensor _images = null!;
    private Tensor _labels = null!;
    private StandardCnn _standard = null!;
    private MaskedConvNet _masked = null!;
    private MaskedConv2d _maskedLayer = null!;
    private TorchSharp.Modules.Conv2d _convLayer = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Threads);
        random.manual_seed(0);
        _images = rand(128, 1, 28, 28);
        _labels = randint(0, 10, new long[] { 128 });
        _standard = new StandardCnn();
        _masked = new MaskedConvNet();
        _maskedLayer = new MaskedConv2d(1, 32, 5);
        _convLayer = nn.Conv2d(1, 32, 5);
    }

    [Benchmark(Baseline = true)]
    public float StandardCnnStep() => Step(_standard, _standard.ForwardLogits);

    [Benchmark]
    public float MaskedConvNetStep() => Step(_masked, _masked.ForwardLogits);

    [Benchmark]
    public float Conv2dLayer5x5() => LayerStep(_convLayer);

    [Benchmark]
    public float MaskedConv2dLayer5x5() => LayerStep(_maskedLayer);

    private float Step(nn.Module module, System.Func<Tensor, Tensor> logits)
    {
        using var scope = NewDisposeScope();
        module.zero_grad();
        var loss = nn.functional.cross_entropy(logits(_images), _labels);
        loss.backward();
        return loss.item<float>();
    }

    private float LayerStep(nn.Module<Tensor, Tensor> layer)
    {
        using var scope = NewDisposeScope();
        layer.zero_grad();
        var loss = layer.forward(_images).sum();
        loss.backward();
        return loss.item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _standard.Dispose();
        _masked.Dispose();
        _maskedLayer.Dispose();
        _convLayer.Dispose();
        _images.Dispose();
        _labels.Dispose();
    }
}
