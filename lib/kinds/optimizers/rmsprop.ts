import { z } from 'zod';
import * as rules from '../../compile/optimizers';
import { defineOptimizer } from '../kind';
import { acceptsScalarLoss, fraction, emitRule, networksParam, noOutputs, optimizerInputs, rate } from './common';

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
  updater: (tf, p, variables) => rules.rmsprop(tf, variables, p),
  emit: emitRule('rmsprop'),
});
