# PositionalEmbedding(T, D)
# The PyTorch twin of LayerDsl.Modules.PositionalEmbedding ([PositionalEmbedding]): adds a learned vector per position
# to [N, T, D]; state-dict key positions [T, D].
class PositionalEmbedding(nn.Module):
    """Adds a learned vector per position (initialised from a normal distribution of standard deviation 0.02)."""

    def __init__(self, T, D):
        super().__init__()
        if T <= 0 or D <= 0:
            raise ValueError(f"PositionalEmbedding: the sequence length T ({T}) and vector length D ({D}) must be positive.")
        self.positions = nn.Parameter(torch.randn(T, D) * 0.02)

    def forward(self, x):
        return x + self.positions
