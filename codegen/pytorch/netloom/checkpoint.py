"""Netloom's checkpoint format, read and written as the app, the CLI and the TypeScript export do.

A folder with checkpoint.json (the tfjs weights manifest: each tensor's name,
shape and dtype; the iteration; each optimizer's update count; what the graph
trains) and weights.bin (the float32 values in that order). `weightsCrc32` is
the CRC-32 of weights.bin and (version 2) `crc32` that of the canonical
manifest (sorted keys, no spaces, ASCII, every field but `crc32`) followed by
weights.bin, so a damaged or edited file is refused; a CRC is no signature
(whoever edits a file on purpose can compute it again). Version 1 is still
read. Every refusal is one line naming the file and the field, the same as
lib/runtime/checkpoint.ts says it; never a traceback. Weights are named
`network/node/weight`, optimizer slots `<optimizer node>/slot<k>` in
Netloom's flat layout (see optim.py).

A save writes weights.bin.part, then checkpoint.json.part (once that is whole
the save counts), then renames both into place; `recover` finishes or rolls
back a save that a kill interrupted, and every save and load runs it first.
"""

import json
import math
import os
import zlib

import numpy as np
import torch

FORMAT = "netloom-checkpoint"
VERSION = 2
MANIFEST = "checkpoint.json"
WEIGHTS = "weights.bin"
#: As lib/runtime/checkpoint.ts: the most iterations, optimizer updates per iteration, manifest bytes and dimensions.
MAX_ITERATION = 1_000_000_000
MAX_STEPS_PER_ITERATION = 1_000
MAX_MANIFEST_BYTES = 64 * 2**20
MAX_RANK = 8
TOP_FIELDS = ("format", "version", "graph", "iteration", "optimizerSteps", "weightsManifest", "weightsCrc32", "crc32", "structure", "optimizerKinds")


class CheckpointError(Exception):
    """Why a checkpoint is refused: one line, naming the file (and field) at fault."""


class Checkpoint:
    def __init__(self, manifest, tensors, folder=None):
        self.manifest = manifest
        self.tensors = tensors
        self.folder = folder

    @property
    def iteration(self):
        return self.manifest["iteration"]


def _show(value):
    """A value as a refusal quotes it: JSON, on one line, short."""
    try:
        text = "nothing" if value is _MISSING else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError, RecursionError):
        text = "[…]" if isinstance(value, list) else "{…}" if isinstance(value, dict) else type(value).__name__
    text = text.replace("\n", "\\n")
    return text[:40] + "…" if len(text) > 40 else text


_MISSING = object()


