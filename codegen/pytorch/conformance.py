"""Runs kinds' PyTorch forms on given inputs and weights, for the PyTorch target's conformance harness (conformance.ts).

Usage: python conformance.py CASES.json  (run from a folder holding netloom/). Prints one JSON list: per case, each output's
shape and values, or the error that stopped it."""

import json
import sys

import torch

from netloom import diffusion, ops, philox  # noqa: F401  (the forms call them)


def tensor(spec):
    return torch.tensor(spec["values"], dtype=torch.float32).reshape(spec["shape"])


results = []
for case in json.load(open(sys.argv[1])):
    try:
        scope = {"diffusion": diffusion, "ops": ops, "philox": philox, "torch": torch}
        scope["inputs"] = {port: tensor(spec) for port, spec in case["inputs"].items()}
        scope["weights"] = {name: tensor(spec) for name, spec in case["weights"].items()}
        outputs = {}
        for port, code in case["code"].items():
            got = eval(code, scope)
            outputs[port] = {"shape": list(got.shape), "values": got.detach().reshape(-1).tolist()}
        results.append({"outputs": outputs})
    except Exception as e:  # reported with its case, as the other targets' harnesses report theirs
        results.append({"error": f"{type(e).__name__}: {e}"})
print(json.dumps(results))
