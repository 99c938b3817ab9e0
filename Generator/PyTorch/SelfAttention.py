# SelfAttention(D, heads, keyDim=0)
# The PyTorch twin of LayerDsl.Modules.SelfAttention ([MultiHeadAttention(heads)]): multi-head scaled dot-product
# self-attention over [N, T, D] with heads heads of keyDim (D / heads when 0); state-dict keys query, key, value
# ([heads * keyDim, D] weights and their biases) and output ([D, heads * keyDim] and its bias).
class SelfAttention(nn.Module):
    """Attends every position to every position: softmax(q k^T / sqrt(keyDim)) v per head, then a projection to D."""

    def __init__(self, D, heads, keyDim=0):
        super().__init__()
        if heads <= 0:
            raise ValueError(f"SelfAttention: heads ({heads}) must be positive.")
        if keyDim < 0 or (keyDim == 0 and D % heads != 0):
            raise ValueError(f"SelfAttention: keyDim ({keyDim}) must be positive, or 0 with {D} features divisible by {heads} heads.")
        self.heads = heads
        self.keyDim = keyDim if keyDim > 0 else D // heads
        inner = heads * self.keyDim
        self.query = nn.Linear(D, inner)
        self.key = nn.Linear(D, inner)
        self.value = nn.Linear(D, inner)
        self.output = nn.Linear(inner, D)

    def forward(self, x):
        batch, length = x.shape[0], x.shape[1]

        def split(projection):
            # [N, T, heads * keyDim] -> [N, heads, T, keyDim]
            return projection(x).view(batch, length, self.heads, self.keyDim).transpose(1, 2)

        query, key, value = split(self.query), split(self.key), split(self.value)
        # Written out rather than F.scaled_dot_product_attention, which PyTorch 1.13 lacks.
        scores = query.matmul(key.transpose(-2, -1)) / math.sqrt(self.keyDim)
        attended = torch.softmax(scores, -1).matmul(value)
        merged = attended.transpose(1, 2).reshape(batch, length, self.heads * self.keyDim)
        return self.output(merged)
