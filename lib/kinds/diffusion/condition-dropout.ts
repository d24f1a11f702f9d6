import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { defineOp, port } from '../kind';
import { pyLiteral } from '../common';
import { keepsShape } from '../refit';

/**
 * Classifier-free guidance's label dropout: in training iterations each row
 * of the condition is zeroed with probability `rate`, so the network also
 * learns the unconditioned prediction (all-zero labels), which a sampler's
 * guidance scale pushes away from. Previews and samples pass labels
 * through. Each call of its network draws its own rows, as dropout does.
 */
export const conditionDropout = defineOp({
  kind: 'condition-dropout',
  category: 'diffusion',
  title: 'Condition dropout',
  doc: 'labels [b, ...] -> [b, ...]: while training, each row zeroed with probability rate (unconditioned); unchanged in previews',
  params: z.object({
    rate: z.number().min(0).max(0.95).default(0.1).describe('The fraction of rows trained unconditioned (classifier-free guidance: 0.1 to 0.2)'),
  }),
  example: { params: { rate: 0.3 }, inputs: { x: [null, 4] } },
  modes: true,
  random: true,
  rowwise: true,
  twiceDifferentiable: () => true,
  inputs: () => [port('x')],
  outputs: () => [port('y')],
  refit: keepsShape('x'),
  bounds: (_p, inputs) => ({ y: inputs.x && [Math.min(0, inputs.x[0]), Math.max(0, inputs.x[1])] }),
  inferShape: (_p, inputs) => ({ y: inputs.x! }),
  memory: 5,
  compute: ({ tf, params, inputs, training, drawSite }) => ({
    y: training && drawSite !== undefined && params.rate > 0 ? opsFor(tf).dropRows(inputs.x!, params.rate, drawSite) : inputs.x!,
  }),
  forms: {
    typescript: {
      compute: ({ params, inputs, training = 'false', drawSite }) => ({
        y: drawSite && params.rate > 0 ? `(${training} ? ops.dropRows(${inputs.x}, ${params.rate}, ${drawSite}) : ${inputs.x})` : inputs.x!,
      }),
    },
    pytorch: {
      compute: ({ params, inputs, training = 'False', drawSite }) => ({
        y: drawSite && params.rate > 0 ? `(ops.drop_rows(${inputs.x}, ${pyLiteral(params.rate)}, ${drawSite}) if ${training} else ${inputs.x})` : inputs.x!,
      }),
    },
    // Off outside training: an exported network only infers.
    onnx: { compute: ({ b, ops, inputs }) => ({ y: ops.dropout(b, inputs.x!) }) },
  },
});
