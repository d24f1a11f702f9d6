import { z } from 'zod';
import * as rules from '../../runtime/optimizers';
import { defineOptimizer } from '../kind';
import { emitRule, torchRule, epsilon, fraction, networksParam, optimizerStructure, rate } from './common';

/** TF1's RMSPropOptimizer: the mean square starts at ONE (as TF1 does), decay 0.9, momentum 0, eps 1e-10. */
export const rmsprop = defineOptimizer({
  kind: 'rmsprop',
  category: 'optimizers',
  title: 'RMSProp',
  doc: 'loss [] -> updates the chosen networks (TF1 defaults: lr 0.001, decay 0.9, momentum 0, eps 1e-10)',
  params: z.object({
    networks: networksParam,
    learningRate: rate(0.001),
    decay: fraction(0.9, 'Decay of the mean square'),
    momentum: fraction(0, 'Fraction of the previous update carried over'),
    epsilon: epsilon(1e-10),
  }),
  ...optimizerStructure,
  slots: 2,
  temporaries: 13,
  updater: (tf, p, variables) => rules.rmsprop(tf, variables, p),
  forms: {
    typescript: { updater: emitRule('rmsprop') },
    pytorch: { updater: torchRule('RMSProp') },
  },
});
