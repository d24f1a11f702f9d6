import { z } from 'zod';
import * as rules from '../../runtime/optimizers';
import { defineOptimizer } from '../kind';
import { emitRule, torchRule, networksParam, optimizerStructure, rate } from './common';

/** Plain gradient descent, TF1's GradientDescentOptimizer (TF1 has no default rate; 0.01 here). */
export const sgd = defineOptimizer({
  kind: 'sgd',
  category: 'optimizers',
  title: 'SGD',
  doc: 'loss [] -> updates the chosen networks: var -= lr * grad',
  params: z.object({ networks: networksParam, learningRate: rate(0.01) }),
  ...optimizerStructure,
  slots: 0,
  temporaries: 4,
  updater: (tf, p, variables) => rules.sgd(tf, variables, p),
  forms: {
    typescript: { updater: emitRule('sgd') },
    pytorch: { updater: torchRule('SGD') },
  },
});
