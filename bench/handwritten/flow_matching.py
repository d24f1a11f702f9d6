"""The flow-matching template written by hand in PyTorch: the same U-Net (five residual blocks of group norm, SiLU
and 3x3 convolutions with the time embedding beside their input, a 1x1 convolution on the skip; self-attention at
7x7), rectified flow's target (x_t = (1 - t) x0 + t eps, velocity eps - x0), Adam 2e-4, as a good engineer writes
it: NCHW modules, torch's initialisers and random numbers."""

import math

import torch
import torch.nn.functional as F
from torch import nn

from common import Batches, load_images, parse_args, train

EMBEDDING = 32


class ResBlock(nn.Module):
    def __init__(self, channels_in, channels_out):
        super().__init__()
        self.norm1 = nn.GroupNorm(8, channels_in)
        self.conv1 = nn.Conv2d(channels_in + EMBEDDING, channels_out, 3, padding=1)
        self.norm2 = nn.GroupNorm(8, channels_out)
        self.conv2 = nn.Conv2d(channels_out, channels_out, 3, padding=1)
        self.skip = nn.Conv2d(channels_in, channels_out, 1)

    def forward(self, x, embedding):
        h = F.silu(self.norm1(x))
        h = torch.cat([h, embedding[:, :, None, None].expand(-1, -1, *h.shape[2:])], dim=1)
        h = self.conv2(F.silu(self.norm2(self.conv1(h))))
        return h + self.skip(x)


class Attention(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.norm = nn.GroupNorm(8, channels)
        self.qkv = nn.Linear(channels, 3 * channels)
        self.out = nn.Linear(channels, channels)

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x).flatten(2).transpose(1, 2)).chunk(3, dim=-1)
        weights = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(c), dim=-1)
        return x + self.out(weights @ v).transpose(1, 2).reshape(b, c, h, w)


class UNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv_in = nn.Conv2d(1, 32, 3, padding=1)
        self.embed = nn.Sequential(nn.Linear(64, 128), nn.SiLU(), nn.Linear(128, EMBEDDING))
        self.down1, self.to_14 = ResBlock(32, 32), nn.Conv2d(32, 32, 3, stride=2, padding=1)
        self.down2, self.to_7 = ResBlock(32, 64), nn.Conv2d(64, 64, 3, stride=2, padding=1)
        self.mid, self.attention = ResBlock(64, 64), Attention(64)
        self.up1, self.up2 = ResBlock(128, 64), ResBlock(96, 32)
        self.out = nn.Sequential(nn.GroupNorm(8, 32), nn.SiLU(), nn.Conv2d(32, 1, 3, padding=1))
        frequencies = torch.exp(-math.log(10000) * torch.arange(32) / 32)
        self.register_buffer("frequencies", frequencies)

    def forward(self, x, t):
        angles = 1000 * t * self.frequencies
        e = self.embed(torch.cat([angles.cos(), angles.sin()], dim=1))
        d1 = self.down1(self.conv_in(x), e)
        d2 = self.down2(self.to_14(d1), e)
        m = self.attention(self.mid(self.to_7(d2), e))
        u1 = self.up1(torch.cat([F.interpolate(m, scale_factor=2), d2], dim=1), e)
        u2 = self.up2(torch.cat([F.interpolate(u1, scale_factor=2), d1], dim=1), e)
        return self.out(u2)


args = parse_args(batch_size=32)
device = torch.device(args.device)
images = load_images(args.images, device).reshape(-1, 1, 28, 28) * 2 - 1
model = UNet().to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-4)
batches = Batches(images, args.batch_size)


def iteration():
    x0 = batches.next()
    eps = torch.randn_like(x0)
    t = torch.rand(args.batch_size, 1, device=device)
    xt = (1 - t[:, :, None, None]) * x0 + t[:, :, None, None] * eps
    loss = F.mse_loss(model(xt, t), eps - x0)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    return {"loss": loss.detach()}


train(args, iteration)
