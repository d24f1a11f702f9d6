import { z } from 'zod';
import { defineOptimizer } from '../kind';
import { acceptsScalarLoss, networksParam, noOutputs, optimizerInputs, rate, slotUpdater } from './common';

/** Plain gradient descent, TF1's GradientDescentOptimizer (TF1 has no default rate; 0.01 here). */
export const sgd = defineOptimizer({
  kind: 'sgd',
  category: 'optimizers',
  title: 'SGD',
  doc: 'loss [] -> updates the chosen networks: var -= lr * grad',
  params: z.object({ networks: networksParam, learningRate: rate(0.01) }),
  inputs: optimizerInputs,
  outputs: noOutputs,
  inferShape: acceptsScalarLoss,
  networks: (p) => p.networks,
  updater: (tf, p, variables) => slotUpdater(tf, variables, [], (g, _s, _t, c) => ({ delta: tf.mul(g, c(p.learningRate)), slots: [] })),
});
