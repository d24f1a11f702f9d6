"""The layers and losses of Netloom's node kinds, as the app computes them (TF1's formulas), on PyTorch tensors.

Tensors keep the app's layouts: images [b, h, w, c] (channels last), dense
kernels [in, out]; checkpoints and initial weights are the app's.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F

from . import loop
from . import philox


def activate(x, fn, alpha=0.2):
    if fn == "linear":
        return x
    if fn == "relu":
        return torch.relu(x)
    if fn == "leaky-relu":
        return F.leaky_relu(x, alpha)
    if fn == "sigmoid":
        return torch.sigmoid(x)
    if fn == "tanh":
        return torch.tanh(x)
    if fn == "silu":
        return F.silu(x)
    raise ValueError(f"unknown activation {fn}")


def dense(x, kernel, bias, activation):
    """activation(x W + b), W as [in, out]."""
    y = x @ kernel
    return activate(y if bias is None else y + bias, activation)


def concat(values, broadcast=False):
    """Joins along the last axis; with broadcast, vectors [b, n] are tiled over images' height and width first."""
    image = next((v for v in values if v.dim() == 4), None) if broadcast else None
    if image is not None:
        values = [v.reshape(-1, 1, 1, v.shape[1]).expand(-1, image.shape[1], image.shape[2], -1) if v.dim() == 2 else v for v in values]
    return torch.cat(values, dim=-1)


def reparameterize(mean, logvar, eps):
    return eps * torch.sqrt(torch.exp(logvar)) + mean


def sigmoid_cross_entropy(logits, label):
    """TF1's numerically stable sigmoid_cross_entropy_with_logits against a constant label, batch mean."""
    positive = torch.relu(logits)
    tail = torch.log1p(torch.exp(-torch.abs(logits)))
    if label == 1:
        per_item = positive - logits + tail
    elif label == 0:
        per_item = positive + tail
    else:
        per_item = positive - logits * label + tail
    return per_item.mean()


def binary_cross_entropy(logits, target, reduction):
    """Cross-entropy of sigmoid(logits) against targets in [0, 1], stably from the logits, averaged or summed."""
    per_value = torch.relu(logits) - logits * target + torch.log1p(torch.exp(-torch.abs(logits)))
    return per_value.mean() if reduction == "mean" else per_value.sum()


def log_loss(p, label, epsilon):
    """tf.losses.log_loss against a constant label."""
    inner = p + epsilon if label == 1 else (1 - p) + epsilon
    return -torch.log(inner).mean()


def mse(prediction, target, reduction):
    squared = (prediction - target).square()
    return squared.mean() if reduction == "mean" else squared.sum()


def gaussian_kl(mean, logvar, epsilon, reduction):
    """0.5 * sum(mean^2 + std^2 - 2 log(std + eps) - 1), std = sqrt(exp(logvar)): the VAE seed's KL term."""
    std = torch.sqrt(torch.exp(logvar))
    terms = mean.square() + std.square() - 2 * torch.log(std + epsilon) - 1
    total = 0.5 * terms.sum()
    return total if reduction == "sum" else total / mean.shape[0]


def _same_padding(size, kernel, stride):
    """TF's SAME padding along one axis: (before, after), the odd one after."""
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def conv2d(x, kernel, bias, stride, padding, activation):
    """NHWC convolution with a [k, k, in, out] kernel and TF's SAME or VALID padding."""
    k = kernel.shape[0]
    y = x.permute(0, 3, 1, 2)
    pad = (0, 0)
    if padding == "SAME":
        top, bottom = _same_padding(y.shape[2], k, stride)
        left, right = _same_padding(y.shape[3], k, stride)
        if top == bottom and left == right:
            # Symmetric (stride 1, odd kernels): the convolution pads, which spares a copy and runs a quarter faster.
            pad = (top, left)
        else:
            y = F.pad(y, (left, right, top, bottom))
    y = F.conv2d(y, kernel.permute(3, 2, 0, 1), stride=stride, padding=pad).permute(0, 2, 3, 1)
    return activate(y if bias is None else y + bias, activation)


