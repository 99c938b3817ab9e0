"""Runs many generated PyTorch twins in one process: the random-model sample of the export tests.

usage: random_twins.py MANIFEST_JSON
MANIFEST_JSON is a list of {"name", "model_py", "class", "weights", "input"}: a model's PyTorchSource written to a file,
its class name, the weights its C# model saved with SaveForPyTorch, and an input file as generated_twin.py reads it.
Each twin loads its weights strictly and runs forward in float64. Prints one JSON object: torch, and per name the
state-dict keys and the output.
"""
import importlib.util
import json
import sys

import torch

with open(sys.argv[1], encoding="utf-8") as file:
    manifest = json.load(file)

results = {}
for index, entry in enumerate(manifest):
    spec = importlib.util.spec_from_file_location(f"random_model_{index}", entry["model_py"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = getattr(module, entry["class"])()
    model.load_state_dict(torch.load(entry["weights"]))  # strict: exactly the twin's keys, with their shapes
    model.eval()
    with open(entry["input"], encoding="utf-8") as file:
        sample = json.load(file)
    dtype = torch.int64 if sample.get("dtype") == "int64" else torch.float64
    x = torch.tensor(sample["values"], dtype=dtype).reshape(sample["shape"])
    with torch.no_grad():
        model.double()
        output = model(x)
    results[entry["name"]] = {
        "keys": sorted(model.state_dict().keys()),
        "output": {"shape": list(output.shape), "values": output.detach().double().flatten().tolist()},
    }

print(json.dumps({"torch": torch.__version__, "models": results}))
