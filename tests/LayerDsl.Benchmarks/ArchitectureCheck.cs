using System;
using System.Linq;
using static TorchSharp.torch;

namespace LayerDsl.Benchmarks;

/// <summary>Keeps the generated-against-hand-written comparisons honest: both models must hold the same parameters.</summary>
internal static class ArchitectureCheck
{
    /// <summary>Throws unless both models have the same parameter tensors of the same shapes (in any order).</summary>
    public static void SameParameters(nn.Module generated, nn.Module handWritten)
    {
        var a = generated.parameters().Select(p => string.Join("x", p.shape)).Order().ToArray();
        var b = handWritten.parameters().Select(p => string.Join("x", p.shape)).Order().ToArray();
        if (!a.SequenceEqual(b))
            throw new InvalidOperationException($"The hand-written model differs from the generated one: [{string.Join(", ", b)}] against [{string.Join(", ", a)}].");
    }
}
