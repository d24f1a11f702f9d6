"""Netloom's one random generator, as the app computes it (lib/runtime/random.ts), vectorised with numpy.

Every value is a pure function of (seed, stream, iteration, draw, index):
Philox4x32-10 (Salmon et al., SC 2011) keyed by the FNV-1a 64-bit hash of
"{seed}:{stream}" (over UTF-16 code units), with the counter
(index // 4, iteration, draw, 0); value `index` is word index % 4 of the
output. Bits become floats in float64 and are rounded to float32 once:
uniforms low + (high - low) * bits / 2^32, normals by Box-Muller over the word
pairs (0, 1) and (2, 3), classes floor(bits * k / 2^32), permutations the
indices ordered by their bits (ties by index).

Because any draw can be computed directly, callers compute many iterations'
draws in one call (`positions`), which makes the per-call cost of numpy
negligible however small the batch.
"""

import numpy as np

_MULTIPLIERS = np.array([[0xD2511F53], [0xCD9E8D57]], dtype=np.uint64)
_WEYL = np.array([[0x9E3779B9], [0xBB67AE85]], dtype=np.uint64)
_ROUNDS = np.arange(10, dtype=np.uint64)[:, None, None]
_MASK64 = (1 << 64) - 1


def stream(seed, name):
    """The Philox key of the stream `name` under `seed`: FNV-1a, 64 bits, over the UTF-16 code units of "{seed}:{name}"."""
    text = f"{seed}:{name}".encode("utf-16-le", "surrogatepass")
    h = 0xCBF29CE484222325
    for i in range(0, len(text), 2):
        h = ((h ^ (text[i] | (text[i + 1] << 8))) * 0x100000001B3) & _MASK64
    return (h & 0xFFFFFFFF, h >> 32)


def philox4x32(counters, key):
    """Philox4x32-10 of counters (4, n) uint32 under key (k0, k1): the outputs (4, n) uint32."""
    keys = ((np.array([[key[0]], [key[1]]], dtype=np.uint64) + _ROUNDS * _WEYL) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    x = np.ascontiguousarray(counters, dtype=np.uint32)
    y = np.empty_like(x)
    n = x.shape[1]
    for r in range(10):
        # Words 0 and 2 times their multipliers, 64 bits each: the low and high words, as uint32 views.
        products = np.multiply(x[0::2], _MULTIPLIERS, dtype=np.uint64).view(np.uint32).reshape(2, n, 2)
        np.bitwise_xor(products[::-1, :, 1], x[1::2], out=y[0::2])
        y[0::2] ^= keys[r]
        y[1::2] = products[::-1, :, 0]
        x, y = y, x
    return x


def positions(iterations, draws):
    """Draw positions as two flat arrays: every (iteration, draw) pair of the given ones, iteration-major."""
    iterations = np.asarray(iterations, dtype=np.int64).reshape(-1)
    draws = np.asarray(draws, dtype=np.int64).reshape(-1)
    return np.repeat(iterations, draws.size), np.tile(draws, iterations.size)


def bits(key, iterations, draws, count, start=0):
    """Words `start` to `start + count` of each draw at the positions (iterations[i], draws[i]): uint32 [positions, count]."""
    iterations = np.asarray(iterations, dtype=np.int64).reshape(-1)
    draws = np.asarray(draws, dtype=np.int64).reshape(-1)
    first, last = start // 4, (start + count - 1) // 4
    blocks = max(0, last - first + 1)
    counters = np.zeros((4, iterations.size, blocks), dtype=np.uint32)
    counters[0] = np.arange(first, first + blocks, dtype=np.uint32)
    counters[1] = (iterations & 0xFFFFFFFF).astype(np.uint32)[:, None]
    counters[2] = (draws & 0xFFFFFFFF).astype(np.uint32)[:, None]
    out = philox4x32(counters.reshape(4, -1), key)
    words = out.T.reshape(iterations.size, blocks * 4)
    offset = start - 4 * first
    return words[:, offset : offset + count]


def uniforms(key, iterations, draws, count, low=0.0, high=1.0):
    """Uniform floats in [low, high): float32 [positions, count]."""
    return (low + (high - low) * (bits(key, iterations, draws, count) * 2.0**-32)).astype(np.float32)


def normals(key, iterations, draws, count, mean=0.0, stddev=1.0):
    """Normal floats by Box-Muller over word pairs: float32 [positions, count]."""
    words = bits(key, iterations, draws, count + (count & 1))
    pairs = words.reshape(words.shape[0], -1, 2)
    radius = np.sqrt(-2 * np.log((pairs[:, :, 0] + 1.0) * 2.0**-32))
    angle = 2 * np.pi * (pairs[:, :, 1] * 2.0**-32)
    values = np.empty(pairs.shape, dtype=np.float64)
    np.multiply(radius, np.cos(angle), out=values[:, :, 0])
    np.multiply(radius, np.sin(angle), out=values[:, :, 1])
    return (mean + stddev * values.reshape(words.shape[0], -1)[:, :count]).astype(np.float32)


def categorical(key, iterations, draws, count, classes):
    """A class in 0..classes-1 per value: int64 [positions, count]."""
    return (bits(key, iterations, draws, count).astype(np.uint64) * np.uint64(classes) >> np.uint64(32)).astype(np.int64)


def permutation(key, iteration, draw, n):
    """A permutation of 0..n-1: the indices ordered by their bits, ties by index (int64)."""
    return np.argsort(bits(key, [iteration], [draw], n)[0], kind="stable")


def weight_stream(seed, name):
    """A weight's initial values draw from the stream "weight:network/node/weight"."""
    return stream(seed, f"weight:{name}")


def source_stream(seed, purpose, source):
    """A data source's stream for one purpose: "train", "preview", "samples" or "evaluation"."""
    return stream(seed, f"{purpose}:{source}")


class DrawSite:
    """Where a random layer draws in one training forward pass: the seed, the path of call nodes down to it, the iteration and the round of a repeated step."""

    __slots__ = ("seed", "path", "iteration", "round")

    def __init__(self, seed, path, iteration, round_=0):
        self.seed, self.path, self.iteration, self.round = seed, path, iteration, round_

    def at_round(self, round_):
        return DrawSite(self.seed, self.path, self.iteration, round_)

    def below(self, node):
        return DrawSite(self.seed, f"{self.path}/{node}", self.iteration, self.round)

    def stream(self):
        return stream(self.seed, f"layer:{self.path}")


#: The site of evaluations (grids, samples, scores), where random layers draw nothing.
EVALUATION_SITE = DrawSite(0, "", 0)
