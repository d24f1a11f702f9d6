import { z } from 'zod';
import { defineOptimizer } from '../kind';
import { acceptsScalarLoss, fraction, networksParam, noOutputs, optimizerInputs, rate, slotUpdater } from './common';

/** TF1's RMSPropOptimizer: the mean square starts at ONE (as TF1 does), decay 0.9, momentum 0, eps 1e-10. */
export const rmsprop = defineOptimizer({
  kind: 'rmsprop',
  category: 'optimizers',
  title: 'RMSProp',
  doc: 'loss [] -> updates the chosen networks (TF1 defaults: lr 0.001, decay 0.9, momentum 0, eps 1e-10)',
  params: z.object({
    networks: networksParam,
    learningRate: rate(0.001),
    decay: fraction(0.9),
    momentum: fraction(0),
    epsilon: z.number().min(0).default(1e-10),
  }),
  inputs: optimizerInputs,
  outputs: noOutputs,
  inferShape: acceptsScalarLoss,
  networks: (p) => p.networks,
  updater: (tf, p, variables) =>
    slotUpdater(tf, variables, [{ init: 'ones' }, { init: 'zeros' }], (g, [ms, mom], _t, c) => {
      const ms1 = tf.add(tf.mul(ms!, c(p.decay)), tf.mul(tf.square(g), c(1 - p.decay)));
      const mom1 = tf.add(tf.mul(mom!, c(p.momentum)), tf.div(tf.mul(g, c(p.learningRate)), tf.sqrt(tf.add(ms1, c(p.epsilon)))));
      return { delta: mom1, slots: [ms1, mom1] };
    }),
});
