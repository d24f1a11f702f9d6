import { z } from 'zod';
import { pyLiteral } from '../common';
import { defineOp, port } from '../kind';
import { keepsShape } from '../refit';

export const scale = defineOp({
  kind: 'scale',
  rowwise: true,
  category: 'layers',
  twiceDifferentiable: () => true,
  title: 'Scale',
  doc: 'x [...] -> y [...] = factor * x',
  params: z.object({ factor: z.number().finite().default(1).describe('The number every value is multiplied by') }),
  example: { params: { factor: -2.5 }, inputs: { x: [null, 3] } },
  inputs: () => [port('x')],
  outputs: () => [port('y')],
  refit: keepsShape('x'),
  bounds: (p, inputs) => ({ y: inputs.x && [Math.min(inputs.x[0] * p.factor, inputs.x[1] * p.factor), Math.max(inputs.x[0] * p.factor, inputs.x[1] * p.factor)] }),
  inferShape: (_p, inputs) => ({ y: inputs.x! }),
  compute: ({ tf, params, inputs }) => ({ y: tf.mul(inputs.x!, params.factor) }),
  forms: {
    typescript: { compute: ({ params, inputs }) => ({ y: `tf.mul(${inputs.x}, ${params.factor})` }) },
    pytorch: { compute: ({ params, inputs }) => ({ y: `(${inputs.x} * ${pyLiteral(params.factor)})` }) },
    onnx: { compute: ({ b, ops, params, inputs }) => ({ y: ops.scale(b, inputs.x!, params.factor) }) },
  },
});
