import { z } from 'zod';
import { formatShape, sameShape } from '../shape';
import { defineOp, port, shapeError } from '../kind';
import { keepsShape } from '../refit';

export const add = defineOp({
  kind: 'add',
  rowwise: true,
  category: 'layers',
  twiceDifferentiable: () => true,
  title: 'Add',
  doc: 'a [...], b [...] (same shape) -> y [...] = a + b',
  params: z.object({}),
  example: { params: {}, inputs: { a: [null, 3], b: [null, 3] } },
  inputs: () => [port('a'), port('b')],
  outputs: () => [port('y')],
  refit: keepsShape('a', 'b'),
  sameShape: [['a', 'b']],
  bounds: (_p, inputs) => ({ y: inputs.a && inputs.b && [inputs.a[0] + inputs.b[0], inputs.a[1] + inputs.b[1]] }),
  inferShape(_p, inputs) {
    if (!sameShape(inputs.a!, inputs.b!)) shapeError('b', `cannot add ${formatShape(inputs.b!)} to ${formatShape(inputs.a!)}: shapes must match`);
    return { y: inputs.a! };
  },
  compute: ({ tf, inputs }) => ({ y: tf.add(inputs.a!, inputs.b!) }),
  forms: {
    typescript: { compute: ({ inputs }) => ({ y: `tf.add(${inputs.a}, ${inputs.b})` }) },
    pytorch: { compute: ({ inputs }) => ({ y: `(${inputs.a} + ${inputs.b})` }) },
    onnx: { compute: ({ b, ops, inputs }) => ({ y: ops.add(b, inputs.a!, inputs.b!) }) },
  },
});
