"""The vanilla GAN seed (002) written by hand in PyTorch: G z(100)-128-784 sigmoid, D 784-128-1 logit,
D trained by Adadelta, G by Adam (TF1's defaults), each step with its own noise."""

import torch
from torch import nn

from common import Batches, load_images, parse_args, train

args = parse_args(batch_size=128)
device = torch.device(args.device)
images = load_images(args.images, device)
G = nn.Sequential(nn.Linear(100, 128), nn.ReLU(), nn.Linear(128, 784), nn.Sigmoid()).to(device)
D = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 1)).to(device)
d_optimizer = torch.optim.Adadelta(D.parameters(), lr=0.001, rho=0.95, eps=1e-8)
g_optimizer = torch.optim.Adam(G.parameters(), lr=0.001, betas=(0.9, 0.999), eps=1e-8)
loss = nn.BCEWithLogitsLoss()
batches = Batches(images, args.batch_size)
ones = torch.ones(args.batch_size, 1, device=device)
zeros = torch.zeros(args.batch_size, 1, device=device)


def noise():
    return torch.rand(args.batch_size, 100, device=device) * 2 - 1


def iteration():
    x = batches.next()
    d_loss = loss(D(x), ones) + loss(D(G(noise()).detach()), zeros)
    d_optimizer.zero_grad(set_to_none=True)
    d_loss.backward()
    d_optimizer.step()
    g_loss = loss(D(G(noise())), ones)
    g_optimizer.zero_grad(set_to_none=True)
    g_loss.backward()
    g_optimizer.step()
    return {"D_loss": d_loss.detach(), "G_loss": g_loss.detach()}


train(args, iteration)
