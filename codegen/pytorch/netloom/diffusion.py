"""Diffusion and flow matching as the app computes them (lib/runtime/diffusion.ts), in PyTorch.

One schedule table of K + 1 knots (signal_k, noise_k) describes the forward
process: x_t = signal(t) x0 + noise(t) eps, linear between knots. DDPM's
linear and cosine schedules have T + 1 knots (sqrt(abar_k), sqrt(1 - abar_k))
at the integer timesteps; rectified flow is the straight line from (1, 0) to
(0, 1) over continuous times in [0, 1]. Training noises data along it
(forward_noise) and samplers step along it (sample), from the same table.
"""

import math

import numpy as np
import torch

from . import loop, philox

COSINE_OFFSET = 0.008
MAX_BETA = 0.999


def schedule_table(spec):
    """The table's knots, float32 [K + 1, 2], computed in float64 and rounded once."""
    if spec["type"] == "flow":
        return np.array([[1, 0], [0, 1]], dtype=np.float32)
    steps = spec["steps"]

    def f(t):
        return math.cos(((t / steps + COSINE_OFFSET) / (1 + COSINE_OFFSET)) * (math.pi / 2)) ** 2

    def beta(i):
        if spec["type"] == "linear":
            return spec["betaStart"] + ((spec["betaEnd"] - spec["betaStart"]) * (i - 1)) / max(1, steps - 1)
        return min(1 - f(i) / f(i - 1), MAX_BETA)

    table = np.empty((steps + 1, 2), dtype=np.float32)
    abar = 1.0
    for k in range(steps + 1):
        if k > 0:
            abar *= 1 - beta(k)
        table[k] = (math.sqrt(abar), math.sqrt(1 - abar))
    return table


def is_continuous(knots):
    """A table of one interval is a straight line (rectified flow), sampled at any times."""
    return knots == 2


def _interpolate(table, t):
    """(signal, noise) per row at positions t [b, 1], and their slope: each [b, 2]; a knot's values exactly at a knot."""
    intervals = table.shape[0] - 1
    index = torch.clamp(torch.floor(t), 0, intervals - 1)
    fraction = t - index
    flat = index.to(torch.int64).reshape(-1)
    low, high = table[flat], table[flat + 1]
    return low * (1 - fraction) + high * fraction, high - low


def _column(pairs, c, rank):
    return pairs[:, c : c + 1].reshape(-1, *([1] * (rank - 1)))


def forward_noise(x0, eps, t, table):
    """x_t = signal(t) x0 + noise(t) eps, and its velocity dx_t/dt."""
    value, slope = _interpolate(table, t)
    rank = x0.dim()
    xt = _column(value, 0, rank) * x0 + _column(value, 1, rank) * eps
    velocity = _column(slope, 0, rank) * x0 + _column(slope, 1, rank) * eps
    return xt, velocity


def sampler_positions(intervals, steps):
    """N positions from the most noised, evenly spaced down from K (trailing spacing), then 0."""
    if is_continuous(intervals + 1):
        positions = [(steps - i) / steps for i in range(steps)]
    else:
        positions = [(intervals * (steps - i)) // steps for i in range(steps)]
    return positions + [0]


def _knot(table, position):
    intervals = len(table) - 1
    k = min(max(math.floor(position), 0), intervals - 1)
    f = position - k
    a0, b0 = table[k]
    a1, b1 = table[k + 1]
    return a0 * (1 - f) + a1 * f, b0 * (1 - f) + b1 * f, a1 - a0, b1 - b0


#: Rows the denoiser runs at once while sampling, as the app slices them (its values are held until a step ends).
DENOISE_ROWS = 32


def _denoise_in_slices(denoise, args):
    rows = args[0].shape[0]
    if rows <= DENOISE_ROWS:
        return denoise(args)
    return torch.cat([denoise([a[start : start + DENOISE_ROWS] for a in args]) for start in range(0, rows, DENOISE_ROWS)])


def sampler_noise(seed, purpose, node, iteration=0):
    """Where a sampler node draws its fresh noise: the stream "<purpose>:sampler:/<node>" at `iteration`."""
    return philox.source_stream(seed, purpose, f"sampler:/{node}"), iteration


def sample(denoise, noise, schedule, labels, spec, draws):
    """Iterative generation from `noise`, as the app's sample(): DDIM's update (eta 1: DDPM's ancestral step) or Euler steps, with classifier-free guidance where conditional."""
    table = [(float(a), float(b)) for a, b in schedule.detach().cpu().tolist()]
    positions = sampler_positions(len(table) - 1, spec["steps"])
    rows = noise.shape[0]
    features = noise.numel() // rows
    eta = 1 if spec["method"] == "ddpm" else 0
    guided = labels is not None and spec["guidance"] != 1
    key, iteration = draws
    x = noise.clone()
    for i in range(spec["steps"]):
        t, s = positions[i], positions[i + 1]
        a, b, da, db = _knot(table, t)
        a_s, b_s, _, _ = _knot(table, s)
        times = torch.full((rows, 1), t, dtype=torch.float32, device=x.device)
        if guided:
            both = _denoise_in_slices(denoise, [torch.cat([x, x]), torch.cat([times, times]), torch.cat([labels, torch.zeros_like(labels)])])
            conditioned, unconditioned = torch.split(both, rows)
            out = unconditioned + (conditioned - unconditioned) * spec["guidance"]
        else:
            out = _denoise_in_slices(denoise, [x, times, labels] if labels is not None else [x, times])
        if spec["prediction"] == "eps":
            eps = out
            x0 = (x - out * b) * (1 / a)
        else:
            det = a * db - b * da
            x0 = (x * db - out * b) * (1 / det)
            eps = (out * a - x * da) * (1 / det)
        if spec["clip"]:
            x0 = torch.clamp(x0, -1, 1)
            eps = (x - x0 * a) * (1 / b)
        if spec["method"] == "euler":
            x = x + (x0 * da + eps * db) * (s - t)
            continue
        sigma = eta * (b_s / b) * math.sqrt(max(0.0, 1 - (a * a) / (a_s * a_s)))
        kept = math.sqrt(max(0.0, b_s * b_s - sigma * sigma))
        mean = x0 * a_s + eps * kept
        if sigma == 0:
            x = mean
            continue
        z = torch.from_numpy(philox.normals(key, [iteration], [i], rows * features)[0]).to(x.device).reshape(x.shape)
        x = mean + z * sigma
    return x


class TimestepBatches:
    """A timestep per row on port t: an integer uniform in 1..steps, or a continuous time uniform in [0, 1)."""

    values_per_row = 1

    def __init__(self, spec, key):
        self.spec, self.key = spec, key

    def draws(self, iterations, draws, rows):
        if self.spec["mode"] == "continuous":
            values = philox.uniforms(self.key, iterations, draws, rows)
        else:
            values = (philox.categorical(self.key, iterations, draws, rows, self.spec["steps"]) + 1).astype(np.float32)
        return {"t": torch.from_numpy(values).to(loop.DEVICE, non_blocking=True)}


class ScheduleBatches:
    """The schedule's table on port schedule, the same for every draw."""

    values_per_row = 1

    def __init__(self, spec):
        self.table = torch.from_numpy(schedule_table(spec).reshape(-1))

    def draws(self, iterations, draws, rows):
        positions = np.asarray(iterations).reshape(-1).size
        return {"schedule": self.table.to(loop.DEVICE).reshape(1, -1).expand(positions, -1)}
