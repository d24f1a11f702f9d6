import { z } from 'zod';
import { pyLiteral } from '../common';
import { formatShape, sameShape } from '../shape';
import { defineLoss, port, shapeError } from '../kind';
import { lossOutputs, scalar } from './common';

/** Squared error between a prediction and a target: the autoencoders' reconstruction loss. */
export const mse = defineLoss({
  kind: 'mse',
  category: 'losses',
  title: 'Squared error',
  doc: 'prediction [...], target [...] (same shape) -> loss [] = mean or sum of (prediction - target)^2',
  params: z.object({ reduction: z.enum(['mean', 'sum']).default('mean').describe('Average or sum of the squared differences') }),
  example: { params: { reduction: 'sum' }, inputs: { prediction: [null, 4], target: [null, 4] } },
  inputs: () => [port('prediction'), port('target')],
  outputs: lossOutputs,
  sameShape: [['prediction', 'target']],
  inferShape(_p, inputs) {
    if (!sameShape(inputs.prediction!, inputs.target!)) {
      shapeError('target', `target ${formatShape(inputs.target!)} must match prediction ${formatShape(inputs.prediction!)}`, 'Reshape one side so both match.');
    }
    return scalar;
  },
  compute({ tf, params, inputs }) {
    const squared = tf.squaredDifference(inputs.prediction!, inputs.target!);
    return { loss: params.reduction === 'mean' ? tf.mean(squared) : tf.sum(squared) };
  },
  forms: {
    typescript: { compute: ({ params, inputs }) => ({ loss: `tf.${params.reduction}(tf.squaredDifference(${inputs.prediction}, ${inputs.target}))` }) },
    pytorch: { compute: ({ params, inputs }) => ({ loss: `ops.mse(${inputs.prediction}, ${inputs.target}, ${pyLiteral(params.reduction)})` }) },
  },
  batchReduction: (p) => p.reduction,
});
