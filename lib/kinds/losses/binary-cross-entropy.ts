import { z } from 'zod';
import { pyLiteral } from '../common';
import { opsFor } from '../../runtime/ops';
import { formatShape, sameShape } from '../shape';
import { defineLoss, port, shapeError } from '../kind';
import { lossOutputs, scalar } from './common';

/**
 * Cross-entropy of sigmoid(logits) against targets in [0, 1], computed
 * stably from the logits: a Bernoulli decoder's reconstruction loss (the VAE
 * of Kingma and Welling on MNIST).
 */
export const binaryCrossEntropy = defineLoss({
  kind: 'binary-cross-entropy',
  category: 'losses',
  title: 'Binary cross-entropy',
  doc: 'logits [...], target [...] in [0, 1] (same shape) -> loss [] = mean or sum of CE(sigmoid(logits), target), computed stably from logits',
  params: z.object({ reduction: z.enum(['mean', 'sum']).default('sum').describe('Average or sum over every value (sum: the negative log-likelihood a VAE weighs against its KL term)') }),
  example: { params: { reduction: 'sum' }, inputs: { logits: [null, 4], target: [null, 4] } },
  inputs: () => [port('logits'), port('target')],
  outputs: lossOutputs,
  sameShape: [['logits', 'target']],
  requires: { target: { bounds: [0, 1], what: 'targets', otherwise: "draw the data in 0..1 (the dataset node's range), or use squared error for other targets" } },
  inferShape(_p, inputs) {
    if (!sameShape(inputs.logits!, inputs.target!)) {
      shapeError('target', `target ${formatShape(inputs.target!)} must match logits ${formatShape(inputs.logits!)}`, 'Reshape one side so both match.');
    }
    return scalar;
  },
  memory: 9,
  compute: ({ tf, params, inputs }) => ({ loss: opsFor(tf).binaryCrossEntropy(inputs.logits!, inputs.target!, params.reduction) }),
  forms: {
    typescript: { compute: ({ params, inputs }) => ({ loss: `ops.binaryCrossEntropy(${inputs.logits}, ${inputs.target}, ${JSON.stringify(params.reduction)})` }) },
    pytorch: { compute: ({ params, inputs }) => ({ loss: `ops.binary_cross_entropy(${inputs.logits}, ${inputs.target}, ${pyLiteral(params.reduction)})` }) },
  },
  batchReduction: (p) => p.reduction,
});
