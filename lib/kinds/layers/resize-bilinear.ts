import { z } from 'zod';
import { opsFor } from '../../compile/ops';
import { defineOp, port } from '../kind';
import { inputOfRank, positiveInt } from '../common';

/** Bilinear resize, TF1's `tf.image.resize_images` default (no corner alignment, no half-pixel centers). */
export const resizeBilinear = defineOp({
  kind: 'resize-bilinear',
  category: 'layers',
  title: 'Resize bilinear',
  doc: 'x [b, h, w, c] -> y [b, height, width, c]',
  params: z.object({
    height: positiveInt(8192).default(28),
    width: positiveInt(8192).default(28),
    alignCorners: z.boolean().default(false),
    halfPixelCenters: z.boolean().default(false),
  }),
  inputs: () => [port('x')],
  outputs: () => [port('y')],
  inferShape(p, inputs) {
    const [b, , , c] = inputOfRank(inputs, 'x', 4, 'NHWC images');
    return { y: [b ?? null, p.height, p.width, c as number] };
  },
  compute: ({ tf, params, inputs }) => ({
    y: opsFor(tf).resizeBilinear(inputs.x!, [params.height, params.width], params.alignCorners, params.halfPixelCenters),
  }),
  emit: ({ params, inputs }) => ({
    y: `ops.resizeBilinear(${inputs.x}, [${params.height}, ${params.width}], ${params.alignCorners}, ${params.halfPixelCenters})`,
  }),
});
