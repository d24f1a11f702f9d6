import { z } from 'zod';
import { defineOptimizer } from '../kind';
import { acceptsScalarLoss, fraction, networksParam, noOutputs, optimizerInputs, rate, slotUpdater } from './common';

/** TF1's MomentumOptimizer: accum = momentum * accum + grad; var -= lr * accum (or the Nesterov form). */
export const momentum = defineOptimizer({
  kind: 'momentum',
  category: 'optimizers',
  title: 'Momentum',
  doc: 'loss [] -> updates the chosen networks (lr 0.01, momentum 0.9; TF1 requires both)',
  params: z.object({
    networks: networksParam,
    learningRate: rate(0.01),
    momentum: fraction(0.9),
    nesterov: z.boolean().default(false),
  }),
  inputs: optimizerInputs,
  outputs: noOutputs,
  inferShape: acceptsScalarLoss,
  networks: (p) => p.networks,
  updater: (tf, p, variables) =>
    slotUpdater(tf, variables, [{ init: 'zeros' }], (g, [accum], _t, c) => {
      const accum1 = tf.add(tf.mul(accum!, c(p.momentum)), g);
      const step = p.nesterov ? tf.add(g, tf.mul(accum1, c(p.momentum))) : accum1;
      return { delta: tf.mul(step, c(p.learningRate)), slots: [accum1] };
    }),
});
