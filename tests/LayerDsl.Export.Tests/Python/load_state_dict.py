"""Loads a state dict written by LayerDsl's PyTorchWeights.Save into the twin and checks it against the C# side.

usage: load_state_dict.py WEIGHTS REFERENCE_JSON
REFERENCE_JSON holds every state-dict entry (shape and values), an input and the C# model's output for it.
Prints one JSON line: the torch version, the keys and the largest output difference. Exits non-zero on a mismatch.
"""
import json
import sys

import torch

from twin import Twin, read_json, tensor_from_json

weights_path, reference_path = sys.argv[1], sys.argv[2]
reference = read_json(reference_path)

# weights_only: the file holds tensors in an OrderedDict and nothing else (torch 1.13 is the first with the flag).
state = torch.load(weights_path, weights_only=True)
expected = reference["state"]
if sorted(state.keys()) != sorted(expected.keys()):
    sys.exit(f"keys differ: file {sorted(state.keys())}, C# {sorted(expected.keys())}")
for key, entry in expected.items():
    value = state[key]
    if list(value.shape) != entry["shape"]:
        sys.exit(f"{key}: shape {list(value.shape)} in the file, {entry['shape']} in C#")
    wanted = tensor_from_json(entry, value.dtype)
    if not torch.equal(value, wanted):
        sys.exit(f"{key}: values differ from C#'s")

model = Twin()
model.load_state_dict(torch.load(weights_path))  # strict: every key of the twin, no other
model.eval()
with torch.no_grad():
    output = model(tensor_from_json(reference["input"]))
difference = (output - tensor_from_json(reference["output"])).abs().max().item()
print(json.dumps({"torch": torch.__version__, "keys": sorted(state.keys()), "max_output_difference": difference}))
