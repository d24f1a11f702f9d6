"""The layers and losses of Netloom's node kinds, as the app computes them (TF1's formulas), on PyTorch tensors.

Tensors keep the app's layouts: images [b, h, w, c] (channels last), dense
kernels [in, out]; checkpoints and initial weights are the app's.
"""

import torch
import torch.nn.functional as F


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
    per_item = positive - logits + tail if label == 1 else positive + tail
    return per_item.mean()


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
