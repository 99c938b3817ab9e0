using System;
using LayerDsl.Export;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LayerDsl.Modules;

/// <summary>
/// Multi-head self-attention over <c>[N, T, D]</c> (<c>[MultiHeadAttention(heads, KeyDim)]</c>): queries, keys and values are
/// projections of the same sequence to <c>heads</c> heads of <c>keyDim</c> (<c>D / heads</c> when 0), attention is scaled
/// dot-product over all positions, and an output projection returns to <c>D</c>.
/// </summary>
[LayerShape(
    "[T, D] -> [T, D] where keyDim > 0 params 3 * (D * heads * keyDim + heads * keyDim) + heads * keyDim * D + D " +
    "| [T, D] -> [T, D] where keyDim == 0, D % heads == 0 params 4 * (D * D + D)")]
public sealed class SelfAttention : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly Linear output;
    private readonly long heads;
    private readonly long keyDim;

    /// <summary>Creates the layer.</summary>
    /// <param name="D">Features per position.</param>
    /// <param name="heads">Number of attention heads.</param>
    /// <param name="keyDim">Size of each head's queries and keys; 0 for <c>D / heads</c>.</param>
    public SelfAttention(long D, long heads, long keyDim = 0)
        : base(nameof(SelfAttention))
    {
        if (heads <= 0)
            throw new ArgumentOutOfRangeException(nameof(heads), heads, "The number of heads must be positive.");
        if (keyDim < 0 || (keyDim == 0 && D % heads != 0))
            throw new ArgumentOutOfRangeException(nameof(keyDim), keyDim, $"The key size must be positive, or 0 with {D} features divisible by {heads} heads.");
        this.heads = heads;
        this.keyDim = keyDim == 0 ? D / heads : keyDim;
        var inner = heads * this.keyDim;
        query = nn.Linear(D, inner);
        key = nn.Linear(D, inner);
        value = nn.Linear(D, inner);
        output = nn.Linear(inner, D);
        RegisterComponents();
    }

    /// <summary>Attends every position to every position.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long batch = input.shape[0], length = input.shape[1];
        Tensor Split(Linear projection) => projection.call(input).view(batch, length, heads, keyDim).transpose(1, 2);
        var attended = nn.functional.scaled_dot_product_attention(Split(query), Split(key), Split(value));
        var merged = attended.transpose(1, 2).reshape(batch, length, heads * keyDim);
        return output.call(merged).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Standard ONNX operators (opset 17 has no attention operator): the sequence as rows of D (<c>Reshape</c>); each
    /// projection a <c>Gemm</c> (transB = 1) on the initializers <c>name.query.weight</c>, ... split into heads
    /// (<c>Reshape</c>, <c>Transpose</c>); scores <c>MatMul</c>, <c>Mul</c> by 1/√keyDim, <c>Softmax</c> over the keys,
    /// <c>MatMul</c> with the values; the heads merged (<c>Transpose</c>, <c>Reshape</c>) and the output projection
    /// (<c>Gemm</c>, <c>Reshape</c> to [batch, T, D]).
    /// </summary>
    /// <exception cref="ArgumentException">The input is not [batch, T, D] with this layer's D.</exception>
    public string ExportOnnx(OnnxGraphBuilder builder, string input, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string layer = builder.LayerName(name, "attention");
        long[] shape = builder.Expect(input, layer, nameof(SelfAttention), 2, "T, D");
        long features = query.in_features, inner = heads * keyDim, steps = shape[0];
        if (shape[1] != features)
            throw new ArgumentException(
                $"The layer '{layer}' ({nameof(SelfAttention)}) expects {features} features per position; '{input}' has shape "
                + $"{OnnxGraphBuilder.FormatShape(shape)}. Check the layer before it.",
                nameof(input));
        var transposeWeight = OnnxAttribute.Int("transB", 1);
        string rows = builder.Step(layer, "rows", "Reshape", new[] { input, builder.Int64s(layer, "rows_shape", -1, features) }, null);

        // [batch * T, D] -> [batch * T, heads * keyDim] -> [batch, T, heads, keyDim] -> permuted.
        string Heads(Linear projection, string what, params long[] permutation)
        {
            string projected = builder.Step(layer, what, "Gemm",
                new[] { rows, builder.Weight(layer, $"{what}.weight", projection.weight), builder.Weight(layer, $"{what}.bias", projection.bias) },
                null, transposeWeight);
            string split = builder.Step(layer, $"{what}_heads", "Reshape",
                new[] { projected, builder.Int64s(layer, $"{what}_shape", -1, steps, heads, keyDim) }, null);
            return builder.Step(layer, $"{what}_transposed", "Transpose", new[] { split }, null, OnnxAttribute.Ints("perm", permutation));
        }
        string queries = Heads(query, "query", 0, 2, 1, 3);  // [batch, heads, T, keyDim]
        string keys = Heads(key, "key", 0, 2, 3, 1);         // [batch, heads, keyDim, T]
        string values = Heads(value, "value", 0, 2, 1, 3);   // [batch, heads, T, keyDim]

        string scores = builder.Step(layer, "scores", "MatMul", new[] { queries, keys }, null);
        string scaled = builder.Step(layer, "scaled_scores", "Mul",
            new[] { scores, builder.Scalar(layer, "scale", (float)(1 / Math.Sqrt(keyDim))) }, null);
        string weights = builder.Step(layer, "weights", "Softmax", new[] { scaled }, null, OnnxAttribute.Int("axis", -1));
        string attended = builder.Step(layer, "attended", "MatMul", new[] { weights, values }, null);

        string merged = builder.Step(layer, "merged", "Transpose", new[] { attended }, null, OnnxAttribute.Ints("perm", 0, 2, 1, 3));
        string mergedRows = builder.Step(layer, "merged_rows", "Reshape",
            new[] { merged, builder.Int64s(layer, "merged_shape", -1, inner) }, null);
        string projectedOutput = builder.Step(layer, "output", "Gemm",
            new[] { mergedRows, builder.Weight(layer, "output.weight", output.weight), builder.Weight(layer, "output.bias", output.bias) },
            null, transposeWeight);
        return builder.Final(layer, "Reshape", new[] { projectedOutput, builder.Int64s(layer, "output_shape", -1, steps, features) },
            new[] { steps, features });
    }
}
