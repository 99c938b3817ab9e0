"""Writes the twin's state dict with torch.save, for LayerDsl's PyTorchWeights.Load to read.

usage: save_state_dict.py FOLDER
Writes FOLDER/twin.pt (torch.save's zip format), FOLDER/twin-legacy.pt (the format before PyTorch 1.6) and
FOLDER/twin.json: every state-dict entry, an input and the twin's output for it.
"""
import os
import sys

import torch

from twin import Twin, tensor_json, write_json

folder = sys.argv[1]
torch.manual_seed(3)
model = Twin()
# Running statistics away from 0 and 1, and a counter, as a trained model has.
model.train()
for _ in range(3):
    model(torch.randn(16, 1, 8, 8) * 2 + 1)
model.eval()

torch.save(model.state_dict(), os.path.join(folder, "twin.pt"))
torch.save(model.state_dict(), os.path.join(folder, "twin-legacy.pt"), _use_new_zipfile_serialization=False)

x = torch.randn(3, 1, 8, 8)
with torch.no_grad():
    y = model(x)
write_json(os.path.join(folder, "twin.json"), {
    "torch": torch.__version__,
    "state": {key: tensor_json(value.float()) for key, value in model.state_dict().items()},
    "input": tensor_json(x),
    "output": tensor_json(y),
})
