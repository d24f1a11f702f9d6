"""Initial weights, bit for bit as tfjs draws them for the same seed (see rng.py)."""

import math

import numpy as np

from .rng import Alea


def _gauss(mean, stddev, seed, count):
    """tfjs's randomNormal: Marsaglia's polar method over seedrandom.alea(str(seed))."""
    random = Alea(str(seed))
    out = np.empty(count, dtype=np.float64)
    i = 0
    while i < count:
        while True:
            v1 = 2 * random() - 1
            v2 = 2 * random() - 1
            s = v1 * v1 + v2 * v2
            if 0 < s < 1:
                break
        mul = math.sqrt(-2.0 * math.log(s) / s)
        out[i] = mean + stddev * v1 * mul
        if i + 1 < count:
            out[i + 1] = mean + stddev * v2 * mul
        i += 2
    return out


def _uniform(low, high, seed, count):
    """tfjs's randomUniform: low + (high - low) * alea()."""
    random = Alea(str(seed))
    span = high - low
    return np.array([low + span * random() for _ in range(count)], dtype=np.float64)


def initial_value(init, shape, fans, seed):
    """The initial value of a weight: `init` as the plan gives it, float32 of `shape`."""
    count = int(np.prod(shape)) if len(shape) else 1
    kind = init["kind"]
    if kind == "zeros":
        values = np.zeros(count)
    elif kind == "ones":
        values = np.ones(count)
    elif kind == "xavier-normal":
        values = _gauss(0, 1 / math.sqrt(fans["fanIn"] / 2), seed, count)
    elif kind == "glorot-uniform":
        limit = math.sqrt(6 / (fans["fanIn"] + fans["fanOut"]))
        values = _uniform(-limit, limit, seed, count)
    elif kind == "normal":
        values = _gauss(init["mean"], init["stddev"], seed, count)
    else:
        raise ValueError(f"unknown initialiser {kind}")
    return values.astype(np.float32).reshape(shape)
