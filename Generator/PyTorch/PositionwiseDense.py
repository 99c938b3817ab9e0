# PositionwiseDense(F, units, activation="None")
# The PyTorch twin of LayerDsl.Modules.PositionwiseDense ([PositionwiseDense(units)]): a dense layer on the last
# dimension, [..., F] to [..., units], then a LayerDsl Activation (Softmax over dimension 1, as generated models apply
# it); state-dict keys linear.weight [units, F], linear.bias [units].
class PositionwiseDense(nn.Module):
    """A dense layer applied at every position, as Keras' Dense on sequences."""

    _activations = ("None", "ReLU", "Tanh", "Sigmoid", "Softmax", "GELU", "SiLU", "LeakyReLU", "ELU", "Hardswish")

    def __init__(self, F, units, activation="None"):
        super().__init__()
        if activation not in self._activations:
            raise ValueError(f"PositionwiseDense: activation {activation!r} is not one of {', '.join(self._activations)}.")
        self.activation = activation
        self.linear = nn.Linear(F, units)

    def forward(self, x):
        return self._activate(self.linear(x))

    def _activate(self, x):
        name = self.activation
        if name == "None":
            return x
        if name == "ReLU":
            return F.relu(x)
        if name == "Tanh":
            return torch.tanh(x)
        if name == "Sigmoid":
            return torch.sigmoid(x)
        if name == "Softmax":
            return torch.softmax(x, 1)
        if name == "GELU":
            return F.gelu(x)
        if name == "SiLU":
            return F.silu(x)
        if name == "LeakyReLU":
            return F.leaky_relu(x, 0.01)
        if name == "ELU":
            return F.elu(x, 1.0)
        return F.hardswish(x)
