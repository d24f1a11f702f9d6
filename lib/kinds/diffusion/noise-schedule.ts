import { z } from 'zod';
import { defineSource, port } from '../kind';
import { objectLiteral, pyLiteral } from '../common';
import { scheduleBatches } from '../../runtime/diffusion';

/**
 * The noise schedule of a diffusion or flow model, as its table of knots
 * (lib/runtime/diffusion.ts). One schedule node feeds both the forward
 * noising that makes training's inputs and the sampler that generates:
 * training and sampling read the same table.
 */
export const noiseSchedule = defineSource({
  kind: 'noise-schedule',
  category: 'diffusion',
  title: 'Noise schedule',
  doc: 'schedule [K + 1, 2]: knots (signal, noise); linear or cosine beta over T steps (K = T), or flow: a straight line (K = 1)',
  params: z
    .object({
      type: z.enum(['linear', 'cosine', 'flow']).default('linear').describe("linear or cosine beta (DDPM, improved DDPM) over T steps; flow: rectified flow's x_t = (1 - t) x0 + t eps"),
      steps: z.number().int().min(2).max(100_000).default(1000).describe('T: how many steps the linear and cosine schedules have'),
      betaStart: z.number().positive().max(1).default(1e-4).describe("The linear schedule's first beta (DDPM: 0.0001)"),
      betaEnd: z.number().positive().max(1).default(0.02).describe("The linear schedule's last beta (DDPM: 0.02)"),
    })
    .refine((p) => p.type !== 'linear' || p.betaStart <= p.betaEnd, { path: ['betaEnd'], message: 'must be at least the first beta' })
    .refine((p) => p.type !== 'linear' || p.betaEnd < 1, { path: ['betaEnd'], message: 'must be below 1 (a beta of 1 erases the signal)' }),
  example: { params: { steps: 8 }, inputs: {} },
  inputs: () => [],
  outputs: () => [port('schedule')],
  // Shared by the batch: a constant table, no batch dimension.
  inferShape: (p) => ({ schedule: [p.type === 'flow' ? 2 : p.steps + 1, 2] }),
  datasets: () => [],
  draw: () => 'per-iteration',
  constant: true,
  bounds: () => ({ schedule: [0, 1] }),
  sampler: (p) => scheduleBatches(p),
  forms: {
    typescript: { sampler: ({ params }) => `diffusion.scheduleBatches(${objectLiteral(params)})` },
    pytorch: { sampler: ({ params }) => `diffusion.ScheduleBatches(${pyLiteral(params)})` },
  },
});

