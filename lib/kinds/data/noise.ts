import { z } from 'zod';
import { defineSource, port } from '../kind';
import { dims, drawParam, objectLiteral, pyLiteral } from '../common';
import { noiseBatches } from '../../runtime/batches';

/** Random noise: the prior z of generators and the eps of the reparameterisation trick. */
export const noise = defineSource({
  kind: 'noise',
  category: 'data',
  title: 'Noise',
  doc: 'z [b, ...shape] ~ uniform(low, high) or normal(mean, stddev); [...shape] when shared by the batch',
  params: z.object({
    distribution: z.enum(['uniform', 'normal']).default('uniform').describe('uniform(low, high) or normal(mean, stddev)'),
    shape: dims.default([100]).describe('Shape of one sample, without the batch dimension'),
    low: z.number().finite().default(-1).describe('Lower bound of the uniform distribution'),
    high: z.number().finite().default(1).describe('Upper bound of the uniform distribution'),
    mean: z.number().finite().default(0).describe('Mean of the normal distribution'),
    stddev: z.number().finite().min(0).default(1).describe('Standard deviation of the normal distribution'),
    perSample: z.boolean().default(true).describe('One draw per batch item; off: one draw shared by the whole batch'),
    draw: drawParam,
  }),
  example: { params: { distribution: 'normal', shape: [4, 2] }, inputs: {} },
  inputs: () => [],
  outputs: () => [port('z')],
  // Noise of the data's shape (a denoiser's corruption) takes the data's new shape.
  refit: (p, _inputs, _port, wanted) => {
    const shape = p.perSample ? (wanted[0] === null ? wanted.slice(1) : undefined) : wanted;
    return shape && shape.length > 0 && shape.every((d): d is number => typeof d === 'number') ? { params: { shape }, inputs: {} } : undefined;
  },
  inferShape: (p) => ({ z: p.perSample ? [null, ...p.shape] : [...p.shape] }),
  datasets: () => [],
  draw: (p) => p.draw,
  bounds: (p) => ({ z: p.distribution === 'uniform' ? [Math.min(p.low, p.high), Math.max(p.low, p.high)] : undefined }),
  sampler: (p, env) => noiseBatches(p, env.stream),
  forms: {
    typescript: { sampler: ({ params: { draw: _draw, ...spec }, stream }) => `batches.noiseBatches(${objectLiteral(spec)}, ${stream})` },
    pytorch: { sampler: ({ params: { draw: _draw, ...spec }, stream }) => `nd.NoiseBatches(${pyLiteral(spec)}, ${stream})` },
  },
});
