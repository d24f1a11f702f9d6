"""Initial weights, as the app draws them: each weight from its own stream (see philox.py)."""

import math

import numpy as np

from . import philox


def initial_value(init, shape, fans, key):
    """The initial value of a weight: `init` as the plan gives it, float32 of `shape`, drawn from the stream `key`."""
    count = int(np.prod(shape)) if len(shape) else 1
    kind = init["kind"]
    if kind == "zeros":
        values = np.zeros(count, dtype=np.float32)
    elif kind == "ones":
        values = np.ones(count, dtype=np.float32)
    elif kind == "xavier-normal":
        values = philox.normals(key, [0], [0], count, 0.0, 1 / math.sqrt(fans["fanIn"] / 2))[0]
    elif kind == "glorot-uniform":
        limit = math.sqrt(6 / (fans["fanIn"] + fans["fanOut"]))
        values = philox.uniforms(key, [0], [0], count, -limit, limit)[0]
    elif kind == "normal":
        values = philox.normals(key, [0], [0], count, init["mean"], init["stddev"])[0]
    else:
        raise ValueError(f"unknown initialiser {kind}")
    return np.ascontiguousarray(values, dtype=np.float32).reshape(shape)
