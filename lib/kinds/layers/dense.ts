import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { activationBounds, confiningActivation } from '../bounds';
import { defineOp, port } from '../kind';
import { activationParam, initializer, inputOfRank, jsonLiteral, kernelInitParam, positiveInt, pyLiteral } from '../common';

/** Fully connected layer; the seeds' `act(tf.matmul(x, W) + b)`. */
export const dense = defineOp({
  kind: 'dense',
  rowwise: true,
  category: 'layers',
  twiceDifferentiable: () => true,
  title: 'Dense',
  doc: 'x [b, n] -> y [b, units] = activation(x W + b)',
  params: z.object({
    units: positiveInt(65536).default(128).describe('Output size'),
    activation: activationParam,
    kernelInit: kernelInitParam.default('xavier-normal'),
    stddev: z.number().positive().default(0.01).describe('Standard deviation of the "normal" initialiser'),
    useBias: z.boolean().default(true).describe('Add a learned bias b'),
  }),
  example: { params: { units: 5, activation: 'relu' }, inputs: { x: [null, 7] } },
  inputs: () => [port('x')],
  bounds: (p) => ({ y: activationBounds(p.activation, undefined) }),
  confine: (_p, wanted) => {
    const fn = confiningActivation(wanted);
    return fn && `its activation to ${fn}`;
  },
  outputs: () => [port('y')],
  refit: (_p, inputs, _port, wanted) => (wanted.length === 2 && typeof wanted[1] === 'number' && inputs.x ? { params: { units: wanted[1] }, inputs: { x: inputs.x } } : undefined),
  inferShape(p, inputs) {
    // The rows stay: a batch stays a batch, and a draw the batch shares keeps its own rows.
    const [rows] = inputOfRank(inputs, 'x', 2, 'a batch of vectors');
    return { y: [rows ?? null, p.units] };
  },
  weights(p, inputs) {
    const n = inputs.x![1] as number;
    const kernel = { name: 'W', shape: [n, p.units], init: initializer(p.kernelInit, p.stddev) };
    return p.useBias ? [kernel, { name: 'b', shape: [p.units], init: { kind: 'zeros' } }] : [kernel];
  },
  memory: 8,
  compute: ({ tf, params, inputs, weights, needsGrad, known }) => ({
    y: opsFor(tf).dense(inputs.x!, weights.W!, weights.b, params.activation, needsGrad, known?.y),
  }),
  forms: {
    typescript: {
      compute: ({ params, inputs, weights, needsGrad, known }) => {
        const tracking = needsGrad ? [needsGrad, ...(known?.y ? [known.y] : [])] : [];
        return { y: `ops.dense(${[inputs.x, weights.W, weights.b ?? 'undefined', jsonLiteral(params.activation), ...tracking].join(', ')})` };
      },
    },
    pytorch: { compute: ({ params, inputs, weights }) => ({ y: `ops.dense(${inputs.x}, ${weights.W}, ${weights.b ?? 'None'}, ${pyLiteral(params.activation)})` }) },
    onnx: { compute: ({ b, ops, params, inputs, weights, name }) => ({ y: ops.dense(b, inputs.x!, { kernel: weights.W!, bias: weights.b, activation: params.activation, hint: name }) }) },
  },
});
