import { z } from 'zod';
import { defineSource, port } from '../kind';
import { drawParam, objectLiteral, positiveInt, pyLiteral } from '../common';
import { timestepBatches } from '../../runtime/diffusion';

/**
 * Where on the noise schedule training noises each row: an integer timestep
 * uniform in 1..T (DDPM), or a continuous time uniform in [0, 1) (flow
 * matching). Wire it to the forward noising and, through a time embedding,
 * to the denoiser.
 */
export const timestep = defineSource({
  kind: 'timestep',
  category: 'diffusion',
  title: 'Timestep',
  doc: 't [b, 1]: an integer uniform in 1..steps, or a continuous time uniform in [0, 1)',
  params: z.object({
    mode: z.enum(['integer', 'continuous']).default('integer').describe("integer: t in 1..steps (DDPM's schedules); continuous: t in [0, 1) (a flow schedule)"),
    steps: positiveInt(100_000).default(1000).describe("How many timesteps (the schedule's T), in integer mode"),
    draw: drawParam,
  }),
  example: { params: { steps: 10 }, inputs: {} },
  inputs: () => [],
  outputs: () => [port('t')],
  inferShape: () => ({ t: [null, 1] }),
  datasets: () => [],
  draw: (p) => p.draw,
  bounds: (p) => ({ t: p.mode === 'continuous' ? [0, 1] : [1, p.steps] }),
  sampler: (p, env) => timestepBatches(p, env.stream),
  forms: {
    typescript: { sampler: ({ params: { draw: _draw, ...spec }, stream }) => `diffusion.timestepBatches(${objectLiteral(spec)}, ${stream})` },
    pytorch: { sampler: ({ params: { draw: _draw, ...spec }, stream }) => `diffusion.TimestepBatches(${pyLiteral(spec)}, ${stream})` },
  },
});
