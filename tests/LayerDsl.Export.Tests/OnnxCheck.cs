using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace LayerDsl.Export.Tests;

/// <summary>Runs an exported graph in ONNX Runtime next to its TorchSharp reference.</summary>
internal static class OnnxCheck
{
    /// <summary>The agreement every export must reach: max |onnx - torch| &lt;= 1e-5 max |torch|.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>Two batch sizes, so a batch dimension that is not dynamic fails.</summary>
    public static readonly long[] BatchSizes = { 1, 3 };

    /// <summary>
    /// Builds the graph <paramref name="build"/> describes on an input of [batch, ...sampleShape], runs it in ONNX
    /// Runtime on random inputs of two batch sizes and compares with <paramref name="reference"/>; returns the largest
    /// difference relative to the reference's largest magnitude, after asserting it is within <see cref="Tolerance"/>.
    /// </summary>
    public static double Agrees(int opset, long[] sampleShape, Func<OnnxGraphBuilder, string, string> build,
        Func<Tensor, Tensor> reference, int seed = 0)
    {
        var builder = new OnnxGraphBuilder(opset);
        builder.Output(build(builder, builder.Input("input", sampleShape)));
        return Agrees(builder, sampleShape, reference, seed);
    }

    /// <summary>
    /// As <see cref="Agrees(int, long[], Func{OnnxGraphBuilder, string, string}, Func{Tensor, Tensor}, int)"/> for a
    /// model reading token ids: an int64 input of random ids below <paramref name="vocab"/>.
    /// </summary>
    public static double AgreesOnTokens(int opset, long[] sampleShape, long vocab, Func<OnnxGraphBuilder, string, string> build,
        Func<Tensor, Tensor> reference, int seed = 0)
    {
        var builder = new OnnxGraphBuilder(opset);
        builder.Output(build(builder, builder.Int64Input("input", sampleShape)));
        return Agrees(builder, sampleShape, reference, seed, vocab);
    }

    /// <summary>
    /// Runs a finished graph (input "input", output "output") against <paramref name="reference"/>, on float inputs
    /// or, with a <paramref name="vocab"/>, on int64 token ids below it.
    /// </summary>
    public static double Agrees(OnnxGraphBuilder builder, long[] sampleShape, Func<Tensor, Tensor> reference, int seed = 0,
        long vocab = 0)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(builder.ToByteArray(), options);
        double worst = 0;
        foreach (long batch in BatchSizes)
        {
            using var scope = NewDisposeScope();
            torch.random.manual_seed(seed * 100 + batch);
            long[] shape = new[] { batch }.Concat(sampleShape).ToArray();
            Tensor x = vocab > 0 ? randint(vocab, shape, dtype: int64) : randn(shape);
            Tensor expected;
            using (no_grad())
                expected = reference(x).contiguous();

            using var input = vocab > 0
                ? OrtValue.CreateTensorValueFromMemory(x.data<long>().ToArray(), shape)
                : OrtValue.CreateTensorValueFromMemory(x.data<float>().ToArray(), shape);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, new[] { "input" }, new[] { input }, new[] { "output" });
            long[] actualShape = outputs[0].GetTensorTypeAndShape().Shape;
            Assert.True(expected.shape.SequenceEqual(actualShape),
                $"TorchSharp gives [{string.Join(", ", expected.shape)}], ONNX Runtime [{string.Join(", ", actualShape)}].");
            float[] actual = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            float[] wanted = expected.data<float>().ToArray();

            Assert.All(actual, v => Assert.True(float.IsFinite(v), "ONNX Runtime produced a value that is not finite."));
            double scale = wanted.Max(v => Math.Abs((double)v));
            Assert.True(scale > 0, "The reference output is all zeros, which would let any export pass.");
            double difference = actual.Zip(wanted, (a, b) => Math.Abs((double)a - b)).Max();
            worst = Math.Max(worst, difference / scale);
        }
        Assert.True(worst <= Tolerance, $"ONNX Runtime and TorchSharp differ by {worst:E2} of the output's scale (allowed {Tolerance:E0}).");
        return worst;
    }

    /// <summary>Gives every parameter of a module random values of the given spread (and batch norms running statistics).</summary>
    public static void Randomize(nn.Module module, double std = 0.5, int seed = 1)
    {
        torch.random.manual_seed(seed);
        using (no_grad())
        {
            foreach (var (_, parameter) in module.named_parameters())
                parameter.normal_(0, std);
        }
    }
}
