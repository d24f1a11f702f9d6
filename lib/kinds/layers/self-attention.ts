import { z } from 'zod';
import { opsFor } from '../../runtime/ops';
import { defineOp, port, shapeError } from '../kind';
import { inputOfRank, positiveInt } from '../common';

/** Every position attends to every other: (h w)^2 weights per head. Beyond 32 x 32 that outgrows the feature map many times over. */
const MAX_POSITIONS = 1024;

/** Values the forward and backward passes hold per value of x besides the attention matrices: q, k, v, the projections, their gradients (measured on cpu: 27). */
const LINEAR_MEMORY = 28;
/** [b, heads, hw, hw] matrices held at the peak: the scores, their softmax, its gradient and the softmax gradient's temporaries (measured: 4.9 at 32 x 32). */
const ATTENTION_MATRICES = 5;

/**
 * Self-attention between the positions of a feature map, as DDPM's
 * AttnBlock without its group norm and residual (wire a norm before it and
 * an Add after it): q, k, v = x Wqkv + bqkv, one 1x1 convolution [c, 3c]
 * whose channels are q's, k's and v's, each head after head; per head
 * softmax(q k^T / sqrt(c / heads)) v over the h w positions; then an output
 * projection [c, c] + [c]. Meant for low resolutions (16 x 16, 8 x 8).
 */
export const selfAttention = defineOp({
  kind: 'self-attention',
  rowwise: true,
  category: 'layers',
  // Matmuls and a softmax, whose gradients are tf ops again (a self-attention critic under a gradient penalty: SAGAN, WGAN-GP).
  twiceDifferentiable: () => true,
  title: 'Self-attention',
  doc: 'x [b, h, w, c] -> y [b, h, w, c]: each position attends to all h w positions, per head; costs (h w)^2 per head, so at most 32 x 32',
  params: z.object({
    heads: positiveInt(256).default(1).describe('Attention heads: each attends with c / heads of the channels (must divide c)'),
  }),
  example: { params: { heads: 1 }, inputs: { x: [null, 4, 4, 4] } },
  inputs: () => [port('x')],
  outputs: () => [port('y')],
  refit: (p, _inputs, _port, wanted) => {
    const [, h, w, c] = wanted;
    if (wanted.length !== 4 || typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number' || c % p.heads !== 0 || h * w > MAX_POSITIONS) return undefined;
    return { params: {}, inputs: { x: wanted } };
  },
  inferShape(p, inputs) {
    const x = inputOfRank(inputs, 'x', 4, 'NHWC feature maps');
    const [, h, w, c] = x as [null, number, number, number];
    if (c % p.heads !== 0) shapeError('x', `${p.heads} heads do not divide its ${c} channels`, `Set heads to a divisor of ${c}, or give it a multiple of ${p.heads} channels.`);
    if (h * w > MAX_POSITIONS) {
      shapeError('x', `attention over ${h * w} positions (${h} x ${w}) compares ${h * w}^2 pairs per head; it allows at most ${MAX_POSITIONS} positions`, 'Place it at a lower resolution, 32 x 32 or less: after a strided convolution or a pooling.');
    }
    return { y: x };
  },
  weights(_p, inputs) {
    const c = inputs.x![3] as number;
    return [
      { name: 'W_qkv', shape: [c, 3 * c], init: { kind: 'glorot-uniform' }, fans: { fanIn: c, fanOut: 3 * c } },
      { name: 'b_qkv', shape: [3 * c], init: { kind: 'zeros' } },
      { name: 'W_out', shape: [c, c], init: { kind: 'glorot-uniform' }, fans: { fanIn: c, fanOut: c } },
      { name: 'b_out', shape: [c], init: { kind: 'zeros' } },
    ];
  },
  // Per value of x: the linear part, and heads hw^2 / (hw c) = heads hw / c per attention matrix.
  memory: (p, inputs) => {
    const x = inputs.x;
    // A node with errors (x missing, or not a feature map) holds nothing: the figure only has to be a number.
    if (x?.length !== 4 || !x.slice(1).every((d) => typeof d === 'number' && d > 0)) return LINEAR_MEMORY;
    const [, h, w, c] = x as [null, number, number, number];
    return LINEAR_MEMORY + (ATTENTION_MATRICES * p.heads * h * w) / c;
  },
  compute: ({ tf, params, inputs, weights: w }) => ({ y: opsFor(tf).selfAttention(inputs.x!, w.W_qkv!, w.b_qkv!, w.W_out!, w.b_out!, params.heads) }),
  forms: {
    typescript: { compute: ({ params, inputs, weights: w }) => ({ y: `ops.selfAttention(${inputs.x}, ${w.W_qkv}, ${w.b_qkv}, ${w.W_out}, ${w.b_out}, ${params.heads})` }) },
    pytorch: { compute: ({ params, inputs, weights: w }) => ({ y: `ops.self_attention(${inputs.x}, ${w.W_qkv}, ${w.b_qkv}, ${w.W_out}, ${w.b_out}, ${params.heads})` }) },
    onnx: {
      compute: ({ b, ops, params, inputs, weights: w, name }) => ({
        y: ops.selfAttention(b, inputs.x!, { qkvKernel: w.W_qkv!, qkvBias: w.b_qkv!, outKernel: w.W_out!, outBias: w.b_out!, heads: params.heads, hint: name }),
      }),
    },
  },
});
