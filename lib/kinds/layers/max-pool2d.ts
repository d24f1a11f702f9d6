import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { defineOp, port } from '../kind';
import { convOutSize, inputOfRank, jsonLiteral, padding, positiveInt, tfPadding, pyLiteral } from '../common';
import { spatialRefit } from '../refit';

export const maxPool2d = defineOp({
  kind: 'max-pool2d',
  rowwise: true,
  category: 'layers',
  title: 'Max pool 2D',
  doc: 'x [b, h, w, c] -> y [b, h / strides, w / strides, c] (SAME) or [b, (h - pool + 1) / strides, ...] (VALID)',
  params: z.object({
    poolSize: positiveInt(64).default(2).describe('Width and height of the pooling window'),
    strides: positiveInt(64).default(2).describe('Step between windows'),
    padding,
  }),
  example: { params: { poolSize: 2, strides: 2, padding: 'SAME' }, inputs: { x: [null, 5, 5, 3] } },
  inputs: () => [port('x')],
  // Moves (or averages) values, never makes new ones.
  bounds: (_p, inputs) => ({ y: inputs.x }),
  outputs: () => [port('y')],
  refit: (p, inputs, _port, wanted) =>
    spatialRefit(inputs.x, wanted, (size) => convOutSize(size, p.poolSize, p.strides, p.padding), (out) => out * p.strides + p.poolSize, 'keep', {}),
  inferShape(p, inputs) {
    const [b, h, w, c] = inputOfRank(inputs, 'x', 4, 'NHWC images');
    return { y: [b ?? null, convOutSize(h as number, p.poolSize, p.strides, p.padding), convOutSize(w as number, p.poolSize, p.strides, p.padding), c as number] };
  },
  compute: ({ tf, params, inputs }) => ({ y: opsFor(tf).maxPool(inputs.x!, params.poolSize, params.strides, tfPadding(params.padding)) }),
  forms: {
    typescript: { compute: ({ params, inputs }) => ({ y: `ops.maxPool(${inputs.x}, ${params.poolSize}, ${params.strides}, ${jsonLiteral(tfPadding(params.padding))})` }) },
    pytorch: { compute: ({ params, inputs }) => ({ y: `ops.max_pool(${inputs.x}, ${params.poolSize}, ${params.strides}, ${pyLiteral(params.padding)})` }) },
    onnx: { compute: ({ b, ops, params, inputs }) => ({ y: ops.maxPool(b, inputs.x!, params.poolSize, params.strides, params.padding) }) },
  },
});
