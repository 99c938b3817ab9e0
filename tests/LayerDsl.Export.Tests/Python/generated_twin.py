"""Runs a model's generated PyTorchSource with the weights its C# model saved, and sends weights the other way.

usage: generated_twin.py MODEL_PY CLASS_NAME WEIGHTS INPUT_JSON OUT_DIR
MODEL_PY is the model's PyTorchSource written to a file, WEIGHTS the file SaveForPyTorch wrote, INPUT_JSON an input
({"shape": [...], "values": [...], "dtype": "float64" | "int64"}). Loads the weights strictly; moves every parameter
of a copy by a seeded random step and saves its state dict (float32, as the C# model keeps it) to OUT_DIR/perturbed.pt
with torch.save; then evaluates forward and forward_logits of the loaded model, and forward of the moved copy, in float64
so that the comparison measures the twin's formula rather than two libraries' float32 rounding. Prints one JSON object:
keys, output, logits, perturbed_output.
"""
import copy
import importlib.util
import json
import sys

import torch

model_path, class_name, weights_path, input_path, out_dir = sys.argv[1:6]
spec = importlib.util.spec_from_file_location("generated_model", model_path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)

model = getattr(module, class_name)()
model.load_state_dict(torch.load(weights_path))  # strict: exactly the twin's keys, with their shapes
model.eval()

with open(input_path, encoding="utf-8") as file:
    entry = json.load(file)
dtype = torch.int64 if entry.get("dtype") == "int64" else torch.float64
x = torch.tensor(entry["values"], dtype=dtype).reshape(entry["shape"])


def as_json(tensor):
    return {"shape": list(tensor.shape), "values": tensor.detach().double().flatten().tolist()}


with torch.no_grad():
    moved = copy.deepcopy(model)
    generator = torch.Generator().manual_seed(7)
    for parameter in moved.parameters():
        parameter.add_(0.05 * torch.randn(parameter.shape, generator=generator, dtype=parameter.dtype))
    torch.save(moved.state_dict(), f"{out_dir}/perturbed.pt")

    model.double()
    moved.double()
    output = model(x)
    logits = model.forward_logits(x)
    perturbed = moved(x)

print(json.dumps({
    "torch": torch.__version__,
    "keys": sorted(model.state_dict().keys()),
    "output": as_json(output),
    "logits": as_json(logits),
    "perturbed_output": as_json(perturbed),
}))
