import { z } from 'zod';
import * as rules from '../../compile/optimizers';
import { defineOptimizer } from '../kind';
import { acceptsScalarLoss, fraction, emitRule, networksParam, noOutputs, optimizerInputs, rate } from './common';

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
  updater: (tf, p, variables) => rules.momentum(tf, variables, p),
  emit: emitRule('momentum'),
});
