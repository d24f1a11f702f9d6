import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { defineOp, port } from '../kind';
import { pyLiteral } from '../common';
import { keepsShape } from '../refit';

/**
 * Inverted dropout, as tf.layers.dropout: in training iterations each value
 * is zeroed with probability `rate` and the others scaled by 1 / (1 - rate);
 * previews, samples and scores pass values through. Each call of its network
 * draws its own mask, and so does each round of a repeated step (n_critic);
 * the app and every export draw the same masks.
 */
export const dropout = defineOp({
  kind: 'dropout',
  category: 'layers',
  title: 'Dropout',
  doc: 'x [b, ...] -> y [b, ...]: while training, each value zeroed with probability rate, the rest scaled by 1 / (1 - rate); unchanged in previews',
  params: z.object({
    rate: z.number().min(0).max(0.95).default(0.5).describe('The fraction of values zeroed in each training batch (Keras: rate; 0.3 is usual in a discriminator)'),
  }),
  example: { params: { rate: 0.3 }, inputs: { x: [null, 4, 3] } },
  modes: true,
  random: true,
  twiceDifferentiable: () => true,
  inputs: () => [port('x')],
  outputs: () => [port('y')],
  refit: keepsShape('x'),
  inferShape: (_p, inputs) => ({ y: inputs.x! }),
  memory: 5,
  compute: ({ tf, params, inputs, training, drawSite }) => ({
    y: training && drawSite !== undefined && params.rate > 0 ? opsFor(tf).dropout(inputs.x!, params.rate, drawSite) : inputs.x!,
  }),
  forms: {
    typescript: {
      compute: ({ params, inputs, training = 'false', drawSite }) => ({
        y: drawSite && params.rate > 0 ? `(${training} ? ops.dropout(${inputs.x}, ${params.rate}, ${drawSite}) : ${inputs.x})` : inputs.x!,
      }),
    },
    pytorch: {
      compute: ({ params, inputs, training = 'False', drawSite }) => ({
        y: drawSite && params.rate > 0 ? `(ops.dropout(${inputs.x}, ${pyLiteral(params.rate)}, ${drawSite}) if ${training} else ${inputs.x})` : inputs.x!,
      }),
    },
    // Off outside training: an exported network only infers.
    onnx: { compute: ({ b, ops, inputs }) => ({ y: ops.dropout(b, inputs.x!) }) },
  },
});
