import { z } from 'zod';
import { formatShape, type Shape } from '../shape';
import { hull } from '../bounds';
import { defineOp, port, shapeError, type Tensor } from '../kind';

const inputPorts = (count: number) => Array.from({ length: count }, (_, i) => port(`in${i}`, `in ${i + 1}`));

/** Joins tensors along the last axis, e.g. D's concat([x, z]); a conditional conv net tiles its label over the image first. */
export const concat = defineOp({
  kind: 'concat',
  rowwise: true,
  category: 'layers',
  twiceDifferentiable: () => true,
  title: 'Concat',
  doc: 'in 1 [b, ..., n1], in 2 [b, ..., n2], ... -> y [b, ..., n1 + n2 + ...] (last axis); broadcast: [b, n] beside [b, h, w, c] -> [b, h, w, c + n]',
  params: z.object({
    inputs: z.number().int().min(2).max(16).default(2).describe('How many tensors to join'),
    broadcast: z.boolean().default(false).describe('Tile vectors [b, n] over the height and width of images [b, h, w, c] (a label beside every pixel)'),
  }),
  example: { params: { inputs: 3, broadcast: true }, inputs: { in0: [null, 4, 5, 2], in1: [null, 3], in2: [null, 4, 5, 1] } },
  inputs: (p) => inputPorts(p.inputs),
  outputs: () => [port('y')],
  bounds: (p, inputs) => ({ y: hull(inputPorts(p.inputs).map(({ id }) => inputs[id])) }),
  inferShape(p, inputs) {
    const ports = inputPorts(p.inputs);
    const image = p.broadcast ? ports.map(({ id }) => inputs[id]!).find((s) => s.length === 4) : undefined;
    const tiled = (shape: Shape) => (image && shape.length === 2 ? [shape[0]!, image[1]!, image[2]!, shape[1]!] : shape);
    const first = tiled(inputs[ports[0]!.id]!);
    let last = 0;
    for (const { id } of ports) {
      const shape = tiled(inputs[id]!);
      const same = shape.length === first.length && shape.slice(0, -1).every((d, i) => d === first[i]);
      if (!same || shape.length === 0) {
        shapeError(id, `cannot concat ${formatShape(shape)} with ${formatShape(first)}: all dimensions but the last must match`);
      }
      last += shape[shape.length - 1] as number;
    }
    return { y: [...first.slice(0, -1), last] };
  },
  memory: 6,
  compute: ({ tf, params, inputs }) => {
    const values = inputPorts(params.inputs).map((p) => inputs[p.id]!);
    const image = params.broadcast ? values.find((v) => v.rank === 4) : undefined;
    // Spread by a product with ones, not tiled: tf.tile's (and broadcastTo's) gradient slices and adds once per pixel.
    const tile = (v: Tensor) => (image && v.rank === 2 ? tf.mul(tf.reshape(v, [-1, 1, 1, v.shape[1]!]), tf.ones([1, image.shape[1]!, image.shape[2]!, 1])) : v);
    return { y: tf.concat(values.map(tile), -1) };
  },
  forms: {
    typescript: {
      compute: ({ params, inputs, inputShapes }) => {
        const ports = inputPorts(params.inputs);
        const image = params.broadcast ? ports.map((p) => inputShapes[p.id]!).find((s) => s.length === 4) : undefined;
        const tile = (id: string) => {
          const shape = inputShapes[id]!;
          return image && shape.length === 2 ? `tf.mul(tf.reshape(${inputs[id]}, [-1, 1, 1, ${shape[1]}]), tf.ones([1, ${image[1]}, ${image[2]}, 1]))` : inputs[id];
        };
        return { y: `tf.concat([${ports.map((p) => tile(p.id)).join(', ')}], -1)` };
      },
    },
    pytorch: { compute: ({ params, inputs }) => ({ y: `ops.concat([${inputPorts(params.inputs).map((p) => inputs[p.id]).join(', ')}], broadcast=${params.broadcast ? 'True' : 'False'})` }) },
    onnx: { compute: ({ b, ops, params, inputs }) => ({ y: ops.concat(b, inputPorts(params.inputs).map((p) => inputs[p.id]!), params.broadcast) }) },
  },
});
