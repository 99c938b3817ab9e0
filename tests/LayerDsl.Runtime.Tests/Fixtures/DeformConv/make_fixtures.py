"""Reference fixtures for DeformConv2d, made by torchvision's own deform_conv2d operator.

Run from the repository root with an interpreter that has torch and torchvision (Debian 12:
``apt-get install python3-torchvision``, torch 1.13 / torchvision 0.14):

    /usr/bin/python3 tests/LayerDsl.Runtime.Tests/Fixtures/DeformConv/make_fixtures.py

It rewrites ``deform_conv2d.json`` next to this script. For every case the file holds the
arguments (stride, padding, dilation, offset groups, weight groups), the float64 inputs (input,
offset, optional mask, weight, optional bias), torchvision's output, a fixed upstream gradient and
the gradients of <output, upstream> with respect to every input. Each tensor is
``{"shape": [...], "data": [...]}`` with the data flattened in row-major order. Inputs are rounded
to a few decimals to keep the file small; outputs and gradients are written with Python's float
repr, which round-trips a double exactly. The run is deterministic (fixed seed, CPU kernel).
"""

import json
import os

import torch
import torchvision
from torchvision.ops import deform_conv2d

SEED = 20261
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "deform_conv2d.json")

# Offsets for the border cases: integers and halves, so that with integer base positions the samples
# land exactly on pixel centres, on the rows/columns -1, 0, H-1 and H, strictly within one pixel of
# the border (-0.5, H-0.5), and well outside the image.
BORDER_OFFSETS = [-6.0, -4.0, -3.0, -2.5, -2.0, -1.5, -1.0, -0.5, -0.25, 0.0, 0.0, 0.25, 0.5, 1.0,
                  1.5, 2.0, 2.5, 3.0, 4.0, 6.0]

# name, N, C, F, H, W, kernel, stride, padding, dilation, offset groups, weight groups, mask, bias, offsets
CASES = [
    ("basic", 2, 3, 4, 6, 7, (3, 3), (1, 1), (0, 0), (1, 1), 1, 1, True, True, "random"),
    ("stride2_pad1_nomask", 2, 2, 3, 7, 6, (3, 3), (2, 2), (1, 1), (1, 1), 1, 1, False, True, "random"),
    ("pad2_dil2_og2", 1, 4, 3, 7, 7, (3, 3), (1, 1), (2, 2), (2, 2), 2, 1, True, True, "random"),
    ("stride2_dil2_og2_nomask", 2, 4, 2, 8, 9, (3, 3), (2, 2), (0, 0), (2, 2), 2, 1, False, False, "random"),
    ("nonsquare", 2, 4, 2, 6, 8, (2, 3), (2, 1), (1, 0), (1, 2), 2, 1, True, False, "random"),
    ("groups2", 1, 4, 4, 5, 5, (3, 3), (1, 1), (1, 1), (1, 1), 1, 2, True, True, "random"),
    ("borders_mask", 1, 2, 3, 5, 6, (3, 3), (1, 1), (1, 1), (1, 1), 1, 1, True, True, "border"),
    ("borders_nomask_og2", 1, 4, 2, 4, 5, (3, 2), (2, 1), (2, 1), (1, 1), 2, 1, False, True, "border"),
    ("large_offsets", 1, 2, 2, 5, 5, (3, 3), (1, 1), (0, 0), (1, 1), 1, 1, True, True, "large"),
]


def rounded(t, decimals):
    return torch.round(t * 10 ** decimals) / 10 ** decimals


