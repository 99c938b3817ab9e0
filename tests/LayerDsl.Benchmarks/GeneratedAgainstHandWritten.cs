using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Benchmarks;

/// <summary>
/// A generated model against the same model written by hand in TorchSharp (the way its documentation writes modules):
/// one training step each (forward, backward, RMSprop update) on a batch of 128 Fashion-MNIST-sized images, at one and
/// two intra-op threads. The set-up refuses two models that do not hold the same parameters.
/// </summary>
[MemoryDiagnoser(displayGenColumns: false)]
public abstract class GeneratedAgainstHandWritten
{
    private Tensor images = null!;
    private Tensor labels = null!;
    private nn.Module<Tensor, Tensor> generated = null!;
    private nn.Module<Tensor, Tensor> handWritten = null!;
    private optim.Optimizer generatedOptimizer = null!;
    private optim.Optimizer handWrittenOptimizer = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Threads);
        random.manual_seed(0);
        images = rand(128, 1, 28, 28);
        labels = randint(0, 10, new long[] { 128 });
        generated = CreateGenerated();
        handWritten = CreateHandWritten();
        generatedOptimizer = optim.RMSProp(generated.parameters(), 1e-3);
        handWrittenOptimizer = optim.RMSProp(handWritten.parameters(), 1e-3);
        var a = generated.parameters().Select(p => string.Join("x", p.shape)).Order().ToArray();
        var b = handWritten.parameters().Select(p => string.Join("x", p.shape)).Order().ToArray();
        if (!a.SequenceEqual(b))
            throw new InvalidOperationException($"The hand-written model differs from the generated one: [{string.Join(", ", b)}] against [{string.Join(", ", a)}].");
    }

    [Benchmark(Baseline = true)]
    public float HandWrittenStep() => Step(handWritten, handWrittenOptimizer);

    [Benchmark]
    public float GeneratedStep() => Step(generated, generatedOptimizer);

    [GlobalCleanup]
    public void Cleanup()
    {
        generatedOptimizer.Dispose();
        handWrittenOptimizer.Dispose();
        generated.Dispose();
        handWritten.Dispose();
        images.Dispose();
        labels.Dispose();
    }

    /// <summary>The generated model.</summary>
    protected abstract nn.Module<Tensor, Tensor> CreateGenerated();

    /// <summary>The same model by hand.</summary>
    protected abstract nn.Module<Tensor, Tensor> CreateHandWritten();

    private float Step(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(model.call(images), labels);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }
}
