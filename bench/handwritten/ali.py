"""The ALI seed (000) written by hand in PyTorch: Q x-128-64, P z(64)-128-784 sigmoid, D(x, z) 848-128-1
sigmoid, Adam(1e-3) for D and for Q and P together; one x batch and one z batch per iteration."""

import torch
from torch import nn

from common import Batches, load_images, parse_args, train

args = parse_args(batch_size=32)
device = torch.device(args.device)
images = load_images(args.images, device)
Q = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64)).to(device)
P = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 784), nn.Sigmoid()).to(device)
D = nn.Sequential(nn.Linear(848, 128), nn.ReLU(), nn.Linear(128, 1), nn.Sigmoid()).to(device)
d_optimizer = torch.optim.Adam(D.parameters(), lr=0.001, eps=1e-8)
g_optimizer = torch.optim.Adam([*Q.parameters(), *P.parameters()], lr=0.001, eps=1e-8)
batches = Batches(images, args.batch_size)


def iteration():
    x = batches.next()
    z = torch.rand(args.batch_size, 64, device=device) * 2 - 1
    d_enc = D(torch.cat([x, Q(x)], 1))
    d_gen = D(torch.cat([P(z), z], 1))
    d_loss = -torch.mean(torch.log(d_enc + 1e-8) + torch.log(1 - d_gen + 1e-8))
    d_optimizer.zero_grad(set_to_none=True)
    d_loss.backward(inputs=list(D.parameters()))
    d_optimizer.step()
    # The G step sees D after its update, as the seed's second session run does.
    d_enc = D(torch.cat([x, Q(x)], 1))
    d_gen = D(torch.cat([P(z), z], 1))
    g_loss = -torch.mean(torch.log(d_gen + 1e-8) + torch.log(1 - d_enc + 1e-8))
    g_optimizer.zero_grad(set_to_none=True)
    g_loss.backward(inputs=[*Q.parameters(), *P.parameters()])
    g_optimizer.step()
    return {"D_loss": d_loss.detach(), "G_loss": g_loss.detach()}


train(args, iteration)
