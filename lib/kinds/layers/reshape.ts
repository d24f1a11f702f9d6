import { z } from 'zod';
import { featureSize, formatShape } from '../shape';
import { defineOp, port, shapeError } from '../kind';
import { inputWithRows } from '../common';

/** Reshapes each batch item; one dimension may be -1 (inferred). */
export const reshape = defineOp({
  kind: 'reshape',
  rowwise: true,
  category: 'layers',
  twiceDifferentiable: () => true,
  title: 'Reshape',
  doc: 'x [b, ...] -> y [b, ...shape] with the same number of elements per item',
  params: z.object({
    shape: z
      .array(z.number().int().min(-1).refine((d) => d !== 0, 'dimensions must be positive or -1'))
      .min(1)
      .max(8)
      .refine((s) => s.filter((d) => d === -1).length <= 1, 'at most one dimension may be -1')
      .default([28, 28, 1])
      .describe('Shape of one item, without the batch dimension; one dimension may be -1'),
  }),
  example: { params: { shape: [-1, 4, 1] }, inputs: { x: [null, 16] } },
  inputs: () => [port('x')],
  // Moves (or averages) values, never makes new ones.
  bounds: (_p, inputs) => ({ y: inputs.x }),
  outputs: () => [port('y')],
  // The new shape; a flat input grows or shrinks to its size, any other must already have it.
  refit: (_p, inputs, _port, wanted) => {
    const x = inputs.x;
    const shape = wanted.slice(1);
    if (!x || x.length === 0 || shape.length === 0 || !shape.every((d): d is number => typeof d === 'number')) return undefined;
    const size = shape.reduce((a, b) => a * b, 1);
    if (featureSize(x) === size) return { params: { shape }, inputs: { x } };
    return x.length === 2 ? { params: { shape }, inputs: { x: [x[0] ?? null, size] } } : undefined;
  },
  inferShape(p, inputs) {
    const x = inputWithRows(inputs, 'x');
    const size = featureSize(x);
    const known = p.shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const fits = p.shape.includes(-1) ? size % known === 0 : size === known;
    if (!fits) {
      shapeError('x', `cannot reshape ${formatShape(x)} (${size} per item) to [b, ${p.shape.join(', ')}]`, 'Choose a shape with the same number of elements.');
    }
    // The first dimension stays (compute keeps it): a batch, or the rows of a shared draw.
    return { y: [x[0] ?? null, ...p.shape.map((d) => (d === -1 ? size / known : d))] };
  },
  compute: ({ tf, params, inputs }) => ({ y: tf.reshape(inputs.x!, [inputs.x!.shape[0]!, ...params.shape]) }),
  forms: {
    typescript: { compute: ({ params, inputs }) => ({ y: `tf.reshape(${inputs.x}, [${inputs.x}.shape[0], ${params.shape.join(', ')}])` }) },
    pytorch: { compute: ({ params, inputs }) => ({ y: `${inputs.x}.reshape(${inputs.x}.shape[0], ${params.shape.join(', ')})` }) },
    onnx: { compute: ({ b, ops, params, inputs }) => ({ y: ops.reshape(b, inputs.x!, params.shape) }) },
  },
});
