"""TF1's optimizer rules as torch.optim.Optimizer subclasses, element for element as the app applies them.

Each keeps TF1's step count and its slots per parameter; `netloom_state`
lays the slots out as Netloom's checkpoints do (see checkpoint.py).
"""

import math

import torch

#: Parameters up to this many elements share one flat slot in Netloom's checkpoints; larger ones have their own.
SMALL = 16_384


class TF1Optimizer(torch.optim.Optimizer):
    #: Each slot's initial value.
    slots = ()

    def __init__(self, params, **defaults):
        super().__init__(params, defaults)
        self.t = 0

    def _slots(self, p):
        state = self.state[p]
        if not state:
            for name, init in self.slots:
                state[name] = torch.zeros_like(p) if init == 0 else torch.ones_like(p)
        return state

    @torch.no_grad()
    def step(self, closure=None):
        self.t += 1
        for group in self.param_groups:
            for p in group["params"]:
                # A weight the loss does not reach gets a zero gradient, as in TF1.
                g = p.grad if p.grad is not None else torch.zeros_like(p)
                p.sub_(self.rule(g, self._slots(p), group))

    def rule(self, g, slots, group):
        raise NotImplementedError

    def parameters_in_order(self):
        return [p for group in self.param_groups for p in group["params"]]

    def slot_groups(self):
        """Netloom's layout: each large parameter on its own, then every small one together, in order."""
        params = self.parameters_in_order()
        large = [[p] for p in params if p.numel() > SMALL]
        small = [p for p in params if p.numel() <= SMALL]
        return large + ([small] if small else [])


class Adam(TF1Optimizer):
    """TF1's AdamOptimizer: lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t); var -= lr_t * m / (sqrt(v) + eps)."""

    slots = (("m", 0), ("v", 0))

    def __init__(self, params, learningRate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
        super().__init__(params, learningRate=learningRate, beta1=beta1, beta2=beta2, epsilon=epsilon)

    def rule(self, g, s, o):
        lr_t = o["learningRate"] * math.sqrt(1 - o["beta2"] ** self.t) / (1 - o["beta1"] ** self.t)
        s["m"] = s["m"] * o["beta1"] + g * (1 - o["beta1"])
        s["v"] = s["v"] * o["beta2"] + g.square() * (1 - o["beta2"])
        return (s["m"] * lr_t) / (s["v"].sqrt() + o["epsilon"])


class Adadelta(TF1Optimizer):
    """TF1's Adadelta: the accumulator is updated first and the step divides by the new one."""

    slots = (("accum", 0), ("accum_update", 0))

    def __init__(self, params, learningRate=0.001, rho=0.95, epsilon=1e-8):
        super().__init__(params, learningRate=learningRate, rho=rho, epsilon=epsilon)

    def rule(self, g, s, o):
        s["accum"] = s["accum"] * o["rho"] + g.square() * (1 - o["rho"])
        update = ((s["accum_update"] + o["epsilon"]).sqrt() / (s["accum"] + o["epsilon"]).sqrt()) * g
        s["accum_update"] = s["accum_update"] * o["rho"] + update.square() * (1 - o["rho"])
        return update * o["learningRate"]


class SGD(TF1Optimizer):
    """TF1's GradientDescentOptimizer: var -= lr * grad."""

    def __init__(self, params, learningRate=0.01):
        super().__init__(params, learningRate=learningRate)

    def rule(self, g, s, o):
        return g * o["learningRate"]


class Momentum(TF1Optimizer):
    """TF1's MomentumOptimizer: accum = momentum * accum + grad; var -= lr * accum (or the Nesterov form)."""

    slots = (("accum", 0),)

    def __init__(self, params, learningRate=0.01, momentum=0.9, nesterov=False):
        super().__init__(params, learningRate=learningRate, momentum=momentum, nesterov=nesterov)

    def rule(self, g, s, o):
        s["accum"] = s["accum"] * o["momentum"] + g
        step = g + s["accum"] * o["momentum"] if o["nesterov"] else s["accum"]
        return step * o["learningRate"]


class RMSProp(TF1Optimizer):
    """TF1's RMSPropOptimizer: the mean square starts at one."""

    slots = (("ms", 1), ("mom", 0))

    def __init__(self, params, learningRate=0.001, decay=0.9, momentum=0.0, epsilon=1e-10):
        super().__init__(params, learningRate=learningRate, decay=decay, momentum=momentum, epsilon=epsilon)

    def rule(self, g, s, o):
        s["ms"] = s["ms"] * o["decay"] + g.square() * (1 - o["decay"])
        s["mom"] = s["mom"] * o["momentum"] + (g * o["learningRate"]) / (s["ms"] + o["epsilon"]).sqrt()
        return s["mom"]
