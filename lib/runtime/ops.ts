import type * as tfjs from '@tensorflow/tfjs';
import { randomBits, siteDraws, type DrawSite } from './random';

// This module is runtime: it imports only other runtime modules, so the exporter ships it verbatim.
export type TF = typeof tfjs;
export type Tensor = tfjs.Tensor;

/** Which of a node's tensors must carry gradients in the current optimizer step. */
export interface GradNeeds {
  inputs: boolean;
  weights: boolean;
}

/**
 * Numerics helpers shared by the kinds' `compute`, the compiler and the code
 * the exporter writes (as `ops.*`). They exist for speed: tfjs's matMul
 * gradient passes transpose flags, which the wasm backend runs ~10x slower than
 * a plain matMul. Here the backward pass transposes explicitly (bit-identical
 * results), fuses bias and activation into the forward matMul, and computes
 * only the gradients the current optimizer step needs.
 *
 * tfjs disposes everything a custom forward pass created or captured unless it
 * is passed to `save`, so every tensor a gradient reads goes through `save`.
 */
export const ACTIVATIONS = ['linear', 'relu', 'sigmoid', 'tanh', 'silu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

const ALL: GradNeeds = { inputs: true, weights: true };

export type Ops = ReturnType<typeof createOps>;

const cache = new WeakMap<object, Ops>();

/** Ops bound to one tfjs instance (memoised: kinds call this on every compute). */
export function opsFor(tf: TF): Ops {
  let ops = cache.get(tf);
  if (!ops) {
    ops = createOps(tf);
    cache.set(tf, ops);
  }
  return ops;
}

/**
 * The frequencies of a sinusoidal time embedding, exp(-ln(maxPeriod) i / half)
 * for i < half, computed in float64 and then rounded to float32, as the
 * PyTorch export computes them: t scale f is then the same float32 in every
 * target, and their sines agree to a unit in the last place even at t = 1000.
 */
export function timeFrequencies(half: number, maxPeriod: number): Float32Array {
  const frequencies = new Float32Array(half);
  for (let i = 0; i < half; i++) frequencies[i] = Math.exp((-Math.log(maxPeriod) * i) / half);
  return frequencies;
}

type Save = (tensors: Tensor[]) => void;
type GradFn = (dy: Tensor, saved: Tensor[]) => Tensor[];

function createOps(tf: TF) {
  /** tf.customGrad with plain tensor parameters (its own typing mixes in the save function). */
  const custom = <A extends Tensor[]>(f: (...args: [...A, Save]) => { value: Tensor; gradFunc: GradFn }) =>
    tf.customGrad(f as never) as unknown as (...args: A) => Tensor;

  /** The activations whose slope the dense backward pass writes from their output (silu's needs its input: see `dense`). */
  type FromOutput = Exclude<Activation, 'silu'>;

  /** d(activation)/d(pre-activation), expressed with the activation's output y. */
  function activationGrad(dy: Tensor, y: Tensor, activation: FromOutput): Tensor {
    switch (activation) {
      case 'linear':
        return dy;
      case 'relu':
        return tf.mul(dy, tf.step(y));
      case 'sigmoid':
        return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
      case 'tanh':
        return tf.mul(dy, tf.sub(1, tf.square(y)));
    }
  }

  /**
   * matMul + bias + activation as one kernel. tf.fused.matMul declines to fuse
   * while gradients are recorded; inside a custom gradient's forward pass
   * nothing is recorded, so the kernel is called directly (on rank-3 views, as
   * tf.fused.matMul does). Measured: ~6% less CPU per ALI iteration on wasm.
   */
  function denseForward(x: Tensor, w: Tensor, b: Tensor | undefined, activation: Activation): Tensor {
    // The kernel fuses neither tanh nor silu.
    const fusable = activation === 'tanh' || activation === 'silu' ? 'linear' : activation;
    const [rows, inner] = x.shape as [number, number];
    const cols = w.shape[1]!;
    const a = tf.reshape(x, [1, rows, inner]);
    const weights = tf.reshape(w, [1, inner, cols]);
    const inputs: tfjs.NamedTensorMap = b ? { a, b: weights, bias: b } : { a, b: weights };
    const z = tf.reshape(tf.engine().runKernel('_FusedMatMul', inputs, { transposeA: false, transposeB: false, activation: fusable }) as Tensor, [rows, cols]);
    return fusable === activation ? z : activate(z, activation);
  }

  /**
   * Plain matMuls only: a^T @ b, and a @ b^T computed as (b @ a^T)^T. The wasm
   * backend packs the right-hand operand on every call, so the small gradient
   * (batch x units) goes on the right and the large weight on the left: 2x
   * faster at batch 32, bit-identical.
   */
  const matMulTA = (a: Tensor, b: Tensor) => tf.matMul(tf.transpose(a) as tfjs.Tensor2D, b as tfjs.Tensor2D);
  const matMulTB = (a: Tensor, b: Tensor) => tf.transpose(tf.matMul(b as tfjs.Tensor2D, tf.transpose(a) as tfjs.Tensor2D));

  /**
   * y = activation(x @ w + b), with the fast backward pass. Only the tensors
   * that need gradients in this step are arguments of the custom gradient.
   * `w` and `b` must outlive the step (they are variables), so the backward
   * pass reads them from the closure; saving them would copy them every step.
   * `known` is this layer's output already computed for the same x, w and b.
   */
  function dense(x: Tensor, w: Tensor, b: Tensor | undefined, activation: Activation, needs: GradNeeds = ALL, known?: Tensor): Tensor {
    if (!needs.inputs && !needs.weights) return known ?? denseForward(x, w, b, activation);
    // SiLU's slope, sigmoid(z) (1 + z (1 - sigmoid(z))), needs z, which this custom gradient could keep only off
    // tfjs's tape: a gradient penalty through the layer would lose that term. The matMul takes the fast path,
    // x sigmoid(x) is differentiated by tfjs (twice, where asked), on the linear output kept on the tape.
    if (activation === 'silu') return activate(dense(x, w, b, 'linear', needs), 'silu');
    const fn: FromOutput = activation;
    const args = [...(needs.inputs ? [x] : []), ...(needs.weights ? [w, ...(b ? [b] : [])] : [])];
    const forward = (...all: unknown[]) => {
      const save = all.pop() as Save;
      const input = needs.inputs ? (all[0] as Tensor) : x;
      // A value computed earlier for the same inputs and weights skips the matMul.
      const y = known ? tf.clone(known) : denseForward(input, w, b, fn);
      save(needs.weights ? [input, y] : [y]);
      return {
        value: y,
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const dz = activationGrad(dy, saved.at(-1)!, fn);
          const grads: Tensor[] = [];
          if (needs.inputs) grads.push(matMulTB(dz, w));
          if (needs.weights) grads.push(matMulTA(saved[0]!, dz), ...(b ? [tf.sum(dz, 0)] : []));
          return grads;
        },
      };
    };
    return tf.customGrad(forward as never)(...(args as [Tensor])) as Tensor;
  }

  function activate(x: Tensor, activation: Activation | 'leaky-relu', alpha = 0.2): Tensor {
    switch (activation) {
      case 'linear':
        return x;
      case 'relu':
        return tf.relu(x);
      case 'leaky-relu':
        return tf.leakyRelu(x, alpha);
      case 'sigmoid':
        return tf.sigmoid(x);
      case 'tanh':
        return tf.tanh(x);
      case 'silu':
        return tf.mul(x, tf.sigmoid(x));
    }
  }

  /** TF1's numerically stable sigmoid_cross_entropy_with_logits against a constant label (0, 1, or soft: 0.9), batch mean. */
  function sigmoidCrossEntropy(logits: Tensor, label: number): Tensor {
    const positive = tf.relu(logits);
    const softplusTail = tf.log1p(tf.exp(tf.neg(tf.abs(logits))));
    // max(l, 0) - l y + log(1 + e^-|l|); the hard labels keep the seeds' exact operations.
    const linear = label === 1 ? tf.sub(positive, logits) : label === 0 ? positive : tf.sub(positive, tf.mul(logits, label));
    const perItem = tf.add(linear, softplusTail);
    return tf.mean(perItem);
  }

  /** Cross-entropy of sigmoid(logits) against targets in [0, 1], stably: max(l, 0) - l t + log(1 + e^-|l|), averaged or summed. */
  function binaryCrossEntropy(logits: Tensor, target: Tensor, reduction: 'mean' | 'sum'): Tensor {
    const perValue = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return reduction === 'mean' ? tf.mean(perValue) : tf.sum(perValue);
  }

  /** tf.losses.log_loss against a constant label: -mean(log(p + eps)) or -mean(log(1 - p + eps)). */
  function logLoss(p: Tensor, label: 0 | 1, epsilon: number): Tensor {
    const inner = label === 1 ? tf.add(p, epsilon) : tf.add(tf.sub(1, p), epsilon);
    return tf.neg(tf.mean(tf.log(inner)));
  }

  /** The VAE seed's KL term: 0.5 * sum(mean^2 + std^2 - 2 log(std + eps) - 1), std = sqrt(exp(logvar)). */
  function gaussianKl(mean: Tensor, logvar: Tensor, epsilon: number, reduction: 'sum' | 'batch-mean'): Tensor {
    const std = tf.sqrt(tf.exp(logvar));
    const terms = tf.sub(tf.sub(tf.add(tf.square(mean), tf.square(std)), tf.mul(2, tf.log(tf.add(std, epsilon)))), 1);
    const total = tf.mul(0.5, tf.sum(terms));
    return reduction === 'sum' ? total : tf.div(total, mean.shape[0]!);
  }

  /**
   * d(loss)/d(filter) of a NHWC convolution, composed of ops every backend has
   * (wasm lacks Conv2DBackpropFilter): a convolution of the padded input with
   * the output gradient, dilated by the stride, contracting over the batch.
   */
  function conv2dFilterGrad(x: Tensor, dy: Tensor, kernel: [number, number], stride: number, pad: 'same' | 'valid'): Tensor {
    const [, height, width] = x.shape as number[];
    const [, outH, outW] = dy.shape as number[];
    const [kh, kw] = kernel;
    const padAlong = (size: number, out: number, k: number) => (pad === 'same' ? Math.max((out - 1) * stride + k - size, 0) : 0);
    const ph = padAlong(height!, outH!, kh);
    const pw = padAlong(width!, outW!, kw);
    const padded = tf.pad(x, [
      [0, 0],
      [Math.floor(ph / 2), ph - Math.floor(ph / 2)],
      [Math.floor(pw / 2), pw - Math.floor(pw / 2)],
      [0, 0],
    ]);
    // [ci, H, W, b] (*) [oh, ow, b, co], dilation = stride -> [ci, >= kh, >= kw, co]
    const input = tf.transpose(padded, [3, 1, 2, 0]) as tfjs.Tensor4D;
    const filter = tf.transpose(dy, [1, 2, 0, 3]) as tfjs.Tensor4D;
    const full = tf.conv2d(input, filter, 1, 'valid', 'NHWC', stride);
    return tf.transpose(tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]), [1, 2, 0, 3]);
  }

  /**
   * A convolution's input gradient. At stride 1 it is itself a convolution
   * (of dy, padded by what the forward pass did not pad, with the filter
   * flipped and its channels swapped), which every backend runs fast; the
   * WASM backend's transposed convolution is a plain loop, ten times slower.
   */
  function conv2dInputGrad(dy: Tensor, w: Tensor, xShape: [number, number, number, number], stride: number, pad: 'same' | 'valid'): Tensor {
    if (stride !== 1) return tf.conv2dTranspose(dy as tfjs.Tensor4D, w as tfjs.Tensor4D, xShape, stride, pad);
    const [kh, kw] = w.shape as number[];
    const before = (k: number) => (pad === 'same' ? Math.floor((k - 1) / 2) : 0);
    const after = (k: number) => (pad === 'same' ? k - 1 - before(k) : 0);
    const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tfjs.Tensor4D;
    const padding: [[number, number], [number, number], [number, number], [number, number]] = [
      [0, 0],
      [kh! - 1 - before(kh!), kh! - 1 - after(kh!)],
      [kw! - 1 - before(kw!), kw! - 1 - after(kw!)],
      [0, 0],
    ];
    return tf.conv2d(dy as tfjs.Tensor4D, flipped, 1, padding);
  }

  /** NHWC convolution whose filter gradient works on every backend. */
  function conv2d(x: Tensor, w: Tensor, stride: number, pad: 'same' | 'valid'): Tensor {
    return custom((xIn: Tensor, wIn: Tensor, save: Save) => {
      save([xIn]); // the filter is a variable: read from the closure, not copied
      return {
        value: tf.conv2d(xIn as tfjs.Tensor4D, wIn as tfjs.Tensor4D, stride, pad),
        gradFunc: (dy: Tensor, [xs]: Tensor[]) => [
          conv2dInputGrad(dy, w, xs!.shape as [number, number, number, number], stride, pad),
          conv2dFilterGrad(xs!, dy, [w.shape[0]!, w.shape[1]!], stride, pad),
        ],
      };
    })(x, w);
  }

  /** Transposed convolution (filter [k, k, out, in]) whose filter gradient works on every backend. */
  function conv2dTranspose(x: Tensor, w: Tensor, outShape: [number, number, number, number], stride: number, pad: 'same' | 'valid'): Tensor {
    return custom((xIn: Tensor, wIn: Tensor, save: Save) => {
      save([xIn]);
      return {
        value: tf.conv2dTranspose(xIn as tfjs.Tensor4D, wIn as tfjs.Tensor4D, outShape, stride, pad),
        gradFunc: (dy: Tensor, [xs]: Tensor[]) => [
          tf.conv2d(dy as tfjs.Tensor4D, w as tfjs.Tensor4D, stride, pad),
          conv2dFilterGrad(dy, xs!, [w.shape[0]!, w.shape[1]!], stride, pad),
        ],
      };
    })(x, w);
  }

  /** tf.maxPool over any tensor of rank 4 (its typings want Tensor4D, graph values are plain Tensors). */
  const maxPool = (x: Tensor, size: number, stride: number, pad: 'same' | 'valid') => tf.maxPool(x as tfjs.Tensor4D, size, stride, pad);

  /**
   * The bilinear weights along one axis as the resize kernels compute them,
   * transposed: entry [p, i] is how much output i takes from input p.
   */
  function interpolationT(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Tensor {
    const ratio = alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
    const weights = new Float32Array(inSize * outSize);
    for (let i = 0; i < outSize; i++) {
      const source = halfPixelCenters ? ratio * (i + 0.5) - 0.5 : ratio * i;
      const low = Math.max(0, Math.floor(source));
      const high = Math.min(inSize - 1, Math.ceil(source));
      weights[low * outSize + i]! += 1 - (source - low);
      weights[high * outSize + i]! += source - low;
    }
    return tf.tensor2d(weights, [inSize, outSize]);
  }

  /** Multiplies axis 1 or 2 of an NHWC tensor by an [into, from] matrix. */
  function alongAxis(t: Tensor, m: Tensor, axis: 1 | 2): Tensor {
    const order = axis === 1 ? [1, 0, 2, 3] : [2, 0, 1, 3];
    const moved = tf.transpose(t, order);
    const product = tf.matMul(m as tfjs.Tensor2D, tf.reshape(moved, [moved.shape[0]!, -1]) as tfjs.Tensor2D);
    const back = axis === 1 ? [1, 0, 2, 3] : [1, 2, 0, 3];
    return tf.transpose(tf.reshape(product, [m.shape[0]!, ...moved.shape.slice(1)]), back);
  }

  /**
   * tf.image.resizeBilinear with its true gradient: the weights of each axis,
   * transposed, applied to dy. tfjs's own gradient ignores halfPixelCenters
   * (on every backend) and, on the CPU backend, swaps height and width for
   * images that are not square.
   */
  function resizeBilinear(x: Tensor, size: [number, number], alignCorners: boolean, halfPixelCenters: boolean): Tensor {
    const [, h, w] = x.shape as number[];
    return custom((xIn: Tensor, _save: Save) => ({
      value: tf.image.resizeBilinear(xIn as tfjs.Tensor4D, size, alignCorners, halfPixelCenters),
      gradFunc: (dy: Tensor) => [
        alongAxis(alongAxis(dy, interpolationT(h!, size[0], alignCorners, halfPixelCenters), 1), interpolationT(w!, size[1], alignCorners, halfPixelCenters), 2),
      ],
    }))(x);
  }

  /**
   * Nearest-neighbour upsampling of NHWC images by a whole factor, as
   * torch's nearest Upsample: each pixel copied to a factor x factor block
   * (resizeNearestNeighbor's source index, floor(i * size / (size * factor)),
   * rounds to i's block for every factor up to 16 and size up to 8192, in
   * float32 and float64). Its gradient sums each block: tfjs's own, on the
   * CPU backend, is wrong for images that are not square.
   */
  function upsample(x: Tensor, factor: number): Tensor {
    const [rows, height, width, channels] = x.shape as [number, number, number, number];
    return custom((xIn: Tensor, _save: Save) => ({
      value: tf.image.resizeNearestNeighbor(xIn as tfjs.Tensor4D, [height * factor, width * factor]),
      gradFunc: (dy: Tensor) => [tf.reshape(tf.sum(tf.reshape(dy, [rows * height, factor, width, factor, channels]), [1, 3]), x.shape)],
    }))(x);
  }

  /** Every axis but the last (the features, or a convolution's channels): what batch norm averages over. */
  const batchAxes = (x: Tensor) => Array.from({ length: x.rank - 1 }, (_, i) => i);

  /**
   * tf.layers.batch_normalization: gamma (x - mean) / sqrt(variance + epsilon) + beta,
   * with the batch's mean and (biased) variance while training, the moving ones otherwise.
   */
  function batchNorm(x: Tensor, gamma: Tensor, beta: Tensor, movingMean: Tensor, movingVariance: Tensor, epsilon: number, training: boolean): Tensor {
    const { mean, variance } = training ? tf.moments(x, batchAxes(x)) : { mean: movingMean, variance: movingVariance };
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon))), gamma), beta);
  }

  /** A moving statistic after a training batch: momentum * moving + (1 - momentum) * the batch's mean (or biased variance). */
  function moving(statistic: 'mean' | 'variance', x: Tensor, current: Tensor, momentum: number): Tensor {
    const batch = tf.moments(x, batchAxes(x))[statistic];
    return tf.add(tf.mul(current, momentum), tf.mul(batch, 1 - momentum));
  }

  /**
   * torch.nn.GroupNorm over the last axis (the channels) of [b, ..., c]: per
   * row and per group of c / groups channels, the mean and biased variance
   * over every position and the group's channels; then gamma and beta per
   * channel. Rows never meet.
   */
  function groupNorm(x: Tensor, gamma: Tensor, beta: Tensor, groups: number, epsilon: number): Tensor {
    const channels = x.shape[x.rank - 1]!;
    const grouped = tf.reshape(x, [x.shape[0]!, -1, groups, channels / groups]);
    // x - mean once, for the variance and the result (tf.moments would make it twice).
    const centred = tf.sub(grouped, tf.mean(grouped, [1, 3], true));
    const variance = tf.mean(tf.square(centred), [1, 3], true);
    const normed = tf.div(centred, tf.sqrt(tf.add(variance, epsilon)));
    return tf.add(tf.mul(tf.reshape(normed, x.shape), gamma), beta);
  }

  /** t a + (1 - t) b, t [b, 1] reshaped to broadcast over each item's values. */
  function interpolate(a: Tensor, b: Tensor, t: Tensor): Tensor {
    const each = tf.reshape(t, [t.shape[0]!, ...a.shape.slice(1).map(() => 1)]);
    return tf.add(tf.mul(each, a), tf.mul(tf.sub(1, each), b));
  }

  /** WGAN-GP: mean over the batch of (||g|| - 1)^2, the norm over each item's values (its square root kept off 0). */
  function gradientPenalty(g: Tensor): Tensor {
    const flat = tf.reshape(g, [g.shape[0]!, -1]);
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(flat), 1), 1e-12));
    return tf.mean(tf.square(tf.sub(norm, 1)));
  }

  /**
   * Inverted dropout: each value is zeroed with probability `rate` and the
   * rest scaled by 1 / (1 - rate), the mask drawn at the layer's site (a
   * value stays when its 32-bit draw is at least rate * 2^32). Built on the
   * host, so every backend and the PyTorch export apply the same mask.
   */
  function dropout(x: Tensor, rate: number, site: DrawSite): Tensor {
    const { stream, at } = siteDraws(site);
    const bits = randomBits(stream, at, x.size);
    const threshold = Math.round(rate * 2 ** 32);
    const scale = Math.fround(1 / (1 - rate));
    const mask = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = bits[i]! >= threshold ? scale : 0;
    return tf.mul(x, tf.tensor(mask, x.shape));
  }

  /**
   * Whole rows zeroed with probability `rate`, unscaled: the unconditioned
   * rows classifier-free guidance trains on. A row stays when its 32-bit
   * draw at the layer's site is at least rate * 2^32 (one draw per row).
   */
  function dropRows(x: Tensor, rate: number, site: DrawSite): Tensor {
    const { stream, at } = siteDraws(site);
    const rows = x.shape[0]!;
    const bits = randomBits(stream, at, rows);
    const threshold = Math.round(rate * 2 ** 32);
    const mask = Float32Array.from(bits, (b) => (b >= threshold ? 1 : 0));
    return tf.mul(x, tf.tensor(mask, [rows, ...new Array<number>(x.rank - 1).fill(1)]));
  }

  /**
   * DDPM's sinusoidal timestep embedding: t [b, 1] -> [cos(t scale f), sin(t scale f)] [b, dim],
   * the frequencies f [half] (cosines first, as guided-diffusion).
   */
  function timeEmbedding(t: Tensor, dim: number, maxPeriod: number, scale: number): Tensor {
    const half = dim / 2;
    const args = tf.mul(tf.mul(t, scale), tf.tensor2d(timeFrequencies(half, maxPeriod), [1, half]));
    return tf.concat([tf.cos(args), tf.sin(args)], 1);
  }

  /**
   * Self-attention between the positions of NHWC feature maps (DDPM's
   * AttnBlock without its norm and residual): q, k, v = x Wqkv + bqkv (a 1x1
   * convolution, [c, 3c]), per head softmax(q k^T / sqrt(c / heads)) v over
   * the h w positions, then x' Wout + bout. Plain tf ops: autograd gives the
   * gradients. The scale goes on q, so no second [b, heads, hw, hw] is held.
   */
  function selfAttention(x: Tensor, qkvKernel: Tensor, qkvBias: Tensor, outKernel: Tensor, outBias: Tensor, heads: number): Tensor {
    const [rows, height, width, channels] = x.shape as [number, number, number, number];
    const positions = height * width;
    const depth = channels / heads;
    const qkv = tf.add(tf.matMul(tf.reshape(x, [rows * positions, channels]) as tfjs.Tensor2D, qkvKernel as tfjs.Tensor2D), qkvBias);
    // [b hw, c] -> [b, heads, hw, depth]: the channels of each of q, k, v are head after head.
    const [q, k, v] = tf.split(qkv, 3, 1).map((part) => tf.transpose(tf.reshape(part, [rows, positions, heads, depth]), [0, 2, 1, 3]));
    const weights = tf.softmax(tf.matMul(tf.mul(q!, 1 / Math.sqrt(depth)), k!, false, true));
    const joined = tf.reshape(tf.transpose(tf.matMul(weights, v!), [0, 2, 1, 3]), [rows * positions, channels]);
    return tf.reshape(tf.add(tf.matMul(joined as tfjs.Tensor2D, outKernel as tfjs.Tensor2D), outBias), [rows, height, width, channels]);
  }

  return { dense, activate, sigmoidCrossEntropy, binaryCrossEntropy, logLoss, gaussianKl, conv2d, conv2dTranspose, maxPool, resizeBilinear, upsample, batchNorm, moving, groupNorm, interpolate, gradientPenalty, dropout, dropRows, timeEmbedding, selfAttention };
}
