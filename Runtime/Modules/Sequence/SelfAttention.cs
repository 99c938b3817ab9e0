using System;
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
public sealed class SelfAttention : nn.Module<Tensor, Tensor>
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
}
