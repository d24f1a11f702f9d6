import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { SYMMETRIC_UNIT } from '../bounds';
import { defineOp, port, shapeError } from '../kind';
import { inputOfRank, pyLiteral } from '../common';
import { formatShape } from '../shape';

/**
 * The sinusoidal embedding of a diffusion timestep (DDPM, guided-diffusion's
 * timestep_embedding): each row's t, times `scale`, times half = dim / 2
 * frequencies from 1 down to 1 / maxPeriod, as cosines then sines. No
 * weights: a dense layer after it learns what to make of them.
 */
export const timeEmbedding = defineOp({
  kind: 'time-embedding',
  rowwise: true,
  category: 'layers',
  // Sine and cosine differentiate into each other.
  twiceDifferentiable: () => true,
  title: 'Time embedding',
  doc: 't [b, 1] -> y [b, dim] = [cos(t scale f), sin(t scale f)], f_i = maxPeriod^(-i / (dim / 2))',
  params: z
    .object({
      dim: z.number().int().min(2).max(4096).default(64).describe('Length of the embedding: half cosines, half sines'),
      maxPeriod: z.number().finite().min(1).default(10000).describe('The longest period among the sinusoids (DDPM: 10000)'),
      scale: z.number().finite().positive().default(1).describe('Multiplies t first: 1 for integer timesteps, 1000 for t in [0, 1] (flow matching)'),
    })
    .refine((p) => p.dim % 2 === 0, { path: ['dim'], message: 'must be even (as many sines as cosines)' }),
  example: { params: { dim: 8 }, inputs: { t: [null, 1] } },
  inputs: () => [port('t')],
  outputs: () => [port('y')],
  bounds: () => ({ y: SYMMETRIC_UNIT }),
  refit: (_p, inputs, _port, wanted) =>
    wanted.length === 2 && typeof wanted[1] === 'number' && wanted[1] % 2 === 0 && inputs.t ? { params: { dim: wanted[1] }, inputs: { t: inputs.t } } : undefined,
  inferShape(p, inputs) {
    const t = inputOfRank(inputs, 't', 2, 'one time per row [b, 1]');
    if (t[1] !== 1) shapeError('t', `expects one time per row [b, 1], got ${formatShape(t)}`, 'Feed it a value of shape [1] per row: a noise node of shape [1], or reshape to [1].');
    return { y: [t[0] ?? null, p.dim] };
  },
  memory: 8,
  compute: ({ tf, params, inputs }) => ({ y: opsFor(tf).timeEmbedding(inputs.t!, params.dim, params.maxPeriod, params.scale) }),
  forms: {
    typescript: { compute: ({ params, inputs }) => ({ y: `ops.timeEmbedding(${inputs.t}, ${params.dim}, ${params.maxPeriod}, ${params.scale})` }) },
    pytorch: { compute: ({ params, inputs }) => ({ y: `ops.time_embedding(${inputs.t}, ${params.dim}, ${pyLiteral(params.maxPeriod)}, ${pyLiteral(params.scale)})` }) },
    onnx: { compute: ({ b, ops, params, inputs, name }) => ({ y: ops.timeEmbedding(b, inputs.t!, params.dim, params.maxPeriod, params.scale, name) }) },
  },
});
