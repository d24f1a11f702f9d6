"""Datasets and batches, drawn exactly as the app draws them (lib/runtime/batches.ts, with philox.py).

A dataset is a folder (data/<id>/): dataset.json beside one IDX image file
and one IDX label file per split. Images are unsigned bytes [n, h, w] or
[n, h, w, c], opened memory-mapped: one that fits is moved to the training
device once (as floats where those fit), a larger one stays in its file and
each chunk of batches reads its rows and lets the pages go, so a dataset
larger than memory trains in bounded memory. Batches scale bytes to [0, 1]
or [-1, 1] through a table of the 256 values the app computes (float64,
rounded to float32).

Every draw is a function of its position (iteration, draw) in its source's
stream, so samplers compute many positions in one vectorised call:
`draws(iterations, draws, rows)` gives each port's values as a tensor
[positions, ...] on loop.DEVICE. `TrainingDraws` serves a training loop from
chunks of iterations computed ahead.
"""

import json
import mmap
import os
from dataclasses import dataclass

import numpy as np
import torch

from . import loop, philox

#: About this many values are drawn per chunk of iterations: large enough that numpy's per-call cost vanishes at batch 1, small enough to stay in cache.
CHUNK_VALUES = 1 << 17
#: At most this many iterations per chunk.
CHUNK_ITERATIONS = 256
#: A dataset moves onto a GPU when its bytes take at most this share of the free memory.
RESIDENT_SHARE = 0.25
#: On the host, a dataset of at most this many bytes is read into memory; a larger one stays in its file and each chunk
#: of batches reads its rows (memory-mapped, the pages let go after each read), so a dataset larger than memory trains
#: in bounded memory.
HOST_BYTES = 1 << 30


def release(array):
    """Lets the kernel drop the pages of a memory-mapped array from this process (they stay in the page cache and in the file)."""
    mapped = getattr(array, "_mmap", None) or getattr(getattr(array, "base", None), "_mmap", None)
    if mapped is not None and hasattr(mapped, "madvise") and hasattr(mmap, "MADV_DONTNEED"):
        mapped.madvise(mmap.MADV_DONTNEED)


@dataclass
class Dataset:
    count: int
    height: int
    width: int
    channels: int
    images: np.ndarray  # uint8 [count, height * width * channels], memory-mapped
    labels: np.ndarray  # uint8 [count]
    classes: int


def read_idx(path):
    """An IDX file of unsigned bytes: its dimensions and its data, memory-mapped (copy-on-write, so torch may wrap it)."""
    with open(path, "rb") as f:
        head = f.read(4)
        if len(head) < 4 or head[0] != 0 or head[1] != 0:
            raise ValueError(f"{path}: not an IDX file (bad magic number)")
        if head[2] != 0x08:
            raise ValueError(f"{path}: element type 0x{head[2]:x} is not supported (expected unsigned bytes)")
        rank = head[3]
        raw = f.read(4 * rank)
    if len(raw) < 4 * rank:
        raise ValueError(f"{path}: the header is cut short")
    dims = [int.from_bytes(raw[4 * i : 4 * i + 4], "big") for i in range(rank)]
    header = 4 + 4 * rank
    expected = int(np.prod(dims))
    size = os.path.getsize(path) - header
    if size != expected:
        raise ValueError(f"{path}: header says {'x'.join(map(str, dims))}, the file has {size} values")
    data = np.memmap(path, dtype=np.uint8, mode="c", offset=header, shape=(expected,)) if expected else np.zeros(0, dtype=np.uint8)
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
    labels = np.array(labels)
    if labels.size and int(labels.max()) >= manifest["classes"]:
        raise ValueError(f"{split}-labels.idx: a label is not below the {manifest['classes']} classes")
    return Dataset(count, h, w, c, images.reshape(count, h * w * c), labels, manifest["classes"])


