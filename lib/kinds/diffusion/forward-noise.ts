import { z } from 'zod';
import { formatShape, sameShape, type Shape } from '../shape';
import { defineOp, port, shapeError } from '../kind';
import { forwardNoise as noised } from '../../runtime/diffusion';

/**
 * The forward process of a diffusion or flow model: data noised to each
 * row's timestep along the schedule, and its velocity dx_t/dt (rectified
 * flow's target). The denoiser learns to predict eps (wire the noise) or
 * the velocity from x_t and t.
 */
export const forwardNoise = defineOp({
  kind: 'forward-noise',
  category: 'diffusion',
  title: 'Forward noising',
  doc: 'x0 [b, ...], eps [b, ...], t [b, 1], schedule [K + 1, 2] -> xt = signal(t) x0 + noise(t) eps, velocity = dxt/dt [b, ...]',
  params: z.object({}),
  example: { params: {}, inputs: { x0: [null, 3, 2], eps: [null, 3, 2], t: [null, 1], schedule: [5, 2] } },
  inputs: () => [
    port('x0', 'x0'),
    port('eps', 'eps'),
    port('t', 't', 'Connect a Timestep node.'),
    port('schedule', 'schedule', 'Connect the Noise schedule node (the one the sampler reads).'),
  ],
  outputs: () => [port('xt', 'x_t'), port('velocity')],
  // Fitted to other data, the noise takes the data's shape.
  sameShape: [['x0', 'eps']],
  inferShape(_p, inputs) {
    const [x0, eps, t, schedule] = [inputs.x0!, inputs.eps!, inputs.t!, inputs.schedule!];
    if (x0.length < 2 || x0[0] !== null) shapeError('x0', `needs a batch of data [b, ...], got ${formatShape(x0)}`);
    if (!sameShape(eps, x0)) shapeError('eps', `noise ${formatShape(eps)} must have the data's shape ${formatShape(x0)}`, "Set the noise's shape to the data's.");
    if (t.length !== 2 || t[0] !== null || t[1] !== 1) shapeError('t', `needs a timestep per row [b, 1], got ${formatShape(t)}`, 'Connect a Timestep node.');
    if (!isScheduleTable(schedule)) shapeError('schedule', `needs a schedule table [K + 1, 2], got ${formatShape(schedule)}`, 'Connect a Noise schedule node.');
    return { xt: x0, velocity: x0 };
  },
  // Both outputs, their gradients and the products of each with x0 and eps (tests/unit/kinds/memory.test.ts measures 10.9).
  memory: 12,
  compute: ({ tf, inputs }) => noised(tf, inputs.x0!, inputs.eps!, inputs.t!, inputs.schedule!),
  forms: {
    typescript: {
      compute: ({ inputs }) => ({
        xt: `diffusion.forwardNoise(tf, ${inputs.x0}, ${inputs.eps}, ${inputs.t}, ${inputs.schedule}).xt`,
        velocity: `diffusion.forwardNoise(tf, ${inputs.x0}, ${inputs.eps}, ${inputs.t}, ${inputs.schedule}).velocity`,
      }),
    },
    pytorch: {
      compute: ({ inputs }) => ({
        xt: `diffusion.forward_noise(${inputs.x0}, ${inputs.eps}, ${inputs.t}, ${inputs.schedule})[0]`,
        velocity: `diffusion.forward_noise(${inputs.x0}, ${inputs.eps}, ${inputs.t}, ${inputs.schedule})[1]`,
      }),
    },
  },
});

/** A schedule's table: [K + 1, 2] with at least one interval. */
export const isScheduleTable = (shape: Shape): boolean => shape.length === 2 && shape[1] === 2 && typeof shape[0] === 'number' && shape[0] >= 2;
