import { z } from 'zod';
import { formatShape, sameShape } from '../../graph/shape';
import { defineOp, port, shapeError } from '../kind';
import { lossOutputs, scalar } from './common';

/** Squared error between a prediction and a target: the autoencoders' reconstruction loss. */
export const mse = defineOp({
  kind: 'mse',
  category: 'losses',
  title: 'Squared error',
  doc: 'prediction [...], target [...] (same shape) -> loss [] = mean or sum of (prediction - target)^2',
  params: z.object({ reduction: z.enum(['mean', 'sum']).default('mean') }),
  inputs: () => [port('prediction'), port('target')],
  outputs: lossOutputs,
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
  emit: ({ params, inputs }) => ({ loss: `tf.${params.reduction}(tf.squaredDifference(${inputs.prediction}, ${inputs.target}))` }),
});
