import { z } from 'zod';
import { featureSize } from '../shape';
import { defineOp, port } from '../kind';
import { inputWithRows } from '../common';

export const flatten = defineOp({
  kind: 'flatten',
  rowwise: true,
  category: 'layers',
  twiceDifferentiable: () => true,
  title: 'Flatten',
  doc: 'x [b, d1, d2, ...] -> y [b, d1 * d2 * ...]',
  params: z.object({}),
  example: { params: {}, inputs: { x: [null, 4, 3, 2] } },
  inputs: () => [port('x')],
  // Moves (or averages) values, never makes new ones.
  bounds: (_p, inputs) => ({ y: inputs.x }),
  outputs: () => [port('y')],
  inferShape: (_p, inputs) => {
    const x = inputWithRows(inputs, 'x');
    return { y: [x[0] ?? null, featureSize(x)] };
  },
  compute: ({ tf, inputs }) => ({ y: tf.reshape(inputs.x!, [inputs.x!.shape[0]!, -1]) }),
  forms: {
    typescript: { compute: ({ inputs }) => ({ y: `tf.reshape(${inputs.x}, [${inputs.x}.shape[0], -1])` }) },
    pytorch: { compute: ({ inputs }) => ({ y: `${inputs.x}.reshape(${inputs.x}.shape[0], -1)` }) },
    onnx: { compute: ({ b, ops, inputs }) => ({ y: ops.flatten(b, inputs.x!) }) },
  },
});