def pack(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def sample_positions(offset, h_out, w_out, kernel, stride, padding, dilation, offset_groups):
    """The (y, x) sampling coordinates, as the operator computes them, for the coverage report."""
    kh, kw = kernel
    n = offset.shape[0]
    off = offset.reshape(n, offset_groups, kh * kw, 2, h_out, w_out)
    i = torch.arange(kh, dtype=torch.float64).repeat_interleave(kw).view(1, 1, kh * kw, 1, 1)
    j = torch.arange(kw, dtype=torch.float64).repeat(kh).view(1, 1, kh * kw, 1, 1)
    oy = torch.arange(h_out, dtype=torch.float64).view(1, 1, 1, h_out, 1)
    ox = torch.arange(w_out, dtype=torch.float64).view(1, 1, 1, 1, w_out)
    y = (oy * stride[0] - padding[0] + i * dilation[0]) + off[:, :, :, 0]
    x = (ox * stride[1] - padding[1] + j * dilation[1]) + off[:, :, :, 1]
    return y.reshape(-1), x.reshape(-1)


def make_case(gen, name, n, c, f, h, w, kernel, stride, padding, dilation, og, groups, use_mask, use_bias, kind):
    kh, kw = kernel
    h_out = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    w_out = (w + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    dt = torch.float64

    x = rounded(torch.randn(n, c, h, w, generator=gen, dtype=dt), 4)
    offset_shape = (n, 2 * og * kh * kw, h_out, w_out)
    if kind == "random":
        offset = rounded(1.5 * torch.randn(*offset_shape, generator=gen, dtype=dt), 3)
    elif kind == "border":
        idx = torch.randint(len(BORDER_OFFSETS), offset_shape, generator=gen)
        offset = torch.tensor(BORDER_OFFSETS, dtype=dt)[idx]
    else:  # large: mostly far outside the image, a few back inside
        offset = rounded(8.0 * torch.randn(*offset_shape, generator=gen, dtype=dt), 2)
    mask = rounded(torch.rand(n, og * kh * kw, h_out, w_out, generator=gen, dtype=dt) * 2 - 1, 3) if use_mask else None
    weight = rounded(torch.randn(f, c // groups, kh, kw, generator=gen, dtype=dt) * 0.5, 4)
    bias = rounded(torch.randn(f, generator=gen, dtype=dt), 4) if use_bias else None

    leaves = {"input": x, "offset": offset, "mask": mask, "weight": weight, "bias": bias}
    leaves = {k: (v.clone().requires_grad_() if v is not None else None) for k, v in leaves.items()}
    out = deform_conv2d(leaves["input"], leaves["offset"], leaves["weight"], leaves["bias"],
                        stride=stride, padding=padding, dilation=dilation, mask=leaves["mask"])
    upstream = rounded(torch.randn(out.shape, generator=gen, dtype=dt), 4)
    out.backward(upstream)

    y, xs = sample_positions(offset, h_out, w_out, kernel, stride, padding, dilation, og)
    coverage = {
        "inside": int(((y > -1) & (y < h) & (xs > -1) & (xs < w)).sum()),
        "outside": int(((y <= -1) | (y >= h) | (xs <= -1) | (xs >= w)).sum()),
        "on_row_-1_or_H": int(((y == -1) | (y == h)).sum()),
        "on_col_-1_or_W": int(((xs == -1) | (xs == w)).sum()),
        "on_first_or_last_row": int(((y == 0) | (y == h - 1)).sum()),
        "within_one_pixel_outside": int((((y > -1) & (y < 0)) | ((y > h - 1) & (y < h))
                                         | ((xs > -1) & (xs < 0)) | ((xs > w - 1) & (xs < w))).sum()),
        "integer_positions": int(((y == torch.floor(y)) & (xs == torch.floor(xs))).sum()),
    }
    print(f"{name}: out {tuple(out.shape)}, samples {coverage}")

    tensors = {k: pack(v) for k, v in leaves.items() if v is not None}
    tensors["output"] = pack(out)
    tensors["upstream"] = pack(upstream)
    for k, v in leaves.items():
        if v is not None:
            tensors["grad_" + k] = pack(v.grad)
    return {
        "name": name,
        "stride": list(stride),
        "padding": list(padding),
        "dilation": list(dilation),
        "offset_groups": og,
        "groups": groups,
        "tensors": tensors,
    }


def main():
    gen = torch.Generator().manual_seed(SEED)
    cases = [make_case(gen, *case) for case in CASES]
    document = {
        "generator": f"torchvision.ops.deform_conv2d, torch {torch.__version__}, torchvision {torchvision.__version__}, CPU, float64",
        "cases": cases,
    }
    with open(OUT, "w") as fh:
        json.dump(document, fh, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