def _whole(value, most):
    """The value as an int when it is a whole number from 0 to `most` (JSON's 1.0 counts, True does not), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        value = int(value)
    if isinstance(value, int) and 0 <= value <= most and value <= 2**53 - 1:
        return value
    return None


def _check_manifest(raw):
    """The manifest with every field checked and normalised (version 2 allows no other field), or CheckpointError `field: problem`."""

    def refuse(message):
        raise CheckpointError(f"{MANIFEST}: {message}")

    if not isinstance(raw, dict):
        refuse(f"expected a JSON object, got {_show(raw)}")
    get = lambda key: raw.get(key, _MISSING)  # noqa: E731
    if raw.get("format") != FORMAT:
        refuse(f'format: expected "{FORMAT}", got {_show(get("format"))}')
    version = get("version")
    if isinstance(version, bool) or version not in (1, 2):
        refuse(f"version: expected 1 or 2, got {_show(version)}")
    strict = version == 2
    unknown = [key for key in raw if key not in TOP_FIELDS]
    if strict and unknown:
        refuse(f"{_show(unknown[0])}: not a field of a checkpoint")
    if not isinstance(raw.get("graph"), str):
        refuse(f"graph: expected a string, got {_show(get('graph'))}")
    iteration = _whole(get("iteration"), MAX_ITERATION)
    if iteration is None:
        refuse(f"iteration: expected a whole number from 0 to {MAX_ITERATION}, got {_show(get('iteration'))}")
    steps_raw = get("optimizerSteps")
    if not isinstance(steps_raw, dict):
        refuse(f"optimizerSteps: expected an object, got {_show(steps_raw)}")
    steps = {}
    most = iteration * MAX_STEPS_PER_ITERATION
    for node, step in steps_raw.items():
        steps[node] = _whole(step, most)
        if steps[node] is None:
            refuse(f"optimizerSteps.{_show(node)}: expected a whole number from 0 to {most} ({MAX_STEPS_PER_ITERATION} per iteration), got {_show(step)}")
    structure = get("structure")
    if structure is not _MISSING and not isinstance(structure, str):
        refuse(f"structure: expected a string, got {_show(structure)}")
    kinds = get("optimizerKinds")
    if kinds is not _MISSING:
        if not isinstance(kinds, dict):
            refuse(f"optimizerKinds: expected an object, got {_show(kinds)}")
        for node, kind in kinds.items():
            if not isinstance(kind, str):
                refuse(f"optimizerKinds.{_show(node)}: expected a name, got {_show(kind)}")
        unmatched = [n for n in steps if n not in kinds] + [n for n in kinds if n not in steps]
        if unmatched:
            refuse(f"optimizerSteps and optimizerKinds name different optimizers ({_show(unmatched[0])} is in one only)")
    groups = get("weightsManifest")
    if not isinstance(groups, list) or len(groups) != 1 or not isinstance(groups[0], dict):
        refuse("weightsManifest: expected one group")
    group = groups[0]
    if strict and any(key not in ("paths", "weights") for key in group):
        refuse("weightsManifest.0: expected only paths and weights")
    if group.get("paths") != [WEIGHTS]:
        refuse(f'weightsManifest.0.paths: expected ["{WEIGHTS}"], got {_show(group.get("paths", _MISSING))}')
    weights = group.get("weights", _MISSING)
    if not isinstance(weights, list):
        refuse(f"weightsManifest.0.weights: expected a list, got {_show(weights)}")
    names, specs = set(), []
    for i, spec in enumerate(weights):
        at = f"weightsManifest.0.weights.{i}"
        if not isinstance(spec, dict):
            refuse(f"{at}: expected an object, got {_show(spec)}")
        if strict and any(key not in ("name", "shape", "dtype") for key in spec):
            refuse(f"{at}: expected only name, shape and dtype")
        name = spec.get("name", _MISSING)
        if not isinstance(name, str) or not name:
            refuse(f"{at}.name: expected a name, got {_show(name)}")
        if name in names:
            refuse(f"{at}.name: {_show(name)} appears twice")
        names.add(name)
        shape = spec.get("shape", _MISSING)
        sizes = [_whole(d, 2**31 - 1) for d in shape] if isinstance(shape, list) and len(shape) <= MAX_RANK else [None]
        if any(d is None for d in sizes):
            refuse(f"{at}.shape: expected a list of at most {MAX_RANK} sizes, got {_show(shape)}")
        if spec.get("dtype") != "float32":
            refuse(f'{at}.dtype: expected "float32", got {_show(spec.get("dtype", _MISSING))}')
        specs.append({"name": name, "shape": sizes, "dtype": "float32"})
    weights_crc = _whole(get("weightsCrc32"), 2**32 - 1)
    if weights_crc is None:
        refuse(f"weightsCrc32: expected the CRC-32 of {WEIGHTS} (a whole number below 2^32), got {_show(get('weightsCrc32'))}")
    crc = _whole(get("crc32"), 2**32 - 1)
    if strict and crc is None:
        refuse(f"crc32: expected the CRC-32 of the manifest and {WEIGHTS} (a whole number below 2^32), got {_show(get('crc32'))}")
    manifest = {
        "format": FORMAT,
        "version": int(version),
        "graph": raw["graph"],
        "iteration": iteration,
        "optimizerSteps": steps,
        "weightsManifest": [{"paths": [WEIGHTS], "weights": specs}],
        "weightsCrc32": weights_crc,
    }
    if strict:
        manifest["crc32"] = crc
    if structure is not _MISSING:
        manifest["structure"] = structure
    if kinds is not _MISSING:
        manifest["optimizerKinds"] = dict(kinds)
    return manifest


def canonical_json(value):
    """Sorted keys, no spaces, ASCII only: what lib/runtime/checkpoint.ts's canonicalJson writes, byte for byte."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def checkpoint_crc(manifest, data):
    """Version 2's `crc32`: the canonical manifest without it, then the weights."""
    rest = {key: value for key, value in manifest.items() if key != "crc32"}
    return zlib.crc32(data, zlib.crc32(canonical_json(rest).encode("ascii")))


