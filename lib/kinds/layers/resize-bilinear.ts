import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { defineOp, port } from '../kind';
import { inputOfRank, positiveInt, pyLiteral } from '../common';

/** Bilinear resize, TF1's `tf.image.resize_images` default (no corner alignment, no half-pixel centers). */
export const resizeBilinear = defineOp({
  kind: 'resize-bilinear',
  rowwise: true,
  category: 'layers',
  title: 'Resize bilinear',
  doc: 'x [b, h, w, c] -> y [b, height, width, c]',
  params: z
    .object({
      height: positiveInt(8192).default(28).describe('Output height'),
      width: positiveInt(8192).default(28).describe('Output width'),
      alignCorners: z.boolean().default(false).describe('Align the corner pixels of input and output (TF1 align_corners)'),
      halfPixelCenters: z.boolean().default(false).describe('Sample at pixel centres (TF2 behaviour; TF1 default off)'),
    })
    // TensorFlow (and tfjs, at run time) refuses the two together.
    .refine((p) => !(p.alignCorners && p.halfPixelCenters), { path: ['halfPixelCenters'], message: 'cannot be on together with align corners' }),
  example: { params: { height: 7, width: 5 }, inputs: { x: [null, 4, 4, 2] } },
  inputs: () => [port('x')],
  // Moves (or averages) values, never makes new ones.
  bounds: (_p, inputs) => ({ y: inputs.x }),
  outputs: () => [port('y')],
  // Any input size resizes to any output size: only the channels pass through.
  refit: (_p, inputs, _port, wanted) => {
    const x = inputs.x;
    if (!x || x.length !== 4 || wanted.length !== 4) return undefined;
    return { params: { height: wanted[1], width: wanted[2] }, inputs: { x: [x[0] ?? null, x[1]!, x[2]!, wanted[3]!] } };
  },
  inferShape(p, inputs) {
    const [b, , , c] = inputOfRank(inputs, 'x', 4, 'NHWC images');
    return { y: [b ?? null, p.height, p.width, c as number] };
  },
  memory: 7,
  compute: ({ tf, params, inputs }) => ({
    y: opsFor(tf).resizeBilinear(inputs.x!, [params.height, params.width], params.alignCorners, params.halfPixelCenters),
  }),
  forms: {
    typescript: {
      compute: ({ params, inputs }) => ({
        y: `ops.resizeBilinear(${inputs.x}, [${params.height}, ${params.width}], ${params.alignCorners}, ${params.halfPixelCenters})`,
      }),
    },
    pytorch: { compute: ({ params, inputs }) => ({ y: `ops.resize_bilinear(${inputs.x}, (${params.height}, ${params.width}), ${pyLiteral(params.alignCorners)}, ${pyLiteral(params.halfPixelCenters)})` }) },
    onnx: { compute: ({ b, ops, params, inputs }) => ({ y: ops.resizeBilinear(b, inputs.x!, [params.height, params.width], params.alignCorners, params.halfPixelCenters) }) },
  },
});
