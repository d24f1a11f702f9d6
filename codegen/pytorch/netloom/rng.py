"""Netloom's random streams, bit for bit as the app draws them.

The app seeds every stream with seedrandom's Alea (a string seed per data
source, per weight) and draws normals with Box-Muller (noise) or tfjs's
Marsaglia polar method (initial weights). These are the same algorithms in
Python's float64, so an exported project starts from the same weights and
sees the same data order and noise as training in the app.
"""

import math

import numpy as np

TWO_32 = 4294967296.0
INV_TWO_32 = 2.3283064365386963e-10  # 2^-32


def _utf16_units(text):
    """The string's UTF-16 code units, as JavaScript's charCodeAt sees them (a lone surrogate, which JavaScript strings may hold, is its own unit)."""
    data = str(text).encode("utf-16-le", "surrogatepass")
    return [data[i] | (data[i + 1] << 8) for i in range(0, len(data), 2)]


class _Mash:
    def __init__(self):
        self.n = 0xEFC8249D

    def __call__(self, data):
        n = self.n
        for code in _utf16_units(data):
            n += code
            h = 0.02519603282416938 * n
            n = math.floor(h) % 4294967296  # h >>> 0
            h -= n
            h *= n
            n = math.floor(h) % 4294967296
            h -= n
            n += h * TWO_32
        self.n = n
        return (math.floor(n) % 4294967296) * INV_TWO_32


class Alea:
    """seedrandom.alea(seed): uniforms in [0, 1)."""

    def __init__(self, seed):
        mash = _Mash()
        self.c = 1
        self.s0 = mash(" ")
        self.s1 = mash(" ")
        self.s2 = mash(" ")
        self.s0 -= mash(seed)
        if self.s0 < 0:
            self.s0 += 1
        self.s1 -= mash(seed)
        if self.s1 < 0:
            self.s1 += 1
        self.s2 -= mash(seed)
        if self.s2 < 0:
            self.s2 += 1

    def __call__(self):
        t = 2091639 * self.s0 + self.c * INV_TWO_32
        self.s0 = self.s1
        self.s1 = self.s2
        self.c = int(t)  # t | 0: t is positive and below 2^31
        self.s2 = t - self.c
        return self.s2


class Rng:
    """A seeded generator of uniforms in [0, 1) and standard normals (Box-Muller, both values of each pair)."""

    def __init__(self, seed):
        self.seed = seed
        self._next = Alea(seed)
        self._spare = None

    def random(self):
        return self._next()

    def normal(self):
        if self._spare is not None:
            value, self._spare = self._spare, None
            return value
        u = 1 - self._next()
        v = self._next()
        radius = math.sqrt(-2 * math.log(u))
        self._spare = radius * math.sin(2 * math.pi * v)
        return radius * math.cos(2 * math.pi * v)


def _imul(a, b):
    """JavaScript's Math.imul: the low 32 bits of a * b, signed."""
    product = (a * b) & 0xFFFFFFFF
    return product - 0x100000000 if product & 0x80000000 else product


def seed_int(key):
    """A 31-bit integer seed derived from a string (FNV-1a over UTF-16 code units)."""
    h = 2166136261
    h = h - 0x100000000 if h & 0x80000000 else h
    for code in _utf16_units(key):
        h ^= code
        h = _imul(h, 16777619)
    return (h & 0xFFFFFFFF) & 0x7FFFFFFF


def stream_seed(seed, stream, source, resume_at=0):
    """The seed of a data source's stream: its training draws (after a resume, from that iteration on) or its preview draws."""
    resumed = f"@{resume_at}" if stream == "train" and resume_at else ""
    return f"{seed}{resumed}:{stream}:{source}"


def weight_seed(seed, name):
    """The initialiser seed of the weight named `network/node/weight`."""
    return seed_int(f"{seed}/{name}")


_M32 = np.uint64(0xFFFFFFFF)


def _lowbias32(x):
    """Chris Wellons' lowbias32 on an array of 32-bit values held in uint64 (products stay below 2^64)."""
    x = x ^ (x >> np.uint64(16))
    x = (x * np.uint64(0x7FEB352D)) & _M32
    x = x ^ (x >> np.uint64(15))
    x = (x * np.uint64(0x846CA68B)) & _M32
    return x ^ (x >> np.uint64(16))


def keyed_bits(key, count, start=0):
    """Random 24-bit integers `start` to `start + count` of a key's draws (a Weyl sequence through lowbias32), as the app's keyedBits."""
    base = _lowbias32(np.array([seed_int(key)], dtype=np.uint64))[0]
    index = np.arange(start, start + count, dtype=np.uint64)
    return (_lowbias32((base + index * np.uint64(0x9E3779B9)) & _M32) >> np.uint64(8)).astype(np.uint32)


def iteration_draw_key(seed, iteration):
    """A training iteration's key for the draws of random layers (dropout); calls extend it with layer_draw_key."""
    return f"{seed}:{iteration}"


def round_draw_key(draws, round_):
    """Round `round_` of a step repeated in an iteration draws masks of its own; round 0 keeps the iteration's key."""
    return draws if round_ == 0 else f"{draws}.{round_}"


def layer_draw_key(at, node):
    """The key `at` extended by a call or layer node: each call of a network draws its own mask."""
    return f"{at}/{node}"
