import { z } from 'zod';
import { formatShape, sameShape } from '../shape';
import { defineOp, port, shapeError } from '../kind';

/**
 * The inner product of two vectors per row: a projection discriminator's
 * class term <embed(y), phi(x)> (Miyato and Koyama, 2018), or any score
 * that compares two codes.
 */
export const dot = defineOp({
  kind: 'dot',
  rowwise: true,
  category: 'layers',
  twiceDifferentiable: () => true,
  title: 'Inner product',
  doc: 'a [..., n], b [..., n] (same shape) -> y [..., 1] = sum over the last axis of a * b',
  params: z.object({}),
  example: { params: {}, inputs: { a: [null, 4], b: [null, 4] } },
  inputs: () => [port('a'), port('b')],
  outputs: () => [port('y')],
  sameShape: [['a', 'b']],
  inferShape(_p, inputs) {
    const a = inputs.a!;
    if (a.length < 2) shapeError('a', `needs a batch of vectors [b, n], got ${formatShape(a)}`);
    if (!sameShape(a, inputs.b!)) shapeError('b', `cannot multiply ${formatShape(inputs.b!)} with ${formatShape(a)}: shapes must match`);
    return { y: [...a.slice(0, -1), 1] };
  },
  compute: ({ tf, inputs }) => ({ y: tf.sum(tf.mul(inputs.a!, inputs.b!), -1, true) }),
  forms: {
    typescript: { compute: ({ inputs }) => ({ y: `tf.sum(tf.mul(${inputs.a}, ${inputs.b}), -1, true)` }) },
    pytorch: { compute: ({ inputs }) => ({ y: `(${inputs.a} * ${inputs.b}).sum(-1, keepdim=True)` }) },
    onnx: { compute: ({ b, ops, inputs }) => ({ y: ops.dot(b, inputs.a!, inputs.b!) }) },
  },
});
