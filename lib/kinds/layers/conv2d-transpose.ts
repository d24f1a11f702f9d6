import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { activationBounds, confiningActivation } from '../bounds';
import { defineOp, port } from '../kind';
import { activationParam, initializer, inputOfRank, jsonLiteral, kernelInitParam, padding, positiveInt, pyLiteral, tfPadding } from '../common';
import { spatialRefit } from '../refit';

/** Output size of a transposed convolution, as Keras' deconv_output_length computes it. */
const upSize = (size: number, kernel: number, stride: number, pad: 'SAME' | 'VALID') =>
  pad === 'SAME' ? size * stride : size * stride + Math.max(kernel - stride, 0);

/** Transposed 2-D convolution (a learned upsampling), as `tf.layers.conv2d_transpose`. */
export const conv2dTranspose = defineOp({
  kind: 'conv2d-transpose',
  rowwise: true,
  category: 'layers',
  title: 'Conv 2D transpose',
  doc: 'x [b, h, w, c] -> y [b, h * strides, w * strides, filters] (SAME) or [b, h * strides + max(k - strides, 0), ...] (VALID)',
  params: z.object({
    filters: positiveInt(4096).default(16).describe('Output channels'),
    kernelSize: positiveInt(64).default(3).describe('Width and height of the square kernel'),
    strides: positiveInt(64).default(2).describe('Upsampling factor'),
    padding,
    activation: activationParam,
    kernelInit: kernelInitParam.default('glorot-uniform'),
    stddev: z.number().positive().default(0.01).describe('Standard deviation of the "normal" initialiser'),
    useBias: z.boolean().default(true).describe('Add a learned bias per output channel'),
  }),
  example: { params: { filters: 3, kernelSize: 3, strides: 2, padding: 'VALID', activation: 'relu' }, inputs: { x: [null, 2, 2, 4] } },
  inputs: () => [port('x')],
  bounds: (p) => ({ y: activationBounds(p.activation, undefined) }),
  confine: (_p, wanted) => {
    const fn = confiningActivation(wanted);
    return fn && `its activation to ${fn}`;
  },
  outputs: () => [port('y')],
  refit: (p, inputs, _port, wanted) => spatialRefit(inputs.x, wanted, (size) => upSize(size, p.kernelSize, p.strides, p.padding), (out) => out, 'from-input', { filters: wanted[3] }),
  inferShape(p, inputs) {
    const [b, h, w] = inputOfRank(inputs, 'x', 4, 'NHWC images');
    return {
      y: [b ?? null, upSize(h as number, p.kernelSize, p.strides, p.padding), upSize(w as number, p.kernelSize, p.strides, p.padding), p.filters],
    };
  },
  weights(p, inputs) {
    const channels = inputs.x![3] as number;
    const area = p.kernelSize * p.kernelSize;
    const kernel = {
      name: 'W',
      // tfjs and Keras keep transposed kernels as [k, k, out, in].
      shape: [p.kernelSize, p.kernelSize, p.filters, channels],
      init: initializer(p.kernelInit, p.stddev),
      fans: { fanIn: area * p.filters, fanOut: area * channels },
    };
    return p.useBias ? [kernel, { name: 'b', shape: [p.filters], init: { kind: 'zeros' } }] : [kernel];
  },
  memory: 10,
  compute({ tf, params, inputs, weights }) {
    const x = inputs.x!;
    const [b, h, w] = x.shape as number[];
    const out: [number, number, number, number] = [
      b!,
      upSize(h!, params.kernelSize, params.strides, params.padding),
      upSize(w!, params.kernelSize, params.strides, params.padding),
      params.filters,
    ];
    const z = opsFor(tf).conv2dTranspose(x, weights.W!, out, params.strides, tfPadding(params.padding));
    return { y: opsFor(tf).activate(weights.b ? tf.add(z, weights.b) : z, params.activation) };
  },
  forms: {
    typescript: {
      compute: ({ params, inputs, inputShapes, weights }) => {
        const [, h, w] = inputShapes.x as number[];
        const out = `[${inputs.x}.shape[0], ${upSize(h!, params.kernelSize, params.strides, params.padding)}, ${upSize(w!, params.kernelSize, params.strides, params.padding)}, ${params.filters}]`;
        const conv = `ops.conv2dTranspose(${inputs.x}, ${weights.W}, ${out}, ${params.strides}, ${jsonLiteral(tfPadding(params.padding))})`;
        return { y: `ops.activate(${weights.b ? `tf.add(${conv}, ${weights.b})` : conv}, ${jsonLiteral(params.activation)})` };
      },
    },
    pytorch: {
      compute: ({ params, inputs, inputShapes, weights }) => {
        const [, h, w] = inputShapes.x!;
        const size = [upSize(h as number, params.kernelSize, params.strides, params.padding), upSize(w as number, params.kernelSize, params.strides, params.padding)];
        return { y: `ops.conv2d_transpose(${inputs.x}, ${weights.W}, ${weights.b ?? 'None'}, ${params.strides}, ${pyLiteral(params.padding)}, ${pyLiteral(params.activation)}, (${size.join(', ')}))` };
      },
    },
    onnx: {
      compute: ({ b, ops, params, inputs, inputShapes, weights, name }) => {
        const [, h, w] = inputShapes.x as number[];
        const size: [number, number] = [upSize(h!, params.kernelSize, params.strides, params.padding), upSize(w!, params.kernelSize, params.strides, params.padding)];
        return { y: ops.conv2dTranspose(b, inputs.x!, { kernel: weights.W!, bias: weights.b, strides: params.strides, padding: params.padding, activation: params.activation, size, hint: name }) };
      },
    },
  },
});
