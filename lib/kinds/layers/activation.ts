import { z } from 'zod';
import { ACTIVATIONS, opsFor } from '../../runtime/ops';
import { activationBounds, confiningActivation } from '../bounds';
import { defineOp, port } from '../kind';
import { jsonLiteral, pyLiteral } from '../common';
import { keepsShape } from '../refit';

export const activation = defineOp({
  kind: 'activation',
  rowwise: true,
  category: 'layers',
  // tfjs's leaky ReLU gradient compares with Greater, which has no gradient of its own.
  twiceDifferentiable: (p) => p.fn !== 'leaky-relu',
  title: 'Activation',
  doc: 'x [...] -> y [...]: relu, leaky relu (alpha), sigmoid, tanh, silu (x sigmoid(x)) or linear, elementwise',
  params: z.object({
    fn: z.enum([...ACTIVATIONS, 'leaky-relu']).default('relu').describe('The function applied to every value'),
    alpha: z.number().finite().min(0).default(0.2).describe('Slope for negative inputs (leaky relu)'),
  }),
  example: { params: { fn: 'leaky-relu', alpha: 0.1 }, inputs: { x: [null, 3, 4] } },
  inputs: () => [port('x')],
  bounds: (p, inputs) => ({ y: activationBounds(p.fn, inputs.x) }),
  confine: (_p, wanted) => {
    const fn = confiningActivation(wanted);
    return fn && `its function to ${fn}`;
  },
  outputs: () => [port('y')],
  refit: keepsShape('x'),
  inferShape: (_p, inputs) => ({ y: inputs.x! }),
  memory: 6,
  compute: ({ tf, params, inputs }) => ({ y: opsFor(tf).activate(inputs.x!, params.fn, params.alpha) }),
  forms: {
    typescript: { compute: ({ params, inputs }) => ({ y: `ops.activate(${inputs.x}, ${jsonLiteral(params.fn)}, ${params.alpha})` }) },
    pytorch: { compute: ({ params, inputs }) => ({ y: `ops.activate(${inputs.x}, ${pyLiteral(params.fn)}, ${pyLiteral(params.alpha)})` }) },
    onnx: { compute: ({ b, ops, params, inputs }) => ({ y: ops.activate(b, inputs.x!, params.fn, params.alpha) }) },
  },
});
