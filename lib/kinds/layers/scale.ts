import { z } from 'zod';
import { defineOp, port } from '../kind';

export const scale = defineOp({
  kind: 'scale',
  category: 'layers',
  title: 'Scale',
  doc: 'x [...] -> y [...] = factor * x',
  params: z.object({ factor: z.number().finite().default(1).describe('The number every value is multiplied by') }),
  example: { params: { factor: -2.5 }, inputs: { x: [null, 3] } },
  inputs: () => [port('x')],
  outputs: () => [port('y')],
  inferShape: (_p, inputs) => ({ y: inputs.x! }),
  compute: ({ tf, params, inputs }) => ({ y: tf.mul(inputs.x!, params.factor) }),
  emit: ({ params, inputs }) => ({ y: `tf.mul(${inputs.x}, ${params.factor})` }),
});
