import { z } from 'zod';
import * as rules from '../../runtime/optimizers';
import { defineOptimizer } from '../kind';
import { emitRule, torchRule, epsilon, fraction, networksParam, optimizerStructure, rate } from './common';

/**
 * Adam exactly as TF1's AdamOptimizer: lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t),
 * var -= lr_t * m / (sqrt(v) + eps). (tfjs's Adam puts eps on the
 * bias-corrected moments and defaults eps to 1e-7, which drifts from TF1.)
 */
export const adam = defineOptimizer({
  kind: 'adam',
  category: 'optimizers',
  title: 'Adam',
  doc: 'loss [] -> updates the chosen networks (TF1 defaults: lr 0.001, beta1 0.9, beta2 0.999, eps 1e-8)',
  params: z.object({
    networks: networksParam,
    learningRate: rate(0.001),
    beta1: fraction(0.9, 'Decay of the first moment (the mean gradient)'),
    beta2: fraction(0.999, 'Decay of the second moment (the squared gradient)'),
    epsilon: epsilon(1e-8),
  }),
  ...optimizerStructure,
  slots: 2,
  temporaries: 14,
  updater: (tf, p, variables) => rules.adam(tf, variables, p),
  forms: {
    typescript: { updater: emitRule('adam') },
    pytorch: { updater: torchRule('Adam') },
  },
});
