# DeformConv2d(inChannels, filters, kernelSize, stride=1, padding=0, dilation=1, offsetGroups=1, modulated=True,
#              activation="None", bias=True, groups=1)
# The PyTorch twin of LayerDsl.Modules.DeformConv2d: the same parameters, state-dict keys (weight, bias, offset.weight,
# offset.bias and, modulated, mask.weight, mask.bias), shapes and computation, in plain torch (no torchvision).
# kernelSize, stride, padding and dilation are an int or a (height, width) pair; activation is a LayerDsl Activation name.
class DeformConv2d(nn.Module):
    """Deformable convolution (DCN; modulated, DCNv2) with the semantics of torchvision's ops.deform_conv2d.

    Tap (i, j) of output position (oy, ox) samples channel c, of offset group g, at
    y = oy * sh - ph + i * dh + offset[n, 2 (g kh kw + k)], x = ox * sw - pw + j * dw + offset[n, 2 (g kh kw + k) + 1]
    (k = i * kw + j) by bilinear interpolation with zeros outside the image, times mask[n, g kh kw + k] when modulated;
    the filter bank weight [F, C / groups, kh, kw] combines the samples as a convolution combines its taps, plus bias.
    The offsets and the mask (through a sigmoid) are predicted by convolutions over the input.
    """

    _activations = ("None", "ReLU", "Tanh", "Sigmoid", "Softmax", "GELU", "SiLU", "LeakyReLU", "ELU", "Hardswish")

    def __init__(self, inChannels, filters, kernelSize, stride=1, padding=0, dilation=1, offsetGroups=1, modulated=True,
                 activation="None", bias=True, groups=1):
        super().__init__()
        kernelSize, stride, padding, dilation = (self._pair(kernelSize, "kernelSize"), self._pair(stride, "stride"),
                                                 self._pair(padding, "padding"), self._pair(dilation, "dilation"))
        if inChannels <= 0 or filters <= 0:
            raise ValueError(f"DeformConv2d: inChannels ({inChannels}) and filters ({filters}) must be positive.")
        if min(kernelSize) <= 0 or min(stride) < 1 or min(padding) < 0 or min(dilation) < 1:
            raise ValueError(f"DeformConv2d: kernelSize {kernelSize} must be positive, stride {stride} and dilation "
                             f"{dilation} at least 1, padding {padding} at least 0.")
        if offsetGroups <= 0 or inChannels % offsetGroups != 0:
            raise ValueError(f"DeformConv2d: offsetGroups ({offsetGroups}) must be positive and divide the {inChannels} input channels.")
        if groups <= 0 or inChannels % groups != 0 or filters % groups != 0:
            raise ValueError(f"DeformConv2d: groups ({groups}) must be positive and divide both the {inChannels} input "
                             f"channels and the {filters} filters.")
        if activation not in self._activations:
            raise ValueError(f"DeformConv2d: activation {activation!r} is not one of {', '.join(self._activations)}.")
        self.inChannels = inChannels
        self.filters = filters
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.offsetGroups = offsetGroups
        self.groups = groups
        self.activation = activation

        taps = kernelSize[0] * kernelSize[1]
        self.offset = nn.Conv2d(inChannels, 2 * offsetGroups * taps, kernelSize, stride=stride, padding=padding,
                                dilation=dilation, bias=True)
        self.mask = nn.Conv2d(inChannels, offsetGroups * taps, kernelSize, stride=stride, padding=padding,
                              dilation=dilation, bias=True) if modulated else None
        self.weight = nn.Parameter(torch.empty(filters, inChannels // groups, kernelSize[0], kernelSize[1]))
        # Zero offsets (and a mask of sigmoid(0) = 0.5) at the start, as DCN and DCNv2 do; the filter bank as nn.Conv2d.
        for predictor in (self.offset, self.mask):
            if predictor is not None:
                nn.init.zeros_(predictor.weight)
                nn.init.zeros_(predictor.bias)
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if bias:
            bound = 1.0 / math.sqrt(inChannels // groups * taps)
            self.bias = nn.Parameter(torch.empty(filters).uniform_(-bound, bound))
        else:
            self.register_parameter("bias", None)

    @staticmethod
    def _pair(value, name):
        pair = (value, value) if isinstance(value, int) else tuple(value)
        if len(pair) != 2 or not all(isinstance(v, int) for v in pair):
            raise ValueError(f"DeformConv2d: {name} must be an int or a (height, width) pair of ints; got {value!r}.")
        return pair

    def forward(self, x):
        if x.dim() != 4 or x.shape[1] != self.inChannels:
            raise ValueError(f"DeformConv2d expects an input of shape [N, {self.inChannels}, H, W]; got {list(x.shape)}.")
        offsets = self.offset(x)
        mask = torch.sigmoid(self.mask(x)) if self.mask is not None else None
        return self._activate(self._deform(x, offsets, mask))

    def _deform(self, x, offsets, mask):
        batch, channels, height, width = x.shape
        filters, per_group, kh, kw = self.weight.shape
        (sh, sw), (ph, pw), (dh, dw) = self.stride, self.padding, self.dilation
        out_height, out_width = offsets.shape[2], offsets.shape[3]
        taps, positions, offset_groups = kh * kw, out_height * out_width, self.offsetGroups

        # Bilinear sampling, zero outside the image, of every tap of every output position by one grid_sample over
        # [N * G, C / G, H, W]. Padding the image with zeros at the bottom and right to power-of-two sizes changes no
        # sample but makes grid_sample's coordinate mappings exact, so an integer position stays exactly on its pixel.
        padded_height, padded_width = 1 << (height - 1).bit_length(), 1 << (width - 1).bit_length()
        image = x if (padded_height, padded_width) == (height, width) else \
            F.pad(x, (0, padded_width - width, 0, padded_height - height))

        # The regular grid [k, L]: tap (i, j) of position (oy, ox) at pixel (oy sh - ph + i dh, ox sw - pw + j dw),
        # normalised as grid_sample (align_corners=False) expects: (2 p + 1) / size - 1.
        dtype, device = x.dtype, x.device
        tap_y = torch.arange(kh, dtype=dtype, device=device).repeat_interleave(kw).mul(dh).view(taps, 1)
        tap_x = torch.arange(kw, dtype=dtype, device=device).repeat(kh).mul(dw).view(taps, 1)
        row_y = torch.arange(out_height, dtype=dtype, device=device).mul(sh).sub(ph).repeat_interleave(out_width).view(1, positions)
        col_x = torch.arange(out_width, dtype=dtype, device=device).mul(sw).sub(pw).repeat(out_height).view(1, positions)
        grid_y = (row_y + tap_y).mul(2.0 / padded_height).add(1.0 / padded_height - 1)
        grid_x = (col_x + tap_x).mul(2.0 / padded_width).add(1.0 / padded_width - 1)

        # Plus the offsets (dy in the even, dx in the odd channels): the grid [N * G, k, L, 2] of (x, y) points.
        displacement = offsets.reshape(batch, offset_groups, taps, 2, positions)
        grid = torch.stack([
            grid_x.add(displacement.select(3, 1), alpha=2.0 / padded_width),
            grid_y.add(displacement.select(3, 0), alpha=2.0 / padded_height),
        ], -1).view(batch * offset_groups, taps, positions, 2)
        columns = F.grid_sample(
            image.reshape(batch * offset_groups, channels // offset_groups, padded_height, padded_width), grid,
            mode="bilinear", padding_mode="zeros", align_corners=False,
        ).view(batch, offset_groups, channels // offset_groups, taps, positions)
        if mask is not None:
            columns = columns * mask.reshape(batch, offset_groups, 1, taps, positions)

        # [groups, F / groups, C / groups * k] x [N, groups, C / groups * k, L] -> [N, F, H', W']
        groups = channels // per_group
        out = self.weight.reshape(groups, filters // groups, per_group * taps) \
            .matmul(columns.view(batch, groups, per_group * taps, positions)) \
            .view(batch, filters, out_height, out_width)
        if self.bias is not None:
            out = out + self.bias.reshape(filters, 1, 1)
        return out

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