def parse(text, data):
    """A manifest (JSON text) and its weights, checked whole: the manifest, or CheckpointError naming the file and field."""
    if len(text) > MAX_MANIFEST_BYTES:
        raise CheckpointError(f"{MANIFEST} has {len(text)} characters; a checkpoint's manifest has at most {MAX_MANIFEST_BYTES}")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise CheckpointError(f"{MANIFEST} is not JSON ({str(error).splitlines()[0] if str(error) else type(error).__name__})") from None
    manifest = _check_manifest(raw)
    expected = sum(4 * math.prod(spec["shape"]) for spec in manifest["weightsManifest"][0]["weights"])
    if expected != len(data):
        raise CheckpointError(f"{WEIGHTS} has {len(data)} bytes; {MANIFEST} describes {expected}")
    if zlib.crc32(data) != manifest["weightsCrc32"]:
        raise CheckpointError(f"{WEIGHTS} is damaged: its CRC-32 is {zlib.crc32(data)}, {MANIFEST} says {manifest['weightsCrc32']}")
    if manifest["version"] == 2 and checkpoint_crc(manifest, data) != manifest["crc32"]:
        raise CheckpointError(f"{MANIFEST} was changed after it was written: its crc32 ({manifest['crc32']}) does not match its fields and {WEIGHTS} ({checkpoint_crc(manifest, data)})")
    return manifest


def _read(path, mode):
    with open(path, mode, **({"encoding": "utf-8"} if mode == "r" else {})) as f:
        return f.read()


def recover(folder):
    """Finishes a save that a kill interrupted once its manifest was whole (renaming it into place), else removes what it left: "finished", "rolled back" or None."""
    at = lambda name: os.path.join(folder, name)  # noqa: E731
    try:
        text = _read(at(MANIFEST + ".part"), "r")
    except (OSError, ValueError):
        text = None
    if text is not None:
        for weights in (WEIGHTS + ".part", WEIGHTS):
            try:
                parse(text, _read(at(weights), "rb"))
            except (OSError, CheckpointError):
                continue
            # Under torchrun every process loads: another may have renamed or removed a file first.
            if weights != WEIGHTS:
                _quietly(os.replace, at(weights), at(WEIGHTS))
            _quietly(os.replace, at(MANIFEST + ".part"), at(MANIFEST))
            return "finished"
    left = text is not None or os.path.exists(at(WEIGHTS + ".part"))
    for name in (MANIFEST + ".part", WEIGHTS + ".part"):
        _quietly(os.remove, at(name))
    return "rolled back" if left else None


def _quietly(action, *paths):
    """A rename or removal whose file may already be gone (done by another process)."""
    try:
        action(*paths)
    except FileNotFoundError:
        pass


