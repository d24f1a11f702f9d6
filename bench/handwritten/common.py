"""What the hand-written PyTorch programs share: MNIST from an IDX file, the command line, the timing line.

Idiomatic PyTorch as a good engineer writes it for these models: the training images as one float tensor on
the device, a fresh randperm per epoch, torch.rand for noise, nn.Sequential models and torch.optim.
"""

import argparse
import json
import time

import numpy as np
import torch


def parse_args(batch_size):
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", required=True, help="MNIST's train-images IDX file")
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--log-every", type=int, default=100)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    return parser.parse_args()


def load_images(path, device):
    with open(path, "rb") as f:
        raw = f.read()
    count, rows, cols = (int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(3))
    pixels = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(count, rows * cols)
    return torch.from_numpy(pixels.astype(np.float32) / 255).to(device)


class Batches:
    """Shuffled mini-batches, epoch by epoch."""

    def __init__(self, images, batch_size):
        self.images, self.batch_size = images, batch_size
        self.order, self.cursor = None, len(images)

    def next(self):
        if self.cursor + self.batch_size > len(self.images):
            self.order, self.cursor = torch.randperm(len(self.images), device=self.images.device), 0
        index = self.order[self.cursor : self.cursor + self.batch_size]
        self.cursor += self.batch_size
        return self.images[index]


def train(args, iteration):
    """Runs `iteration()` args.iterations times, printing JSON lines like Netloom's: {"step", "losses", "itPerSec"}."""
    start = time.perf_counter()
    window = 0
    for step in range(args.iterations):
        losses = iteration()
        window += 1
        if step % args.log_every == 0 or step == args.iterations - 1:
            values = {name: value.item() for name, value in losses.items()}
            now = time.perf_counter()
            print(json.dumps({"step": step, "losses": values, "itPerSec": window / (now - start)}), flush=True)
            start, window = now, 0
