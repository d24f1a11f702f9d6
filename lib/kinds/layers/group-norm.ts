import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { defineOp, port, shapeError } from '../kind';
import { positiveInt, pyLiteral } from '../common';
import { formatShape } from '../shape';

/** The largest divisor of `channels` not above `groups`: the nearest setting that fits. */
const fittingGroups = (channels: number, groups: number): number => {
  for (let g = Math.min(groups, channels); g > 1; g--) if (channels % g === 0) return g;
  return 1;
};

/**
 * Group normalisation as torch.nn.GroupNorm (the diffusion U-Net's): each
 * row's channels split into groups, each group normalised with its own
 * mean and biased variance over every position and its channels, then
 * scaled and shifted per channel. Unlike batch norm it never looks across
 * the batch, so it computes the same in training and in previews.
 */
export const groupNorm = defineOp({
  kind: 'group-norm',
  rowwise: true,
  category: 'layers',
  twiceDifferentiable: () => true,
  title: 'Group norm',
  doc: 'x [b, ..., c] -> y [b, ..., c] = gamma (x - mean) / sqrt(var + eps) + beta, statistics per item and per group of c / groups channels',
  params: z.object({
    groups: positiveInt(4096).default(32).describe('Groups the channels are split into, each normalised on its own; must divide the channels (PyTorch: num_groups)'),
    epsilon: z.number().positive().max(1).default(1e-5).describe('Added to the variance before the square root (PyTorch: 1e-5)'),
  }),
  example: { params: { groups: 2 }, inputs: { x: [null, 3, 4, 6] } },
  inputs: () => [port('x')],
  outputs: () => [port('y')],
  // Its shape passes through, where the groups still divide the channels.
  refit: (p, _inputs, _port, wanted) => {
    const channels = wanted[wanted.length - 1];
    return wanted.length >= 2 && typeof channels === 'number' && channels % p.groups === 0 ? { params: {}, inputs: { x: wanted } } : undefined;
  },
  inferShape(p, inputs) {
    const x = inputs.x!;
    const channels = x[x.length - 1];
    if (x.length < 2 || typeof channels !== 'number') return shapeError('x', `group norm needs a batch of features or feature maps [b, ..., c], got ${formatShape(x)}`, 'Place it after a Dense or Conv2D layer');
    if (channels % p.groups !== 0) {
      return shapeError('x', `${p.groups} groups do not divide the ${channels} channels of x ${formatShape(x)}`, `Set groups to a divisor of ${channels} (${fittingGroups(channels, p.groups)}), or give x a multiple of ${p.groups} channels`);
    }
    return { y: x };
  },
  weights(_p, inputs) {
    const x = inputs.x!;
    const channels = [x[x.length - 1] as number];
    return [
      { name: 'gamma', shape: channels, init: { kind: 'ones' } },
      { name: 'beta', shape: channels, init: { kind: 'zeros' } },
    ];
  },
  memory: 14,
  compute: ({ tf, params, inputs, weights: w }) => ({ y: opsFor(tf).groupNorm(inputs.x!, w.gamma!, w.beta!, params.groups, params.epsilon) }),
  forms: {
    typescript: { compute: ({ params, inputs, weights: w }) => ({ y: `ops.groupNorm(${inputs.x}, ${w.gamma}, ${w.beta}, ${params.groups}, ${params.epsilon})` }) },
    pytorch: { compute: ({ params, inputs, weights: w }) => ({ y: `ops.group_norm(${inputs.x}, ${w.gamma}, ${w.beta}, ${params.groups}, ${pyLiteral(params.epsilon)})` }) },
    onnx: { compute: ({ b, ops, params, inputs, weights: w, name }) => ({ y: ops.groupNorm(b, inputs.x!, { gamma: w.gamma!, beta: w.beta!, groups: params.groups, epsilon: params.epsilon, hint: name }) }) },
  },
});
