import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { defineOp, port } from '../kind';
import { inputOfRank } from '../common';
import { spatialRefit } from '../refit';

/** Nearest-neighbour upsampling by a whole factor, as torch.nn.Upsample(scale_factor, mode='nearest'): each pixel becomes a factor x factor block. */
export const upsample = defineOp({
  kind: 'upsample',
  rowwise: true,
  category: 'layers',
  twiceDifferentiable: () => true,
  title: 'Upsample',
  doc: 'x [b, h, w, c] -> y [b, h * factor, w * factor, c], each pixel repeated (nearest neighbour)',
  params: z.object({
    factor: z.number().int().min(2).max(16).default(2).describe('How many times larger the height and the width become'),
  }),
  example: { params: { factor: 2 }, inputs: { x: [null, 3, 4, 2] } },
  inputs: () => [port('x')],
  // Copies values, never makes new ones.
  bounds: (_p, inputs) => ({ y: inputs.x }),
  outputs: () => [port('y')],
  // The input that many times smaller, where the size wanted is a multiple of the factor.
  refit: (p, inputs, _port, wanted) =>
    spatialRefit(inputs.x, wanted, (size) => size * p.factor, (out) => Math.floor(out / p.factor), 'keep', {}),
  inferShape(p, inputs) {
    const [b, h, w, c] = inputOfRank(inputs, 'x', 4, 'NHWC images');
    return { y: [b ?? null, (h as number) * p.factor, (w as number) * p.factor, c as number] };
  },
  memory: 5,
  compute: ({ tf, params, inputs }) => ({ y: opsFor(tf).upsample(inputs.x!, params.factor) }),
  forms: {
    typescript: { compute: ({ params, inputs }) => ({ y: `ops.upsample(${inputs.x}, ${params.factor})` }) },
    pytorch: { compute: ({ params, inputs }) => ({ y: `ops.upsample(${inputs.x}, ${params.factor})` }) },
    onnx: { compute: ({ b, ops, params, inputs }) => ({ y: ops.upsample(b, inputs.x!, params.factor) }) },
  },
});
