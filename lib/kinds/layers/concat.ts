import { z } from 'zod';
import { formatShape } from '../shape';
import { hull } from '../bounds';
import { defineOp, port, shapeError } from '../kind';

const inputPorts = (count: number) => Array.from({ length: count }, (_, i) => port(`in${i}`, `in ${i + 1}`));

/** Joins tensors along the last axis, e.g. D's concat([x, z]). */
export const concat = defineOp({
  kind: 'concat',
  category: 'layers',
  title: 'Concat',
  doc: 'in 1 [b, ..., n1], in 2 [b, ..., n2], ... -> y [b, ..., n1 + n2 + ...] (last axis)',
  params: z.object({ inputs: z.number().int().min(2).max(16).default(2).describe('How many tensors to join') }),
  example: { params: { inputs: 3 }, inputs: { in0: [null, 2], in1: [null, 3], in2: [null, 1] } },
  inputs: (p) => inputPorts(p.inputs),
  outputs: () => [port('y')],
  bounds: (p, inputs) => ({ y: hull(inputPorts(p.inputs).map(({ id }) => inputs[id])) }),
  inferShape(p, inputs) {
    const ports = inputPorts(p.inputs);
    const first = inputs[ports[0]!.id]!;
    let last = 0;
    for (const { id } of ports) {
      const shape = inputs[id]!;
      const same = shape.length === first.length && shape.slice(0, -1).every((d, i) => d === first[i]);
      if (!same || shape.length === 0) {
        shapeError(id, `cannot concat ${formatShape(shape)} with ${formatShape(first)}: all dimensions but the last must match`);
      }
      last += shape[shape.length - 1] as number;
    }
    return { y: [...first.slice(0, -1), last] };
  },
  compute: ({ tf, params, inputs }) => ({ y: tf.concat(inputPorts(params.inputs).map((p) => inputs[p.id]!), -1) }),
  emit: ({ params, inputs }) => ({ y: `tf.concat([${inputPorts(params.inputs).map((p) => inputs[p.id]).join(', ')}], -1)` }),
});
