import { z } from 'zod';
import { pyLiteral } from '../common';
import { opsFor } from '../../runtime/ops';
import { defineLoss, port } from '../kind';
import { label, lossOutputs, scalar, targetParam, targetSummary } from './common';

/**
 * Log-loss on probabilities: -mean(log(p + eps)) against 1 and
 * -mean(log(1 - p + eps)) against 0. The default eps 1e-8 spells the seeds'
 * `-mean(log(D + 1e-8))` terms (ALI) exactly; 1e-7 is tf.losses.log_loss.
 */
export const logLoss = defineLoss({
  kind: 'log-loss',
  category: 'losses',
  title: 'Log-loss',
  doc: 'p [b, ...] in (0, 1) -> loss [] = -mean(log(p + eps)) (target 1) or -mean(log(1 - p + eps)) (target 0)',
  summary: targetSummary,
  params: z.object({
    target: targetParam,
    epsilon: z.number().min(0).max(1).default(1e-8).describe('Added inside the log: 1e-8 spells the seeds\' log(D + 1e-8) (ALI); 1e-7 is tf.losses.log_loss'),
  }),
  example: { params: { target: 'ones', epsilon: 1e-8 }, inputs: { p: [null, 1] } },
  inputs: () => [port('p')],
  outputs: lossOutputs,
  requires: { p: { bounds: [0, 1], what: 'probabilities', otherwise: 'use sigmoid cross-entropy on the logits instead of log-loss' } },
  inferShape: () => scalar,
  memory: 6,
  compute: ({ tf, params, inputs }) => ({ loss: opsFor(tf).logLoss(inputs.p!, label(params.target), params.epsilon) }),
  forms: {
    typescript: { compute: ({ params, inputs }) => ({ loss: `ops.logLoss(${inputs.p}, ${label(params.target)}, ${params.epsilon})` }) },
    pytorch: { compute: ({ params, inputs }) => ({ loss: `ops.log_loss(${inputs.p}, ${label(params.target)}, ${pyLiteral(params.epsilon)})` }) },
  },
  monitor: { input: 'p', measures: 'probability', describe: (source) => `mean ${source}`, compute: (tf, p) => tf.mean(p) },
  batchReduction: () => 'mean',
});
