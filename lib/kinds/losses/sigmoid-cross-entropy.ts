import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { defineLoss, port } from '../kind';
import { lossOutputs, scalar, smoothedLabel, smoothingParam, targetParam, targetSummary } from './common';

/** TF1's sigmoid_cross_entropy_with_logits against a constant label, averaged over the batch. */
export const sigmoidCrossEntropy = defineLoss({
  kind: 'sigmoid-cross-entropy',
  category: 'losses',
  title: 'Sigmoid cross-entropy',
  doc: 'logits [b, ...] -> loss [] = mean(CE(sigmoid(logits), 1 or 0, 1 smoothed to 0.9 if asked)), computed stably from logits',
  summary: targetSummary,
  params: z.object({ target: targetParam, smoothing: smoothingParam }),
  example: { params: { target: 'ones', smoothing: 0.1 }, inputs: { logits: [null, 1] } },
  inputs: () => [port('logits')],
  outputs: lossOutputs,
  inferShape: () => scalar,
  memory: 16,
  compute: ({ tf, params, inputs }) => ({ loss: opsFor(tf).sigmoidCrossEntropy(inputs.logits!, smoothedLabel(params.target, params.smoothing)) }),
  forms: {
    typescript: { compute: ({ params, inputs }) => ({ loss: `ops.sigmoidCrossEntropy(${inputs.logits}, ${smoothedLabel(params.target, params.smoothing)})` }) },
    pytorch: { compute: ({ params, inputs }) => ({ loss: `ops.sigmoid_cross_entropy(${inputs.logits}, ${smoothedLabel(params.target, params.smoothing)})` }) },
  },
  monitor: { input: 'logits', measures: 'probability', describe: (source) => `mean σ(${source})`, compute: (tf, logits) => tf.mean(tf.sigmoid(logits)) },
  batchReduction: () => 'mean',
});
