"""Datasets and batches, drawn exactly as the app draws them (see rng.py).

A dataset is a folder (data/<id>/): dataset.json beside one IDX image file
and one IDX label file per split. Images are unsigned bytes [n, h, w] or
[n, h, w, c]; batches scale them to [0, 1] or [-1, 1] in float64 and store
float32, like the app's Float32Arrays.
"""

import json
import os
from dataclasses import dataclass

import numpy as np
import torch

from .rng import seed_int

#: --native-rng: noise from torch's generator (seeded by the stream's name) instead of the app's, much faster in bulk;
#: the app's losses are then no longer reproduced, only their statistics.
NATIVE_RNG = False


@dataclass
class Dataset:
    count: int
    height: int
    width: int
    channels: int
    images: np.ndarray  # uint8 [count, height * width * channels]
    labels: np.ndarray  # uint8 [count]
    classes: int


def read_idx(path):
    """An IDX file of unsigned bytes: its dimensions and data."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic number)")
    if raw[2] != 0x08:
        raise ValueError(f"{path}: element type 0x{raw[2]:x} is not supported (expected unsigned bytes)")
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
    header = 4 + 4 * rank
    data = np.frombuffer(raw, dtype=np.uint8, offset=header)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: header says {'x'.join(map(str, dims))}, the file has {data.size} values")
    return dims, data


def load_dataset(data_dir, dataset_id, split):
    """One split of the dataset folder data_dir/<id>/, checked against its manifest."""
    folder = os.path.join(data_dir, dataset_id)
    manifest_path = os.path.join(folder, "dataset.json")
    if not os.path.exists(manifest_path):
        raise FileNotFoundError(f"{os.path.abspath(manifest_path)} is missing: --data must name a folder holding {dataset_id}/ (as the exported project's data/ does)")
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    count = manifest["splits"].get(split)
    if count is None:
        raise ValueError(f"dataset \"{manifest['name']}\" has no {split} split")
    dims, images = read_idx(os.path.join(folder, f"{split}-images.idx"))
    label_dims, labels = read_idx(os.path.join(folder, f"{split}-labels.idx"))
    h, w, c = manifest["height"], manifest["width"], manifest["channels"]
    if dims[0] != count or int(np.prod(dims[1:])) != h * w * c:
        raise ValueError(f"{split}-images.idx: {'x'.join(map(str, dims))} does not match the manifest ({count} x {h} x {w} x {c})")
    if label_dims != [count]:
        raise ValueError(f"{split}-labels.idx: {label_dims} labels for {count} images")
    if labels.size and int(labels.max()) >= manifest["classes"]:
        raise ValueError(f"{split}-labels.idx: a label is not below the {manifest['classes']} classes")
    return Dataset(count, h, w, c, images.reshape(count, h * w * c), labels, manifest["classes"])


class ImageBatches:
    """A dataset shuffled into mini-batches epoch by epoch (Fisher-Yates), like TF1's mnist.train.next_batch."""

    def __init__(self, data, value_range, rng):
        self.data = data
        self.scale, self.shift = (1 / 255, 0.0) if value_range == "0..1" else (2 / 255, -1.0)
        self.random = rng.random
        self.order = list(range(data.count))
        self.cursor = data.count

    def _write(self, indices):
        images = (self.data.images[indices].astype(np.float64) * self.scale + self.shift).astype(np.float32)
        labels = np.zeros((len(indices), self.data.classes), dtype=np.float32)
        labels[np.arange(len(indices)), self.data.labels[indices]] = 1
        return {"images": images, "labels": labels}

    def _reshuffle(self):
        order, random = self.order, self.random
        for i in range(len(order) - 1, 0, -1):
            j = int(random() * (i + 1))
            order[i], order[j] = order[j], order[i]
        self.cursor = 0

    def next(self, batch_size):
        picked = []
        for _ in range(batch_size):
            if self.cursor >= self.data.count:
                self._reshuffle()
            picked.append(self.order[self.cursor])
            self.cursor += 1
        return self._write(np.array(picked, dtype=np.int64))

    def fixed(self, count):
        """The first items (from the start again when the dataset has fewer)."""
        return self._write(np.arange(count) % self.data.count)


class NoiseBatches:
    """Uniform(low, high) or normal(mean, stddev) noise on port z, one draw per batch item or one shared."""

    def __init__(self, spec, rng):
        self.spec = spec
        self.size = int(np.prod(spec["shape"]))
        self.native = torch.Generator().manual_seed(seed_int(rng.seed)) if NATIVE_RNG else None
        if spec["distribution"] == "uniform":
            low, span = spec["low"], spec["high"] - spec["low"]
            self.one = lambda: low + span * rng.random()
        else:
            mean, stddev = spec["mean"], spec["stddev"]
            self.one = lambda: mean + stddev * rng.normal()

    def next(self, batch_size):
        count = batch_size * self.size if self.spec["perSample"] else self.size
        if self.native is not None:
            spec = self.spec
            if spec["distribution"] == "uniform":
                values = spec["low"] + (spec["high"] - spec["low"]) * torch.rand(count, generator=self.native, dtype=torch.float64)
            else:
                values = spec["mean"] + spec["stddev"] * torch.randn(count, generator=self.native, dtype=torch.float64)
            return {"z": values.float().numpy()}
        one = self.one
        return {"z": np.array([one() for _ in range(count)], dtype=np.float64).astype(np.float32)}

    fixed = None


class LabelBatches:
    """One-hot class labels: a random class per row for training, in class order for previews (one grid row per class)."""

    def __init__(self, spec, rng):
        self.classes = spec["classes"]
        self.chosen = spec["class"] if spec["mode"] == "class" else None
        self.random = rng.random

    def _one_hot(self, classes):
        labels = np.zeros((len(classes), self.classes), dtype=np.float32)
        labels[np.arange(len(classes)), classes] = 1
        return {"labels": labels}

    def next(self, count):
        if self.chosen is not None:
            return self._one_hot([self.chosen] * count)
        k = self.classes
        return self._one_hot([min(k - 1, int(self.random() * k)) for _ in range(count)])

    def fixed(self, count):
        if self.chosen is not None:
            return self._one_hot([self.chosen] * count)
        return self._one_hot([(row * self.classes) // count for row in range(count)])


def fixed_batch(sampler, count):
    """A fixed draw for the grids: the sampler's first rows when it has them (a dataset), else one draw."""
    return sampler.fixed(count) if getattr(sampler, "fixed", None) else sampler.next(count)
