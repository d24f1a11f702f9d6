import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { activationBounds, confiningActivation } from '../bounds';
import { defineOp, port } from '../kind';
import { activationParam, convOutSize, initializer, inputOfRank, jsonLiteral, kernelInitParam, padding, positiveInt, pyLiteral, tfPadding } from '../common';
import { spatialRefit } from '../refit';

/** 2-D convolution over NHWC images, as `tf.layers.conv2d`. */
export const conv2d = defineOp({
  kind: 'conv2d',
  rowwise: true,
  category: 'layers',
  title: 'Conv 2D',
  doc: 'x [b, h, w, c] -> y [b, h / strides, w / strides, filters] (SAME) or [b, (h - k + 1) / strides, ...] (VALID)',
  params: z.object({
    filters: positiveInt(4096).default(16).describe('Output channels'),
    kernelSize: positiveInt(64).default(3).describe('Width and height of the square kernel'),
    strides: positiveInt(64).default(1).describe('Step between kernel positions'),
    padding,
    activation: activationParam,
    kernelInit: kernelInitParam.default('glorot-uniform'),
    stddev: z.number().positive().default(0.01).describe('Standard deviation of the "normal" initialiser'),
    useBias: z.boolean().default(true).describe('Add a learned bias per output channel'),
  }),
  example: { params: { filters: 4, kernelSize: 3, strides: 2, activation: 'tanh' }, inputs: { x: [null, 9, 9, 2] } },
  inputs: () => [port('x')],
  bounds: (p) => ({ y: activationBounds(p.activation, undefined) }),
  confine: (_p, wanted) => {
    const fn = confiningActivation(wanted);
    return fn && `its activation to ${fn}`;
  },
  outputs: () => [port('y')],
  refit: (p, inputs, _port, wanted) =>
    spatialRefit(inputs.x, wanted, (size) => convOutSize(size, p.kernelSize, p.strides, p.padding), (out) => out * p.strides + p.kernelSize, 'from-input', { filters: wanted[3] }),
  inferShape(p, inputs) {
    const [b, h, w] = inputOfRank(inputs, 'x', 4, 'NHWC images');
    return {
      y: [b ?? null, convOutSize(h as number, p.kernelSize, p.strides, p.padding), convOutSize(w as number, p.kernelSize, p.strides, p.padding), p.filters],
    };
  },
  weights(p, inputs) {
    const channels = inputs.x![3] as number;
    const area = p.kernelSize * p.kernelSize;
    const kernel = {
      name: 'W',
      shape: [p.kernelSize, p.kernelSize, channels, p.filters],
      init: initializer(p.kernelInit, p.stddev),
      fans: { fanIn: area * channels, fanOut: area * p.filters },
    };
    return p.useBias ? [kernel, { name: 'b', shape: [p.filters], init: { kind: 'zeros' } }] : [kernel];
  },
  memory: 8,
  compute({ tf, params, inputs, weights }) {
    const z = opsFor(tf).conv2d(inputs.x!, weights.W!, params.strides, tfPadding(params.padding));
    return { y: opsFor(tf).activate(weights.b ? tf.add(z, weights.b) : z, params.activation) };
  },
  forms: {
    typescript: {
      compute: ({ params, inputs, weights }) => {
        const conv = `ops.conv2d(${inputs.x}, ${weights.W}, ${params.strides}, ${jsonLiteral(tfPadding(params.padding))})`;
        return { y: `ops.activate(${weights.b ? `tf.add(${conv}, ${weights.b})` : conv}, ${jsonLiteral(params.activation)})` };
      },
    },
    pytorch: { compute: ({ params, inputs, weights }) => ({ y: `ops.conv2d(${inputs.x}, ${weights.W}, ${weights.b ?? 'None'}, ${params.strides}, ${pyLiteral(params.padding)}, ${pyLiteral(params.activation)})` }) },
    onnx: {
      compute: ({ b, ops, params, inputs, weights, name }) => ({
        y: ops.conv2d(b, inputs.x!, { kernel: weights.W!, bias: weights.b, strides: params.strides, padding: params.padding, activation: params.activation, hint: name }),
      }),
    },
  },
});