class ImageBatches:
    """A dataset in mini-batches, epoch by epoch like TF1's mnist.train.next_batch.

    Row r of draw k in iteration i is item p = (i * draws_per_iteration + k) * rows + r of the sequence that visits
    every item once per epoch, epoch e in the order of the permutation drawn at (e, 0).
    """

    def __init__(self, data, value_range, key, draws_per_iteration=1):
        self.data, self.key, self.per_iteration = data, key, draws_per_iteration
        scale, shift = (1 / 255, 0.0) if value_range == "0..1" else (2 / 255, -1.0)
        self._table = (np.arange(256, dtype=np.float64) * scale + shift).astype(np.float32)
        self._orders = {}
        self._device = None
        self.values_per_row = data.height * data.width * data.channels + data.classes

    def _order(self, epoch):
        order = self._orders.get(epoch)
        if order is None:
            order = philox.permutation(self.key, epoch, 0, self.data.count)
            if len(self._orders) >= 2:
                del self._orders[next(iter(self._orders))]
            self._orders[epoch] = order
        return order

    def _place(self):
        """Where batches are gathered from (decided once): floats or bytes on the device when they fit there, else the file."""
        if self._device is None:
            images = self.data.images
            table = torch.from_numpy(self._table).to(loop.DEVICE)
            room = torch.cuda.mem_get_info(loop.DEVICE)[0] * RESIDENT_SHARE if loop.DEVICE.type == "cuda" else HOST_BYTES
            floats = bytes_ = None
            # Pixels as floats (4 bytes each) where they fit: batches are then plain gathers; else bytes, converted per batch.
            if 4 * images.size <= room:
                floats = torch.empty(images.shape, dtype=torch.float32, device=loop.DEVICE)
            elif images.size <= room:
                bytes_ = torch.empty(images.shape, dtype=torch.uint8, device=loop.DEVICE)
            # Moved a slice at a time, each slice's pages let go: the file is never all in this process's memory.
            for start in range(0, images.shape[0] if floats is not None or bytes_ is not None else 0, 4096):
                part = torch.from_numpy(np.array(images[start : start + 4096])).to(loop.DEVICE)
                if floats is not None:
                    floats[start : start + 4096] = table[part.long()]
                else:
                    bytes_[start : start + 4096] = part
                release(images)
            self._device = {
                "floats": floats,
                "bytes": bytes_,
                "labels": torch.from_numpy(self.data.labels.astype(np.int64)).to(loop.DEVICE),
                "table": table,
                "eye": torch.eye(self.data.classes, dtype=torch.float32, device=loop.DEVICE),
            }
        return self._device

    def _write(self, indices):
        """Images and one-hot labels of the items at `indices` (int64 numpy, any shape) on the device."""
        placed = self._place()
        flat = np.ascontiguousarray(indices).reshape(-1)
        on_device = torch.from_numpy(flat).to(loop.DEVICE, non_blocking=True)
        if placed["floats"] is not None:
            images = placed["floats"][on_device]
        else:
            if placed["bytes"] is not None:
                rows = placed["bytes"][on_device]
            else:
                # Streamed: the rows read from the file in index order, then its pages let go.
                rows = torch.from_numpy(self.data.images[flat]).to(loop.DEVICE, non_blocking=True)
                release(self.data.images)
            images = placed["table"][rows.long()]
        shape = indices.shape
        return {"images": images.reshape(*shape, -1), "labels": placed["eye"][placed["labels"][on_device]].reshape(*shape, -1)}

    def draws(self, iterations, draws, rows):
        """Rows of the draws at the given positions: images [positions, rows * size] and labels [positions, rows * classes]."""
        iterations = np.asarray(iterations, dtype=np.int64).reshape(-1, 1)
        draws = np.asarray(draws, dtype=np.int64).reshape(-1, 1)
        items = (iterations * self.per_iteration + draws) * rows + np.arange(rows, dtype=np.int64)
        epochs = items // self.data.count
        indices = np.empty_like(items)
        for epoch in np.unique(epochs):
            where = epochs == epoch
            indices[where] = self._order(int(epoch))[items[where] - epoch * self.data.count]
        return self._write(indices.reshape(len(iterations), rows))

    def fixed(self, count):
        """The first items (from the start again when the dataset has fewer): images [count, size], labels [count, classes]."""
        return {port: values[0] for port, values in self._write((np.arange(count) % self.data.count).reshape(1, count)).items()}


