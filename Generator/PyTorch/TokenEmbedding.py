# TokenEmbedding(vocab, dim)
# The PyTorch twin of LayerDsl.Modules.TokenEmbedding ([Embedding(vocab, dim)]): int64 token ids [N, T] to vectors
# [N, T, dim] from a learned table of vocab rows; state-dict key table.weight [vocab, dim].
class TokenEmbedding(nn.Module):
    """Looks up every token id of [N, T] in a table of vocab vectors of length dim."""

    def __init__(self, vocab, dim):
        super().__init__()
        if vocab <= 0:
            raise ValueError(f"TokenEmbedding: vocab ({vocab}) must be at least one token.")
        if dim <= 0:
            raise ValueError(f"TokenEmbedding: dim ({dim}) must be positive.")
        self.table = nn.Embedding(vocab, dim)

    def forward(self, x):
        return self.table(x)
