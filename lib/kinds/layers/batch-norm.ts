import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { defineOp, port, shapeError } from '../kind';
import { pyLiteral } from '../common';
import { keepsShape } from '../refit';

/**
 * Batch normalisation as tf.layers.batch_normalization (TF1's DCGAN):
 * normalises over every axis but the last with the batch's statistics in
 * training iterations, and with moving statistics in previews and samples.
 * The moving statistics are state, not weights: they follow the batches of
 * the steps that train the node's network, and checkpoints keep them.
 */
export const batchNorm = defineOp({
  kind: 'batch-norm',
  category: 'layers',
  title: 'Batch norm',
  doc: 'x [b, ..., c] -> y [b, ..., c] = gamma (x - mean) / sqrt(var + eps) + beta per feature c; batch statistics while training, moving ones in previews',
  params: z.object({
    momentum: z.number().min(0).max(1).default(0.99).describe('How much of the moving statistics each training batch keeps (TF: 0.99)'),
    epsilon: z.number().positive().max(1).default(1e-3).describe('Added to the variance before the square root (TF: 0.001)'),
  }),
  example: { params: { momentum: 0.9 }, inputs: { x: [null, 4, 4, 3] } },
  modes: true,
  inputs: () => [port('x')],
  outputs: () => [port('y')],
  refit: keepsShape('x'),
  inferShape(_p, inputs) {
    const x = inputs.x!;
    if (x.length < 2 || x[x.length - 1] === null) shapeError('x', `batch norm needs a batch of features or feature maps [b, ..., c], got [${x.join(', ')}]`, 'Place it after a Dense or Conv2D layer');
    return { y: x };
  },
  weights(_p, inputs) {
    const x = inputs.x!;
    const features = [x[x.length - 1] as number];
    return [
      { name: 'gamma', shape: features, init: { kind: 'ones' } },
      { name: 'beta', shape: features, init: { kind: 'zeros' } },
      { name: 'moving_mean', shape: features, init: { kind: 'zeros' }, trainable: false },
      { name: 'moving_variance', shape: features, init: { kind: 'ones' }, trainable: false },
    ];
  },
  memory: 17,
  compute: ({ tf, params, inputs, weights: w, training = false }) => ({
    y: opsFor(tf).batchNorm(inputs.x!, w.gamma!, w.beta!, w.moving_mean!, w.moving_variance!, params.epsilon, training),
  }),
  update: ({ tf, params, inputs, weights: w }) => ({
    moving_mean: opsFor(tf).moving('mean', inputs.x!, w.moving_mean!, params.momentum),
    moving_variance: opsFor(tf).moving('variance', inputs.x!, w.moving_variance!, params.momentum),
  }),
  forms: {
    typescript: {
      compute: ({ params, inputs, weights: w, training = 'false' }) => ({
        y: `ops.batchNorm(${inputs.x}, ${w.gamma}, ${w.beta}, ${w.moving_mean}, ${w.moving_variance}, ${params.epsilon}, ${training})`,
      }),
      update: ({ params, inputs, weights: w }) => ({
        moving_mean: `ops.moving("mean", ${inputs.x}, ${w.moving_mean}, ${params.momentum})`,
        moving_variance: `ops.moving("variance", ${inputs.x}, ${w.moving_variance}, ${params.momentum})`,
      }),
    },
    pytorch: {
      compute: ({ params, inputs, weights: w, training = 'False' }) => ({
        y: `ops.batch_norm(${inputs.x}, ${w.gamma}, ${w.beta}, ${w.moving_mean}, ${w.moving_variance}, ${pyLiteral(params.epsilon)}, ${training})`,
      }),
      update: ({ params, inputs, weights: w }) => ({
        moving_mean: `ops.moving("mean", ${inputs.x}, ${w.moving_mean}, ${pyLiteral(params.momentum)})`,
        moving_variance: `ops.moving("variance", ${inputs.x}, ${w.moving_variance}, ${pyLiteral(params.momentum)})`,
      }),
    },
    // Inference: the moving statistics, never the batch's.
    onnx: {
      compute: ({ b, ops, params, inputs, weights: w, name }) => ({
        y: ops.batchNorm(b, inputs.x!, { gamma: w.gamma!, beta: w.beta!, movingMean: w.moving_mean!, movingVariance: w.moving_variance!, epsilon: params.epsilon, hint: name }),
      }),
    },
  },
});
