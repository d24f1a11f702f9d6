import { z } from 'zod';
import * as rules from '../../runtime/optimizers';
import { defineOptimizer } from '../kind';
import { emitRule, torchRule, epsilon, fraction, networksParam, optimizerStructure, rate } from './common';

/**
 * Adadelta with TF1 (and PyTorch) semantics: the squared-gradient accumulator
 * is updated first and the step divides by the NEW one. tfjs's built-in
 * adadelta divides by the old one, so it cannot reproduce TF1 programs.
 */
export const adadelta = defineOptimizer({
  kind: 'adadelta',
  category: 'optimizers',
  title: 'Adadelta',
  doc: 'loss [] -> updates the chosen networks (TF1 defaults: lr 0.001, rho 0.95, eps 1e-8)',
  params: z.object({
    networks: networksParam,
    learningRate: rate(0.001),
    rho: fraction(0.95, 'Decay of the running averages'),
    epsilon: epsilon(1e-8),
  }),
  ...optimizerStructure,
  slots: 2,
  temporaries: 18,
  updater: (tf, p, variables) => rules.adadelta(tf, variables, p),
  forms: {
    typescript: { updater: emitRule('adadelta') },
    pytorch: { updater: torchRule('Adadelta') },
  },
});
