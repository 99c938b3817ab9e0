using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace LayerDsl;

/// <summary>Run-time input checks used by generated models, so a wrong shape never reaches libtorch.</summary>
public static class ShapeGuard
{
    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the expected shape and the actual one unless
    /// <paramref name="input"/> is <c>[batch, ..sample]</c>, e.g. <c>[batch, channels, height, width]</c>.
    /// </summary>
    /// <param name="input">The tensor a model received.</param>
    /// <param name="model">The model's name, for the message.</param>
    /// <param name="sample">The shape of one sample without the batch, in TorchSharp order.</param>
    public static void CheckInput(Tensor input, string model, IReadOnlyList<long> sample)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(sample);
        var shape = input.shape;
        if (shape.Length == sample.Count + 1)
        {
            var matches = true;
            for (var i = 0; i < sample.Count && matches; i++)
            {
                matches = shape[i + 1] == sample[i];
            }

            if (matches)
            {
                return;
            }
        }

        throw new ArgumentException(
            $"{model} expects input of shape [batch, {string.Join(", ", sample)}] ({Layout(sample.Count)}), " +
            $"but got [{string.Join(", ", shape)}].",
            nameof(input));
    }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> unless <paramref name="input"/> is a <c>[batch, length]</c> tensor of int64
    /// token ids.
    /// </summary>
    /// <param name="input">The tensor a model received.</param>
    /// <param name="model">The model's name, for the message.</param>
    /// <param name="sample">The shape of one sample, <c>[length]</c>.</param>
    public static void CheckTokens(Tensor input, string model, IReadOnlyList<long> sample)
    {
        CheckInput(input, model, sample);
        if (input.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"{model} expects int64 token ids, but got {input.dtype} values; convert with .to_type(ScalarType.Int64).", nameof(input));
        }
    }

    /// <summary>Throws unless <paramref name="input"/> is <c>[batch, channels, height, width]</c>.</summary>
    public static void CheckInput(Tensor input, string model, long channels, long height, long width) =>
        CheckInput(input, model, new[] { channels, height, width });

    /// <summary>
    /// The index of <paramref name="input"/> among the shapes a generated block was built for; throws an
    /// <see cref="ArgumentException"/> naming them otherwise.
    /// </summary>
    /// <param name="block">The block's name, for the message.</param>
    /// <param name="declared">The input shapes at which models of the block's project place it.</param>
    /// <param name="input">The shape asked for.</param>
    public static int BlockVariant(string block, IReadOnlyList<IReadOnlyList<long>> declared, IReadOnlyList<long> input)
    {
        ArgumentNullException.ThrowIfNull(declared);
        ArgumentNullException.ThrowIfNull(input);
        for (var i = 0; i < declared.Count; i++)
        {
            if (declared[i].Count == input.Count && Enumerable.SequenceEqual(declared[i], input))
            {
                return i;
            }
        }

        var known = declared.Count == 0
            ? "no model of its project places it, so it was built for no input shape"
            : $"it was built for the input shapes at which models of its project place it: {string.Join(", ", declared.Select(d => "[" + string.Join(", ", d) + "]"))}";
        throw new ArgumentException(
            $"{block} cannot be built for input [{string.Join(", ", input)}]: {known}. Place the block at that shape in a model (for example with [Use<{block}>]) and rebuild.",
            nameof(input));
    }

    private static string Layout(int rank) => rank switch
    {
        1 => "batch, features",
        2 => "NCL: batch, channels, length",
        3 => "NCHW: batch, channels, height, width",
        _ => "batch first",
    };
}
