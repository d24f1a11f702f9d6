import { z } from 'zod';
import { defineSource, port } from '../kind';
import { dims, drawParam, objectLiteral } from '../common';
import { noiseBatches } from '../../data/batches';

/** Random noise: the prior z of generators and the eps of the reparameterisation trick. */
export const noise = defineSource({
  kind: 'noise',
  category: 'data',
  title: 'Noise',
  doc: 'z [b, ...shape] ~ uniform(low, high) or normal(mean, stddev); [...shape] when shared by the batch',
  params: z.object({
    distribution: z.enum(['uniform', 'normal']).default('uniform'),
    shape: dims.default([100]).describe('Shape of one sample, without the batch dimension'),
    low: z.number().finite().default(-1),
    high: z.number().finite().default(1),
    mean: z.number().finite().default(0),
    stddev: z.number().finite().min(0).default(1),
    perSample: z.boolean().default(true).describe('One draw per batch item; off: one draw shared by the whole batch'),
    draw: drawParam,
  }),
  inputs: () => [],
  outputs: () => [port('z')],
  inferShape: (p) => ({ z: p.perSample ? [null, ...p.shape] : [...p.shape] }),
  draw: (p) => p.draw,
  sampler: (p, env) => noiseBatches(p, env),
  emit: ({ params: { draw: _draw, ...spec }, rng }) => `batches.noiseBatches(${objectLiteral(spec)}, ${rng})`,
});
