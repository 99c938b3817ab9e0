# MaskedConv2d(inChannels, filters, kernelSize, stride=1, padding=0, maskActivation="Tanh", activation="ReLU", bias=False)
# The PyTorch twin of LayerDsl.Modules.MaskedConv2d: the same parameters, state-dict keys (weight, bias, mask.weight,
# mask.bias), shapes and computation. maskActivation is "Tanh" or "Sigmoid"; activation is a LayerDsl Activation name.
class MaskedConv2d(nn.Module):
    """The attention-masked convolution: a per-position, per-tap mask weights every receptive-field patch.

    mask    = act_m(Conv2d(C -> k*k, k, s, p)(x))   [N, k*k, H', W']
    patches = unfold(x, k, s, p)                    [N, C, k*k, H'*W']
    out     = act(W . (patches * mask))             [N, F, H', W']
    """

    _activations = ("None", "ReLU", "Tanh", "Sigmoid", "Softmax", "GELU", "SiLU", "LeakyReLU", "ELU", "Hardswish")

    def __init__(self, inChannels, filters, kernelSize, stride=1, padding=0, maskActivation="Tanh", activation="ReLU",
                 bias=False):
        super().__init__()
        if inChannels <= 0 or filters <= 0 or kernelSize <= 0:
            raise ValueError(f"MaskedConv2d: inChannels ({inChannels}), filters ({filters}) and kernelSize ({kernelSize}) must be positive.")
        if stride < 1 or padding < 0:
            raise ValueError(f"MaskedConv2d: stride ({stride}) must be at least 1 and padding ({padding}) at least 0.")
        if maskActivation not in ("Tanh", "Sigmoid"):
            raise ValueError(f"MaskedConv2d: maskActivation {maskActivation!r} is not one of 'Tanh', 'Sigmoid'.")
        if activation not in self._activations:
            raise ValueError(f"MaskedConv2d: activation {activation!r} is not one of {', '.join(self._activations)}.")
        self.inChannels = inChannels
        self.filters = filters
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.maskActivation = maskActivation
        self.activation = activation

        taps = kernelSize * kernelSize
        fan_in = inChannels * taps
        self.mask = nn.Conv2d(inChannels, taps, kernelSize, stride=stride, padding=padding, bias=True)
        # Initialised as nn.Conv2d initialises its own weight and bias.
        self.weight = nn.Parameter(torch.empty(filters, fan_in))
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if bias:
            bound = 1.0 / math.sqrt(fan_in)
            self.bias = nn.Parameter(torch.empty(filters).uniform_(-bound, bound))
        else:
            self.register_parameter("bias", None)

    def forward(self, x):
        if x.dim() != 4 or x.shape[1] != self.inChannels:
            raise ValueError(f"MaskedConv2d expects an input of shape [N, {self.inChannels}, H, W]; got {list(x.shape)}.")
        batch = x.shape[0]
        taps = self.kernelSize * self.kernelSize

        # [N, k*k, H', W'] -> [N, 1, k*k, L]: one weight per tap and position, shared across channels.
        logits = self.mask(x)
        out_height, out_width = logits.shape[2], logits.shape[3]
        positions = out_height * out_width
        weights = torch.sigmoid(logits) if self.maskActivation == "Sigmoid" else torch.tanh(logits)
        weights = weights.view(batch, 1, taps, positions)

        # [N, C*k*k, L] -> [N, C, k*k, L], masked, back to [N, C*k*k, L].
        patches = F.unfold(x, self.kernelSize, padding=self.padding, stride=self.stride)
        patches = patches.view(batch, self.inChannels, taps, positions)
        masked = (patches * weights).view(batch, self.inChannels * taps, positions)

        # [F, C*k*k] x [N, C*k*k, L] -> [N, F, L]
        out = self.weight.matmul(masked)
        if self.bias is not None:
            out = out + self.bias.view(self.filters, 1)
        return self._activate(out.view(batch, self.filters, out_height, out_width))

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
