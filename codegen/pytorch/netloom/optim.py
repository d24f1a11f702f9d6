"""TF1's optimizer rules as torch.optim.Optimizer subclasses, element for element as the app applies them, vectorised over parameters.

Each keeps TF1's step count and its slots per parameter; `netloom_state`
lays the slots out as Netloom's checkpoints do (see checkpoint.py).
"""

import math

import torch

#: Parameters up to this many elements share one flat slot in Netloom's checkpoints; larger ones have their own.
SMALL = 16_384


class TF1Optimizer(torch.optim.Optimizer):
    """A TF1 rule over all its parameters at once: each step is a few `torch._foreach_*` calls, not a Python loop per parameter."""

    #: Each slot's initial value.
    slots = ()

    def __init__(self, params, **defaults):
        super().__init__(params, defaults)
        self.t = 0

    def _slot_lists(self, params):
        """Each slot as a list over `params` (created at its initial value on first use)."""
        lists = {}
        for name, init in self.slots:
            values = []
            for p in params:
                state = self.state[p]
                if name not in state:
                    state[name] = torch.zeros_like(p) if init == 0 else torch.ones_like(p)
                values.append(state[name])
            lists[name] = values
        return lists

    @torch.no_grad()
    def step(self, closure=None):
        self.t += 1
        for group in self.param_groups:
            params = group["params"]
            # A weight the loss does not reach gets a zero gradient, as in TF1.
            grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in params]
            self.rule(params, grads, self._slot_lists(params), group)

    def rule(self, params, g, s, o):
        """Updates `params` in place from their gradients `g` and slots `s` (lists), with the group's settings `o`."""
        raise NotImplementedError

    def parameters_in_order(self):
        return [p for group in self.param_groups for p in group["params"]]

    def slot_groups(self):
        """Netloom's layout: each large parameter on its own, then every small one together, in order."""
        params = self.parameters_in_order()
        large = [[p] for p in params if p.numel() > SMALL]
        small = [p for p in params if p.numel() <= SMALL]
        return large + ([small] if small else [])


def _decay(values, rate, new):
    """values = values * rate + new * (1 - rate), in place (TF1's moving averages)."""
    torch._foreach_mul_(values, rate)
    torch._foreach_add_(values, torch._foreach_mul(new, 1 - rate))


class Adam(TF1Optimizer):
    """TF1's AdamOptimizer: lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t); var -= lr_t * m / (sqrt(v) + eps)."""

    slots = (("m", 0), ("v", 0))

    def __init__(self, params, learningRate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
        super().__init__(params, learningRate=learningRate, beta1=beta1, beta2=beta2, epsilon=epsilon)

    def rule(self, params, g, s, o):
        lr_t = o["learningRate"] * math.sqrt(1 - o["beta2"] ** self.t) / (1 - o["beta1"] ** self.t)
        _decay(s["m"], o["beta1"], g)
        _decay(s["v"], o["beta2"], torch._foreach_mul(g, g))
        update = torch._foreach_mul(s["m"], lr_t)
        torch._foreach_div_(update, torch._foreach_add(torch._foreach_sqrt(s["v"]), o["epsilon"]))
        torch._foreach_sub_(params, update)


class Adadelta(TF1Optimizer):
    """TF1's Adadelta: the accumulator is updated first and the step divides by the new one."""

    slots = (("accum", 0), ("accum_update", 0))

    def __init__(self, params, learningRate=0.001, rho=0.95, epsilon=1e-8):
        super().__init__(params, learningRate=learningRate, rho=rho, epsilon=epsilon)

    def rule(self, params, g, s, o):
        _decay(s["accum"], o["rho"], torch._foreach_mul(g, g))
        update = torch._foreach_sqrt(torch._foreach_add(s["accum_update"], o["epsilon"]))
        torch._foreach_div_(update, torch._foreach_sqrt(torch._foreach_add(s["accum"], o["epsilon"])))
        torch._foreach_mul_(update, g)
        _decay(s["accum_update"], o["rho"], torch._foreach_mul(update, update))
        torch._foreach_sub_(params, torch._foreach_mul(update, o["learningRate"]))


class SGD(TF1Optimizer):
    """TF1's GradientDescentOptimizer: var -= lr * grad."""

    def __init__(self, params, learningRate=0.01):
        super().__init__(params, learningRate=learningRate)

    def rule(self, params, g, s, o):
        torch._foreach_sub_(params, torch._foreach_mul(g, o["learningRate"]))


class Momentum(TF1Optimizer):
    """TF1's MomentumOptimizer: accum = momentum * accum + grad; var -= lr * accum (or the Nesterov form)."""

    slots = (("accum", 0),)

    def __init__(self, params, learningRate=0.01, momentum=0.9, nesterov=False):
        super().__init__(params, learningRate=learningRate, momentum=momentum, nesterov=nesterov)

    def rule(self, params, g, s, o):
        torch._foreach_mul_(s["accum"], o["momentum"])
        torch._foreach_add_(s["accum"], g)
        step = torch._foreach_add(g, torch._foreach_mul(s["accum"], o["momentum"])) if o["nesterov"] else s["accum"]
        torch._foreach_sub_(params, torch._foreach_mul(step, o["learningRate"]))


class RMSProp(TF1Optimizer):
    """TF1's RMSPropOptimizer: the mean square starts at one."""

    slots = (("ms", 1), ("mom", 0))

    def __init__(self, params, learningRate=0.001, decay=0.9, momentum=0.0, epsilon=1e-10):
        super().__init__(params, learningRate=learningRate, decay=decay, momentum=momentum, epsilon=epsilon)

    def rule(self, params, g, s, o):
        _decay(s["ms"], o["decay"], torch._foreach_mul(g, g))
        step = torch._foreach_mul(g, o["learningRate"])
        torch._foreach_div_(step, torch._foreach_sqrt(torch._foreach_add(s["ms"], o["epsilon"])))
        torch._foreach_mul_(s["mom"], o["momentum"])
        torch._foreach_add_(s["mom"], step)
        torch._foreach_sub_(params, s["mom"])
