"""Runs LayerDsl's PyTorch twins of its runtime modules (Generator/PyTorch/*.py) on cases written by the C# tests.

usage: twin_modules.py REQUEST_JSON
REQUEST_JSON: {"sources": [twin .py files], "cases": [{"name", "construct", "weights", "input", "output", "double"}]}.
The twins are executed after exactly the prologue of a generated PyTorchSource, as one module. For every case the
constructor expression is evaluated there (converted to float64 with "double"), the twin's state-dict keys and shapes
are recorded, the weights (torch.save format) are loaded with strict=True, and the input file's "input" tensor is run in
evaluation and in training mode; the outputs are saved to the case's output file as "eval" and "train".
Prints one JSON line: the torch version, every twin's constructor parameters ([name, has default, default, kind]) and
per case the twin's state-dict keys and shapes before loading.
"""
import ast
import collections
import inspect
import json
import os
import sys

import torch

PROLOGUE = "import math\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"


def check_source(path, text):
    """A twin file holds exactly one class, named after the file, and no imports: it is pasted after the prologue."""
    tree = ast.parse(text, path)
    expected = os.path.splitext(os.path.basename(path))[0]
    statements = [node for node in tree.body if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]
    if len(statements) != 1 or not isinstance(statements[0], ast.ClassDef) or statements[0].name != expected:
        sys.exit(f"{path}: must define exactly one class, {expected}, and nothing else at the top level")
    imports = [node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    if imports:
        sys.exit(f"{path}: line {imports[0].lineno} imports; the twins may use only the prologue's math, torch, nn and F")


def main():
    with open(sys.argv[1], encoding="utf-8") as file:
        request = json.load(file)
    texts, classes = [], []
    for path in request["sources"]:
        with open(path, encoding="utf-8") as file:
            text = file.read()
        check_source(path, text)
        texts.append(text)
        classes.append(os.path.splitext(os.path.basename(path))[0])
    namespace = {"__name__": "layerdsl_twins"}
    exec(compile(PROLOGUE + "\n\n".join(texts), "twins", "exec"), namespace)

    report = {"torch": torch.__version__, "signatures": {}, "cases": []}
    for name in classes:
        parameters = list(inspect.signature(namespace[name].__init__).parameters.values())[1:]
        report["signatures"][name] = [
            [p.name, p.default is not p.empty, None if p.default is p.empty else p.default, p.kind.name] for p in parameters]
    for case in request["cases"]:
        model = eval(case["construct"], namespace)
        if case.get("double"):
            model = model.double()
        state = [[key, list(value.shape)] for key, value in model.state_dict().items()]
        model.load_state_dict(torch.load(case["weights"]), strict=True)
        x = torch.load(case["input"])["input"]
        outputs = collections.OrderedDict()
        with torch.no_grad():
            model.eval()
            outputs["eval"] = model(x).contiguous().clone()
            model.train()
            outputs["train"] = model(x).contiguous().clone()
        torch.save(outputs, case["output"])
        report["cases"].append({"name": case["name"], "state": state})
    print(json.dumps(report))


main()
