using System;
using LayerDsl.Modules;

namespace LayerDsl;

/// <summary>Token ids <c>[T]</c> to vectors <c>[T, dim]</c> (<see cref="TokenEmbedding"/>); after <c>[Input(length, Tokens = vocab)]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EmbeddingAttribute : LayerAttribute<TokenEmbedding>
{
    /// <summary>Declares a table of <paramref name="vocab"/> vectors of length <paramref name="dim"/>.</summary>
    public EmbeddingAttribute(int vocab, int dim)
    {
        Vocab = vocab;
        Dim = dim;
    }

    /// <summary>Number of token ids.</summary>
    public int Vocab { get; }

    /// <summary>Vector length.</summary>
    public int Dim { get; }
}

/// <summary>A learned vector per position added to <c>[T, D]</c> (<see cref="Modules.PositionalEmbedding"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PositionalEmbeddingAttribute : LayerAttribute<PositionalEmbedding>
{
}

/// <summary>A dense layer at every position: <c>[..., F]</c> to <c>[..., units]</c> (<see cref="Modules.PositionwiseDense"/>).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class PositionwiseDenseAttribute : LayerAttribute<PositionwiseDense>
{
    /// <summary>Declares the layer with <paramref name="units"/> outputs per position.</summary>
    public PositionwiseDenseAttribute(int units) => Units = units;

    /// <summary>Output features per position.</summary>
    public int Units { get; }

    /// <summary>Activation after the layer (default none).</summary>
    public Activation Activation { get; set; } = Activation.None;
}

/// <summary>An LSTM over <c>[T, D]</c> (<see cref="LstmLayer"/>): <c>[units]</c> (the final state), or <c>[T, units]</c> with <see cref="ReturnSequences"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LSTMAttribute : LayerAttribute<LstmLayer>
{
    /// <summary>Declares an LSTM with <paramref name="units"/> hidden units per direction.</summary>
    public LSTMAttribute(int units) => Units = units;

    /// <summary>Hidden units per direction.</summary>
    public int Units { get; }

    /// <summary>Every step's output instead of the final state (default false, as Keras).</summary>
    public bool ReturnSequences { get; set; }

    /// <summary>Also run backwards and concatenate both directions (default false).</summary>
    public bool Bidirectional { get; set; }
}

/// <summary>A GRU over <c>[T, D]</c> (<see cref="GruLayer"/>): <c>[units]</c> (the final state), or <c>[T, units]</c> with <see cref="ReturnSequences"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GRUAttribute : LayerAttribute<GruLayer>
{
    /// <summary>Declares a GRU with <paramref name="units"/> hidden units per direction.</summary>
    public GRUAttribute(int units) => Units = units;

    /// <summary>Hidden units per direction.</summary>
    public int Units { get; }

    /// <summary>Every step's output instead of the final state (default false, as Keras).</summary>
    public bool ReturnSequences { get; set; }

    /// <summary>Also run backwards and concatenate both directions (default false).</summary>
    public bool Bidirectional { get; set; }
}

/// <summary>Multi-head self-attention over <c>[T, D]</c> (<see cref="SelfAttention"/>), giving <c>[T, D]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MultiHeadAttentionAttribute : LayerAttribute<SelfAttention>
{
    /// <summary>Declares attention with <paramref name="heads"/> heads.</summary>
    public MultiHeadAttentionAttribute(int heads) => Heads = heads;

    /// <summary>Number of heads.</summary>
    public int Heads { get; }

    /// <summary>Size of each head's queries and keys; 0 (the default) for <c>D / heads</c>.</summary>
    public int KeyDim { get; set; }
}
