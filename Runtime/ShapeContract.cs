using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace LayerDsl;

/// <summary>A layer's output broke its shape contract: the layer, its contract, the input, the expected and the actual output shapes.</summary>
public sealed class ShapeContractException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public ShapeContractException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public ShapeContractException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ShapeContractException()
    {
    }
}

/// <summary>The run-time half of a shape contract: generated models check each contract-bearing layer's output with it.</summary>
public static class ShapeContract
{
    /// <summary>
    /// Throws a <see cref="ShapeContractException"/> unless <paramref name="output"/> is <c>[batch, ..expected]</c>.
    /// </summary>
    /// <param name="output">The layer's output.</param>
    /// <param name="layer">The layer's name and attribute, for the message.</param>
    /// <param name="contract">The contract, for the message.</param>
    /// <param name="input">The layer's input shape (without the batch), for the message.</param>
    /// <param name="expected">The output shape the contract gives for that input, without the batch.</param>
    public static void Check(Tensor output, string layer, string contract, IReadOnlyList<long> input, IReadOnlyList<long> expected)
    {
        ArgumentNullException.ThrowIfNull(output);
        var shape = output.shape;
        if (shape.Length == expected.Count + 1)
        {
            var matches = true;
            for (var i = 0; i < expected.Count && matches; i++)
            {
                matches = shape[i + 1] == expected[i];
            }

            if (matches)
            {
                return;
            }
        }

        throw new ShapeContractException(
            $"{layer} broke its shape contract \"{contract}\": for input [batch, {string.Join(", ", input)}] it must give " +
            $"[batch, {string.Join(", ", expected)}], but gave [{string.Join(", ", shape)}]. Fix the module or its [LayerShape].");
    }
}