class NoiseBatches:
    """Uniform(low, high) or normal(mean, stddev) noise on port z, one draw per batch item or one shared."""

    def __init__(self, spec, key):
        self.spec, self.key = spec, key
        self.size = int(np.prod(spec["shape"]))
        self.values_per_row = self.size

    def draws(self, iterations, draws, rows):
        spec = self.spec
        count = rows * self.size if spec["perSample"] else self.size
        if spec["distribution"] == "uniform":
            values = philox.uniforms(self.key, iterations, draws, count, spec["low"], spec["high"])
        else:
            values = philox.normals(self.key, iterations, draws, count, spec["mean"], spec["stddev"])
        return {"z": torch.from_numpy(values).to(loop.DEVICE, non_blocking=True)}


class LabelBatches:
    """One-hot class labels: a random class per row for training, in class order for previews (one grid row per class)."""

    def __init__(self, spec, key):
        self.classes, self.key = spec["classes"], key
        self.chosen = spec["class"] if spec["mode"] == "class" else None
        self.values_per_row = self.classes

    def _one_hot(self, classes):
        eye = torch.eye(self.classes, dtype=torch.float32, device=loop.DEVICE)
        return eye[torch.as_tensor(classes, dtype=torch.int64, device=loop.DEVICE)]

    def draws(self, iterations, draws, rows):
        iterations, draws = np.asarray(iterations).reshape(-1), np.asarray(draws).reshape(-1)
        if self.chosen is not None:
            classes = np.full((iterations.size, rows), self.chosen, dtype=np.int64)
        else:
            classes = philox.categorical(self.key, iterations, draws, rows, self.classes)
        return {"labels": self._one_hot(classes).reshape(iterations.size, -1)}

    def fixed(self, count):
        if self.chosen is not None:
            return {"labels": self._one_hot([self.chosen] * count).reshape(-1)}
        return {"labels": self._one_hot([(row * self.classes) // count for row in range(count)]).reshape(-1)}


def draw_at(sampler, iteration, draw, rows):
    """One draw of a sampler: each port's values, flat."""
    return {port: values[0] for port, values in sampler.draws([iteration], [draw], rows).items()}


def preview_batch(sampler, count):
    """The fixed batch previews read: the sampler's own (a dataset's first items), else its draw at (0, 0)."""
    return sampler.fixed(count) if getattr(sampler, "fixed", None) else draw_at(sampler, 0, 0, count)


class TrainingDraws:
    """A source's training draws, served from chunks of iterations computed ahead in one vectorised call each.

    Every draw is a function of its position, so computing ahead changes no value; a chunk holds about
    CHUNK_VALUES values, so a small batch takes many iterations per call and a large one a few.
    """

    def __init__(self, sampler, draws_per_iteration):
        self.sampler, self.per_iteration = sampler, draws_per_iteration
        self.start, self.length, self.rows, self.values = 0, 0, None, None

    def __call__(self, iteration, draw, rows):
        """Draw `draw` of iteration `iteration`: each port's values, flat."""
        if rows != self.rows or not self.start <= iteration < self.start + self.length:
            per_iteration = max(1, self.per_iteration * rows * self.sampler.values_per_row)
            self.length = max(1, min(CHUNK_ITERATIONS, CHUNK_VALUES // per_iteration))
            self.start, self.rows = iteration, rows
            iterations, draws = philox.positions(np.arange(iteration, iteration + self.length), np.arange(self.per_iteration))
            self.values = self.sampler.draws(iterations, draws, rows)
        at = (iteration - self.start) * self.per_iteration + draw
        return {port: values[at] for port, values in self.values.items()}
