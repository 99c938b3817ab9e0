using LayerDsl;

namespace LayerDsl.Models;

/// <summary>Self-attention with layer normalisation before it (pre-norm), the first half of a Transformer encoder layer.</summary>
[Block]
[LayerNorm]
[MultiHeadAttention(4)]
public partial class AttentionSublayer
{
}

/// <summary>A position-wise feed-forward network with layer normalisation before it, the second half.</summary>
[Block]
[LayerNorm]
[PositionwiseDense(64, Activation = Activation.GELU)]
[PositionwiseDense(32)]
public partial class FeedForwardSublayer
{
}

/// <summary>A pre-norm Transformer encoder layer over <c>[T, 32]</c>: attention and feed-forward, each with a residual connection.</summary>
[Block]
[Residual<AttentionSublayer>]
[Residual<FeedForwardSublayer>]
public partial class TransformerEncoder
{
}

/// <summary>
/// A text classifier over 16 token ids from a vocabulary of 32: embeddings with learned positions, two Transformer encoder
/// layers, the mean over positions, and a 2-way classifier on logits.
/// </summary>
[Input(16, Tokens = 32)]
[Embedding(32, 32)]
[PositionalEmbedding]
[Use<TransformerEncoder>(Repeat = 2)]
[LayerNorm]
[Permute(1, 0)]
[GlobalAvgPool1D]
[Dense(2)]
public partial class TextClassifier
{
}
