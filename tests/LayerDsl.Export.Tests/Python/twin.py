"""The PyTorch twin of PyTorchWeightsTests.Twin: same attribute names, so the same state-dict keys and layouts."""
import json

import torch
import torch.nn as nn
import torch.nn.functional as F


class MaskedConv2d(nn.Module):
    """LayerDsl.Modules.MaskedConv2d (tanh mask, ReLU, no padding, stride 1) in PyTorch."""

    def __init__(self, in_channels, filters, kernel_size, bias):
        super().__init__()
        self.kernel_size = kernel_size
        self.mask = nn.Conv2d(in_channels, kernel_size * kernel_size, kernel_size)
        self.weight = nn.Parameter(torch.empty(filters, in_channels * kernel_size * kernel_size))
        self.bias = nn.Parameter(torch.empty(filters)) if bias else None
        nn.init.normal_(self.weight, 0, 0.2)
        if self.bias is not None:
            nn.init.normal_(self.bias, 0, 0.2)

    def forward(self, x):
        n, c = x.shape[0], x.shape[1]
        taps = self.kernel_size * self.kernel_size
        mask = torch.tanh(self.mask(x))
        height, width = mask.shape[2], mask.shape[3]
        mask = mask.view(n, 1, taps, height * width)
        patches = F.unfold(x, self.kernel_size).view(n, c, taps, height * width)
        out = self.weight.matmul((patches * mask).view(n, c * taps, height * width))
        if self.bias is not None:
            out = out + self.bias.view(-1, 1)
        return F.relu(out.view(n, -1, height, width))


class Twin(nn.Module):
    """[N, 1, 8, 8] -> conv1 -> bn1 -> ReLU -> masked1 -> flatten -> dense1 -> [N, 5]."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3)
        self.bn1 = nn.BatchNorm2d(4)
        self.masked1 = MaskedConv2d(4, 3, 3, bias=True)
        self.dense1 = nn.Linear(3 * 4 * 4, 5)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        return self.dense1(self.masked1(x).flatten(1))


def tensor_json(tensor):
    tensor = tensor.detach().cpu()
    return {"shape": list(tensor.shape), "values": [float(v) for v in tensor.reshape(-1).tolist()]}


def tensor_from_json(entry, dtype=torch.float32):
    return torch.tensor(entry["values"], dtype=dtype).reshape(entry["shape"])


def read_json(path):
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as file:
        json.dump(value, file)
