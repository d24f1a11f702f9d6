"""Netloom's checkpoint format, read and written as the app, the CLI and the TypeScript export do.

A folder with checkpoint.json (the tfjs weights manifest: each tensor's name,
shape and dtype; the iteration; each optimizer's update count; what the graph
trains) and weights.bin (the float32 values in that order, CRC-32 checked).
Weights are named `network/node/weight`, optimizer slots
`<optimizer node>/slot<k>` in Netloom's flat layout (see optim.py).
"""

import json
import os
import zlib

import numpy as np
import torch

FORMAT = "netloom-checkpoint"
MANIFEST = "checkpoint.json"
WEIGHTS = "weights.bin"


class Checkpoint:
    def __init__(self, manifest, tensors):
        self.manifest = manifest
        self.tensors = tensors

    @property
    def iteration(self):
        return self.manifest["iteration"]


def load(folder):
    """A checkpoint folder, checked: an error names the file and field that is wrong."""
    try:
        with open(os.path.join(folder, MANIFEST), encoding="utf-8") as f:
            manifest = json.load(f)
        with open(os.path.join(folder, WEIGHTS), "rb") as f:
            data = f.read()
    except (OSError, ValueError) as error:
        raise SystemExit(f"--resume {folder}: {error}")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or manifest.get("version") != 1:
        raise SystemExit(f"{MANIFEST}: not a Netloom checkpoint (format \"{FORMAT}\", version 1)")
    specs = manifest["weightsManifest"][0]["weights"]
    sizes = [int(np.prod(spec["shape"])) if spec["shape"] else 1 for spec in specs]
    if 4 * sum(sizes) != len(data):
        raise SystemExit(f"{WEIGHTS} has {len(data)} bytes; {MANIFEST} describes {4 * sum(sizes)}")
    crc = manifest.get("weightsCrc32")
    if crc is not None and zlib.crc32(data) != crc:
        raise SystemExit(f"{WEIGHTS} is damaged: its CRC-32 is {zlib.crc32(data)}, {MANIFEST} says {crc}")
    values = np.frombuffer(data, dtype="<f4")
    tensors, offset = {}, 0
    for spec, size in zip(specs, sizes):
        tensors[spec["name"]] = values[offset : offset + size].reshape(spec["shape"])
        offset += size
    return Checkpoint(manifest, tensors)


class Trained:
    """What a checkpoint saves and restores: the weights by name, the optimizers by node id, and what the graph trains."""

    def __init__(self, weights, optimizers, identity):
        self.weights = weights
        self.optimizers = optimizers
        self.identity = identity

    def _slots(self, optimizer):
        """The optimizer's slots in Netloom's layout: per group of parameters, per slot, one flat vector."""
        out = []
        for group in optimizer.slot_groups():
            for name, init in optimizer.slots:
                parts = [optimizer.state[p][name].detach().reshape(-1) if optimizer.state[p] else torch.full((p.numel(),), float(init), device=p.device) for p in group]
                out.append(torch.cat(parts).float().cpu().numpy())
        return out

    def save(self, folder, graph_name, iteration):
        tensors = [(name, p.detach().float().cpu().numpy()) for name, p in self.weights.items()]
        steps = {}
        for node, optimizer in self.optimizers.items():
            steps[node] = optimizer.t
            tensors += [(f"{node}/slot{k}", slot) for k, slot in enumerate(self._slots(optimizer))]
        data = b"".join(np.ascontiguousarray(values, dtype="<f4").tobytes() for _, values in tensors)
        manifest = {
            "format": FORMAT,
            "version": 1,
            "graph": graph_name,
            "iteration": iteration,
            "optimizerSteps": steps,
            "weightsManifest": [{"paths": [WEIGHTS], "weights": [{"name": name, "shape": list(values.shape), "dtype": "float32"} for name, values in tensors]}],
            "weightsCrc32": zlib.crc32(data),
            **self.identity,
        }
        os.makedirs(folder, exist_ok=True)
        # Written then renamed: an interrupted save leaves the previous checkpoint whole.
        for name, content, mode in ((WEIGHTS, data, "wb"), (MANIFEST, json.dumps(manifest, indent=2), "w")):
            with open(os.path.join(folder, name + ".part"), mode) as f:
                f.write(content)
        for name in (WEIGHTS, MANIFEST):
            os.replace(os.path.join(folder, name + ".part"), os.path.join(folder, name))

    def restore(self, checkpoint):
        """Every weight and optimizer slot from the checkpoint, after checking all of it fits; nothing changes otherwise."""
        tensors, manifest = checkpoint.tensors, checkpoint.manifest
        missing = [name for name in self.weights if name not in tensors]
        if missing:
            raise SystemExit(f"the checkpoint lacks weight(s) {', '.join(missing)}: it was saved from a different graph")
        for name, p in self.weights.items():
            if list(tensors[name].shape) != list(p.shape):
                raise SystemExit(f"weight \"{name}\" is {list(tensors[name].shape)} in the checkpoint but {list(p.shape)} here")
        for node, kind in self.identity["optimizerKinds"].items():
            saved = manifest.get("optimizerKinds", {}).get(node)
            if saved is not None and saved != kind:
                raise SystemExit(f"the checkpoint's optimizer \"{node}\" is {saved}, this graph's is {kind}: its state cannot continue another rule")
        structure = manifest.get("structure")
        if structure is not None and structure != self.identity["structure"]:
            raise SystemExit(f"the checkpoint was saved from a graph that trains other weights or optimizers (structure {structure}, this graph {self.identity['structure']})")
        assignments = []
        for node, optimizer in self.optimizers.items():
            own = self._slots(optimizer)
            saved = [tensors.get(f"{node}/slot{k}") for k in range(len(own))]
            if node not in manifest["optimizerSteps"] or any(s is None for s in saved):
                raise SystemExit(f"the checkpoint lacks the state of optimizer \"{node}\": it was saved from a different graph")
            for k, (slot, value) in enumerate(zip(own, saved)):
                if slot.size != value.size:
                    raise SystemExit(f"optimizer \"{node}\" slot {k} has {value.size} values in the checkpoint but {slot.size} here")
            assignments.append((optimizer, manifest["optimizerSteps"][node], saved))
        with torch.no_grad():
            for name, p in self.weights.items():
                p.copy_(torch.from_numpy(np.array(tensors[name])))
            for optimizer, step, saved in assignments:
                optimizer.t = step
                k = 0
                for group in optimizer.slot_groups():
                    for name, _ in optimizer.slots:
                        flat, offset = torch.from_numpy(np.array(saved[k])), 0
                        for p in group:
                            optimizer.state[p][name] = flat[offset : offset + p.numel()].reshape(p.shape).to(p.device)
                            offset += p.numel()
                        k += 1