def conv2d_transpose(x, kernel, bias, stride, padding, activation, out_size):
    """TF's conv2d_transpose: the adjoint of a SAME or VALID convolution, kernel [k, k, out, in], output [b, *out_size, out]."""
    k = kernel.shape[0]
    full = F.conv_transpose2d(x.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1), stride=stride)
    height, width = out_size
    top = _same_padding(height, k, stride)[0] if padding == "SAME" else 0
    left = _same_padding(width, k, stride)[0] if padding == "SAME" else 0
    # Crop the padding away; pad with zeros where the kernel is smaller than the stride.
    full = F.pad(full, (0, max(0, left + width - full.shape[3]), 0, max(0, top + height - full.shape[2])))
    y = full[:, :, top : top + height, left : left + width].permute(0, 2, 3, 1)
    return activate(y if bias is None else y + bias, activation)


def max_pool(x, size, stride, padding):
    """NHWC max pooling; SAME pads with -inf as TF does."""
    y = x.permute(0, 3, 1, 2)
    if padding == "SAME":
        top, bottom = _same_padding(y.shape[2], size, stride)
        left, right = _same_padding(y.shape[3], size, stride)
        y = F.pad(y, (left, right, top, bottom), value=-math.inf)
    return F.max_pool2d(y, size, stride).permute(0, 2, 3, 1)


def _interpolation(in_size, out_size, align_corners, half_pixel_centers):
    """tfjs's bilinear weights along one axis: entry [i, p] is how much output i takes from input p."""
    ratio = (in_size - 1) / (out_size - 1) if align_corners and out_size > 1 else in_size / out_size
    weights = np.zeros((out_size, in_size), dtype=np.float32)
    for i in range(out_size):
        source = ratio * (i + 0.5) - 0.5 if half_pixel_centers else ratio * i
        low = max(0, math.floor(source))
        high = min(in_size - 1, math.ceil(source))
        weights[i, low] += 1 - (source - low)
        weights[i, high] += source - low
    return weights


def resize_bilinear(x, size, align_corners, half_pixel_centers):
    """tf.image.resizeBilinear on NHWC images, as one matrix per axis."""
    rows = torch.from_numpy(_interpolation(x.shape[1], size[0], align_corners, half_pixel_centers)).to(x.device)
    columns = torch.from_numpy(_interpolation(x.shape[2], size[1], align_corners, half_pixel_centers)).to(x.device)
    return torch.einsum("ph,bhwc,qw->bpqc", rows, x, columns)


def upsample(x, factor):
    """Nearest-neighbour upsampling of NHWC images by a whole factor: each pixel copied to a factor x factor block, by index rather than by a scaled float coordinate."""
    b, h, w, c = x.shape
    return x[:, :, None, :, None, :].expand(b, h, factor, w, factor, c).reshape(b, h * factor, w * factor, c)


def _batch_axes(x):
    """Every axis but the last (the features, or a convolution's channels): what batch norm averages over."""
    return tuple(range(x.dim() - 1))


def batch_norm(x, gamma, beta, moving_mean, moving_variance, epsilon, training):
    """tf.layers.batch_normalization: the batch's mean and biased variance while training, the moving ones otherwise."""
    if training:
        mean = x.mean(dim=_batch_axes(x))
        variance = x.var(dim=_batch_axes(x), unbiased=False)
    else:
        mean, variance = moving_mean, moving_variance
    return (x - mean) / torch.sqrt(variance + epsilon) * gamma + beta


def moving(statistic, x, current, momentum):
    """A moving statistic after a training batch: momentum * moving + (1 - momentum) * the batch's mean (or biased variance)."""
    x = x.detach()
    batch = x.mean(dim=_batch_axes(x)) if statistic == "mean" else x.var(dim=_batch_axes(x), unbiased=False)
    return current * momentum + batch * (1 - momentum)


