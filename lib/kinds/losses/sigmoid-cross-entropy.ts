import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { defineLoss, port } from '../kind';
import { label, lossOutputs, scalar, targetParam } from './common';

/** TF1's sigmoid_cross_entropy_with_logits against a constant label, averaged over the batch. */
export const sigmoidCrossEntropy = defineLoss({
  kind: 'sigmoid-cross-entropy',
  category: 'losses',
  title: 'Sigmoid cross-entropy',
  doc: 'logits [b, ...] -> loss [] = mean(CE(sigmoid(logits), 1 or 0)), computed stably from logits',
  params: z.object({ target: targetParam }),
  example: { params: { target: 'zeros' }, inputs: { logits: [null, 1] } },
  inputs: () => [port('logits')],
  outputs: lossOutputs,
  inferShape: () => scalar,
  compute: ({ tf, params, inputs }) => ({ loss: opsFor(tf).sigmoidCrossEntropy(inputs.logits!, label(params.target)) }),
  emit: ({ params, inputs }) => ({ loss: `ops.sigmoidCrossEntropy(${inputs.logits}, ${label(params.target)})` }),
  monitor: { input: 'logits', describe: (source) => `mean σ(${source})`, compute: (tf, logits) => tf.mean(tf.sigmoid(logits)) },
  torch: ({ params, inputs }) => ({ loss: `ops.sigmoid_cross_entropy(${inputs.logits}, ${label(params.target)})` }),
  batchReduction: () => 'mean',
});