def load(folder):
    """A checkpoint folder, checked: a refusal exits with one line naming the folder's file and what is wrong, never a traceback."""
    try:
        recover(folder)
        try:
            text, data = _read(os.path.join(folder, MANIFEST), "r"), _read(os.path.join(folder, WEIGHTS), "rb")
        except (OSError, ValueError) as error:
            raise CheckpointError(f"not a checkpoint folder ({type(error).__name__}: {error})") from None
        manifest = parse(text, data)
        values = np.frombuffer(data, dtype="<f4")
        tensors, offset = {}, 0
        for spec in manifest["weightsManifest"][0]["weights"]:
            size = math.prod(spec["shape"])
            tensors[spec["name"]] = values[offset : offset + size].reshape(spec["shape"])
            offset += size
        return Checkpoint(manifest, tensors, folder)
    except CheckpointError as error:
        named = f"{folder.rstrip('/')}/{error}" if str(error).startswith((MANIFEST, WEIGHTS)) else f"{folder}: {error}"
        raise SystemExit(f"--resume {named}") from None
    except Exception as error:  # noqa: BLE001 - whatever else a file can do, one line, not a traceback
        raise SystemExit(f"--resume {folder}: not a readable checkpoint ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})") from None


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
            "version": VERSION,
            "graph": graph_name,
            "iteration": iteration,
            "optimizerSteps": steps,
            "weightsManifest": [{"paths": [WEIGHTS], "weights": [{"name": name, "shape": list(values.shape), "dtype": "float32"} for name, values in tensors]}],
            "weightsCrc32": zlib.crc32(data),
            **self.identity,
        }
        manifest["crc32"] = checkpoint_crc(manifest, data)
        os.makedirs(folder, exist_ok=True)
        recover(folder)
        # Weights, then the manifest that makes the save count, then both renamed: a save killed at any point is finished or rolled back by `recover`.
        for name, content, mode in ((WEIGHTS, data, "wb"), (MANIFEST, json.dumps(manifest, indent=2), "w")):
            with open(os.path.join(folder, name + ".part"), mode) as f:
                f.write(content)
        for name in (WEIGHTS, MANIFEST):
            os.replace(os.path.join(folder, name + ".part"), os.path.join(folder, name))

    def restore(self, checkpoint):
        """Every weight and optimizer slot from the checkpoint, after checking all of it fits; nothing changes otherwise. A refusal exits with one line."""
        try:
            self._restore(checkpoint)
        except CheckpointError as error:
            raise SystemExit(f"--resume {checkpoint.folder}: {error}") from None
        except Exception as error:  # noqa: BLE001 - one line, never a traceback
            raise SystemExit(f"--resume {checkpoint.folder}: the checkpoint does not fit this graph ({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})") from None

    def _restore(self, checkpoint):
        tensors, manifest = checkpoint.tensors, checkpoint.manifest
        listed = lambda names: ", ".join(names[:5] + ([f"and {len(names) - 5} more"] if len(names) > 5 else []))  # noqa: E731
        missing = [name for name in self.weights if name not in tensors]
        if missing:
            raise CheckpointError(f"the checkpoint lacks weight(s) {listed(missing)}: it was saved from a different graph")
        own = set(self.weights) | {f"{node}/slot{k}" for node, optimizer in self.optimizers.items() for k in range(len(self._slots(optimizer)))}
        foreign = [name for name in tensors if name not in own]
        if foreign:
            raise CheckpointError(f"the checkpoint holds {listed(foreign)}, which this graph does not train: it was saved from a different graph")
        strangers = [node for node in manifest["optimizerSteps"] if node not in self.optimizers]
        if strangers:
            raise CheckpointError(f"the checkpoint holds the state of optimizer(s) {listed(strangers)}, which this graph does not have: it was saved from a different graph")
        for name, p in self.weights.items():
            if list(tensors[name].shape) != list(p.shape):
                raise CheckpointError(f"weight \"{name}\" is [{', '.join(map(str, tensors[name].shape))}] in the checkpoint but [{', '.join(map(str, p.shape))}] here")
        for node, kind in self.identity["optimizerKinds"].items():
            saved = manifest.get("optimizerKinds", {}).get(node)
            if saved is not None and saved != kind:
                raise CheckpointError(f"the checkpoint's optimizer \"{node}\" is {saved}, this graph's is {kind}: its state cannot continue another rule")
        assignments = []
        for node, optimizer in self.optimizers.items():
            own_slots = self._slots(optimizer)
            saved = [tensors.get(f"{node}/slot{k}") for k in range(len(own_slots))]
            if node not in manifest["optimizerSteps"] or any(s is None for s in saved):
                raise CheckpointError(f"the checkpoint lacks the state of optimizer \"{node}\": it was saved from a different graph")
            for k, (slot, value) in enumerate(zip(own_slots, saved)):
                if slot.size != value.size:
                    raise CheckpointError(f"optimizer \"{node}\" slot {k} has {value.size} values in the checkpoint but {slot.size} here")
            assignments.append((optimizer, manifest["optimizerSteps"][node], saved))
        structure = manifest.get("structure")
        if structure is not None and structure != self.identity["structure"]:
            raise CheckpointError(f"the checkpoint was saved from a graph that trains other weights or optimizers (structure {structure}, this graph {self.identity['structure']})")
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
