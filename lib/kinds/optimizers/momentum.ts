import { z } from 'zod';
import * as rules from '../../runtime/optimizers';
import { defineOptimizer } from '../kind';
import { emitRule, torchRule, fraction, networksParam, optimizerStructure, rate } from './common';

/** TF1's MomentumOptimizer: accum = momentum * accum + grad; var -= lr * accum (or the Nesterov form). */
export const momentum = defineOptimizer({
  kind: 'momentum',
  category: 'optimizers',
  title: 'Momentum',
  doc: 'loss [] -> updates the chosen networks (lr 0.01, momentum 0.9; TF1 requires both)',
  params: z.object({
    networks: networksParam,
    learningRate: rate(0.01),
    momentum: fraction(0.9, 'Fraction of the previous update carried over'),
    nesterov: z.boolean().default(false).describe('Nesterov momentum: look ahead along the accumulated update'),
  }),
  ...optimizerStructure,
  slots: 1,
  temporaries: 8,
  updater: (tf, p, variables) => rules.momentum(tf, variables, p),
  forms: {
    typescript: { updater: emitRule('momentum') },
    pytorch: { updater: torchRule('Momentum') },
  },
});