def group_norm(x, gamma, beta, groups, epsilon):
    """torch.nn.GroupNorm over the last axis (the channels) of [b, ..., c]: statistics per item and per group of channels."""
    # PyTorch's CPU group norm is several times slower on channels-last strides; the copies to and from NCHW cost less.
    return F.group_norm(x.movedim(-1, 1).contiguous(), groups, gamma, beta, epsilon).movedim(1, -1).contiguous()


def interpolate(a, b, t):
    """t a + (1 - t) b, t [b, 1] broadcast over each item's values."""
    each = t.reshape([t.shape[0]] + [1] * (a.dim() - 1))
    return each * a + (1 - each) * b


def gradient_penalty(g):
    """WGAN-GP: mean over the batch of (||g|| - 1)^2, the norm over each item's values (its square root kept off 0)."""
    norm = torch.sqrt(g.reshape(g.shape[0], -1).square().sum(dim=1) + 1e-12)
    return (norm - 1).square().mean()


def dropout(x, rate, site):
    """Inverted dropout with the app's mask: a value stays when its 32-bit draw at the layer's site is at least rate * 2^32, scaled by 1 / (1 - rate).

    Under torchrun each process takes its own rows of the draw for the whole batch.
    """
    count = x.numel()
    bits = philox.bits(site.stream(), [site.iteration], [site.round], count, loop.RANK * count)[0]
    scale = np.float32(1 / (1 - rate))
    mask = np.where(bits >= math.floor(rate * 2**32 + 0.5), scale, np.float32(0)).astype(np.float32)
    return x * torch.from_numpy(mask).reshape(x.shape).to(x.device)


def drop_rows(x, rate, site):
    """Whole rows zeroed with the app's draws (one per row at the layer's site), unscaled: classifier-free guidance's unconditioned rows.

    Under torchrun each process takes its own rows of the draw for the whole batch.
    """
    rows = x.shape[0]
    bits = philox.bits(site.stream(), [site.iteration], [site.round], rows, loop.RANK * rows)[0]
    mask = np.where(bits >= math.floor(rate * 2**32 + 0.5), np.float32(1), np.float32(0)).astype(np.float32)
    return x * torch.from_numpy(mask).reshape(rows, *([1] * (x.dim() - 1))).to(x.device)


def _time_frequencies(half, max_period):
    """exp(-ln(max_period) i / half) for i < half, in float64 then float32, as the app computes them (its ops.timeFrequencies)."""
    return np.array([math.exp(-math.log(max_period) * i / half) for i in range(half)], dtype=np.float64).astype(np.float32)


def time_embedding(t, dim, max_period, scale):
    """DDPM's sinusoidal timestep embedding: t [b, 1] -> [cos(t scale f), sin(t scale f)] [b, dim], cosines first (guided-diffusion)."""
    frequencies = torch.from_numpy(_time_frequencies(dim // 2, max_period)).to(t.device)
    args = (t * scale) * frequencies
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


def self_attention(x, qkv_kernel, qkv_bias, out_kernel, out_bias, heads):
    """Self-attention between the positions of NHWC feature maps (DDPM's AttnBlock without norm and residual).

    q, k, v = x Wqkv + bqkv ([c, 3c], channels head after head), per head softmax(q k^T / sqrt(c / heads)) v, then x' Wout + bout.
    """
    rows, height, width, channels = x.shape
    positions, depth = height * width, channels // heads
    qkv = x.reshape(rows * positions, channels) @ qkv_kernel + qkv_bias
    q, k, v = (part.reshape(rows, positions, heads, depth).transpose(1, 2) for part in qkv.chunk(3, dim=1))
    weights = torch.softmax((q * (1 / math.sqrt(depth))) @ k.transpose(2, 3), dim=-1)
    joined = (weights @ v).transpose(1, 2).reshape(rows * positions, channels)
    return (joined @ out_kernel + out_bias).reshape(rows, height, width, channels)
