import { timeFrequencies, type Activation } from '../../lib/runtime/ops';
import { float, int, ints, physicalShape, string, type Dim, type Layout, type OnnxBuilder } from './builder';
import { buildError } from './errors';
import { transposedOut, transposedPads, windowOut, windowPads, type Padding } from './padding';
import { permute, sizeOf, type HostTensor } from './tensor';

/**
 * The ops Netloom's layers compute, written as ONNX nodes with the numerics
 * of lib/runtime/ops.ts. Each takes value names of the builder and returns
 * the output's name; shapes are in Netloom's order (NHWC for images).
 */

/** Every activation a Netloom kind applies (activation, dense, conv...), plus two ONNX ops kinds may add. */
export type OnnxActivation = Activation | 'leaky-relu' | 'elu' | 'softmax';

export function activate(b: OnnxBuilder, x: string, fn: OnnxActivation, alpha = 0.2): string {
  const out = { hint: fn.replace('-', '_'), shape: b.shape(x), layout: b.info(x).layout };
  switch (fn) {
    case 'linear':
      return x;
    case 'relu':
      return b.node('Relu', [x], out);
    case 'leaky-relu':
      return b.node('LeakyRelu', [x], out, { alpha: float(alpha) });
    case 'sigmoid':
      return b.node('Sigmoid', [x], out);
    case 'tanh':
      return b.node('Tanh', [x], out);
    case 'silu':
      // Opset 17 has no SiLU: x Sigmoid(x).
      return b.node('Mul', [x, b.node('Sigmoid', [x], { ...out, hint: 'sigmoid' })], out);
    case 'elu':
      // tf.elu's alpha is fixed at 1.
      return b.node('Elu', [x], out, { alpha: float(1) });
    case 'softmax':
      // Over the last axis in Netloom's order: the channels, which NCHW keeps second.
      return b.node('Softmax', [x], out, { axis: int(out.layout === 'nchw' && out.shape.length === 4 ? 1 : -1) });
  }
}

/** Both values in one layout: NCHW if either already is (a conv stack stays NCHW), else NHWC. */
function common(b: OnnxBuilder, values: readonly string[]): { values: string[]; layout: Layout } {
  const layout: Layout = values.some((v) => b.info(v).layout === 'nchw' && b.shape(v).length === 4) ? 'nchw' : 'nhwc';
  return { values: values.map((v) => b.inLayout(v, layout)), layout };
}

function sameShape(a: readonly Dim[], c: readonly Dim[]): boolean {
  return a.length === c.length && a.every((d, i) => d === c[i]);
}

export function add(b: OnnxBuilder, x: string, y: string): string {
  if (!sameShape(b.shape(x), b.shape(y))) buildError('shape', `cannot add [${b.shape(y).join(', ')}] to [${b.shape(x).join(', ')}]`);
  const { values, layout } = common(b, [x, y]);
  return b.node('Add', values, { hint: 'sum', shape: b.shape(x), layout });
}

/** The inner product of two rows of vectors over their last axis, kept as [..., 1] (the dot kind). */
export function dot(b: OnnxBuilder, x: string, y: string): string {
  const shape = b.shape(x);
  if (!sameShape(shape, b.shape(y))) buildError('shape', `cannot multiply [${b.shape(y).join(', ')}] with [${shape.join(', ')}]`);
  const { values, layout } = common(b, [x, y]);
  const product = b.node('Mul', values, { hint: 'product', shape, layout });
  // The last axis in Netloom's order: the channels, which NCHW keeps second.
  const axis = layout === 'nchw' && shape.length === 4 ? 1 : -1;
  const out = shape.map((d, i) => (i === shape.length - 1 ? 1 : d));
  return b.node('ReduceSum', [product, b.int64s('axes', [axis])], { hint: 'dot', shape: out, layout }, { keepdims: int(1) });
}

/** factor * x (the scale kind), the factor a float32 constant as tf.mul makes it. */
export function scale(b: OnnxBuilder, x: string, factor: number): string {
  return b.node('Mul', [x, b.scalar('factor', factor)], { hint: 'scaled', shape: b.shape(x), layout: b.info(x).layout });
}

/** Dropout passes values through outside training: an exported network only infers. */
export const dropout = (_b: OnnxBuilder, x: string): string => x;

/** x W + b with activation, for a batch of vectors x [b, n], W [n, units] (the dense kind; embedding without bias). */
export function dense(b: OnnxBuilder, x: string, weights: { kernel: HostTensor; bias?: HostTensor; activation?: OnnxActivation; hint?: string }): string {
  const [rows, n] = b.shape(x);
  const [inner, units] = weights.kernel.shape;
  if (b.shape(x).length !== 2 || inner !== n || weights.kernel.shape.length !== 2) {
    buildError('shape', `dense: x [${b.shape(x).join(', ')}] cannot multiply W [${weights.kernel.shape.join(', ')}]`);
  }
  const hint = weights.hint ?? 'dense';
  const inputs = [x, b.weight(`${hint}_W`, weights.kernel), ...(weights.bias ? [b.weight(`${hint}_b`, weights.bias)] : [])];
  const y = b.node('Gemm', inputs, { hint, shape: [rows!, units!] });
  return activate(b, y, weights.activation ?? 'linear');
}

/** Joins values along Netloom's last axis; with `broadcast`, vectors [b, n] are tiled over the images' height and width first. */
export function concat(b: OnnxBuilder, inputs: readonly string[], broadcast = false): string {
  const image = inputs.map((v) => b.shape(v)).find((s) => s.length === 4);
  const tiled = inputs.map((v) => (broadcast && image && b.shape(v).length === 2 ? tile(b, v, image[1] as number, image[2] as number) : v));
  const shapes = tiled.map((v) => b.shape(v));
  const first = shapes[0]!;
  if (shapes.some((s) => s.length !== first.length || s.slice(0, -1).some((d, i) => d !== first[i]))) {
    buildError('shape', `cannot concat ${shapes.map((s) => `[${s.join(', ')}]`).join(' with ')}: all dimensions but the last must match`);
  }
  const last = shapes.reduce((total, s) => total + (s[s.length - 1] as number), 0);
  const { values, layout } = common(b, tiled);
  const axis = layout === 'nchw' && first.length === 4 ? 1 : -1;
  return b.node('Concat', values, { hint: 'joined', shape: [...first.slice(0, -1), last], layout }, { axis: int(axis) });
}

/** [b, n] -> [b, h, w, n] (kept NCHW: [b, n, h, w]), each vector repeated at every pixel. */
function tile(b: OnnxBuilder, v: string, height: number, width: number): string {
  const [rows, n] = b.shape(v);
  const column = b.node('Unsqueeze', [v, b.int64s('axes', [2, 3])], { hint: `${v}_column`, shape: [rows!, 1, 1, n!], layout: 'nchw' });
  return b.node('Expand', [column, b.int64s('tiles', [1, 1, height, width])], { hint: `${v}_tiled`, shape: [rows!, height, width, n!], layout: 'nchw' });
}

/** x [b, d1, d2, ...] -> [b, d1 * d2 * ...], in Netloom's (NHWC) order so a dense layer after it reads the same weights. */
export function flatten(b: OnnxBuilder, x: string): string {
  const logical = b.inLayout(x, 'nhwc');
  const [rows, ...rest] = b.shape(logical);
  return b.node('Flatten', [logical], { hint: 'flat', shape: [rows!, sizeOf(rest as number[])] }, { axis: int(1) });
}

/** Each item reshaped to `shape` (one dim may be -1), the first dimension kept, in Netloom's order. */
export function reshape(b: OnnxBuilder, x: string, shape: readonly number[]): string {
  const logical = b.inLayout(x, 'nhwc');
  const [rows, ...rest] = b.shape(logical);
  const size = sizeOf(rest as number[]);
  const known = sizeOf(shape.filter((d) => d !== -1));
  if (shape.some((d) => d === 0 || d < -1) || (shape.includes(-1) ? size % known !== 0 : size !== known)) {
    buildError('shape', `cannot reshape [${b.shape(logical).join(', ')}] to [b, ${shape.join(', ')}]`);
  }
  const resolved = shape.map((d) => (d === -1 ? size / known : d));
  // 0 copies the input's first dimension: the batch stays dynamic.
  return b.node('Reshape', [logical, b.int64s('shape', [0, ...shape])], { hint: 'reshaped', shape: [rows!, ...resolved] });
}

export interface ConvWeights {
  /** [kh, kw, in, out], as tfjs keeps conv2d kernels. */
  kernel: HostTensor;
  bias?: HostTensor;
  strides: number;
  padding: Padding;
  activation?: OnnxActivation;
  hint?: string;
}

/** tfjs's conv2d (NHWC, TensorFlow's SAME/VALID) as an NCHW Conv with explicit, possibly uneven pads. */
export function conv2d(b: OnnxBuilder, x: string, w: ConvWeights): string {
  const [rows, height, width, channels] = image(b, x, 'conv2d');
  const [kh, kw, cin, cout] = w.kernel.shape as [number, number, number, number];
  if (w.kernel.shape.length !== 4 || cin !== channels) buildError('shape', `conv2d: kernel [${w.kernel.shape.join(', ')}] does not take ${channels} channels`);
  const [top, bottom] = windowPads(height, kh, w.strides, w.padding);
  const [left, right] = windowPads(width, kw, w.strides, w.padding);
  const hint = w.hint ?? 'conv';
  const inputs = [b.inLayout(x, 'nchw'), b.weight(`${hint}_W`, onnxKernel(w.kernel)), ...(w.bias ? [b.weight(`${hint}_b`, w.bias)] : [])];
  const shape = [rows, windowOut(height, kh, w.strides, w.padding), windowOut(width, kw, w.strides, w.padding), cout];
  const y = b.node('Conv', inputs, { hint, shape, layout: 'nchw' }, {
    kernel_shape: ints([kh, kw]),
    strides: ints([w.strides, w.strides]),
    pads: ints([top, left, bottom, right]),
    dilations: ints([1, 1]),
    group: int(1),
  });
  return activate(b, y, w.activation ?? 'linear');
}

/**
 * tfjs's conv2dTranspose, filter [kh, kw, out, in], to the size the
 * conv2d-transpose kind computes (or `size`): an NCHW ConvTranspose whose
 * pads are those of the convolution it inverts, plus output_padding.
 */
export function conv2dTranspose(b: OnnxBuilder, x: string, w: ConvWeights & { size?: [number, number] }): string {
  const [rows, height, width, channels] = image(b, x, 'conv2d-transpose');
  const [kh, kw, cout, cin] = w.kernel.shape as [number, number, number, number];
  if (w.kernel.shape.length !== 4 || cin !== channels) buildError('shape', `conv2d-transpose: kernel [${w.kernel.shape.join(', ')}] does not take ${channels} channels`);
  const [outH, outW] = w.size ?? [transposedOut(height, kh, w.strides, w.padding), transposedOut(width, kw, w.strides, w.padding)];
  const along = [transposedPads(height, outH, kh, w.strides, w.padding), transposedPads(width, outW, kw, w.strides, w.padding)] as const;
  const hint = w.hint ?? 'deconv';
  const inputs = [b.inLayout(x, 'nchw'), b.weight(`${hint}_W`, onnxKernel(w.kernel)), ...(w.bias ? [b.weight(`${hint}_b`, w.bias)] : [])];
  const y = b.node('ConvTranspose', inputs, { hint, shape: [rows, outH, outW, cout], layout: 'nchw' }, {
    kernel_shape: ints([kh, kw]),
    strides: ints([w.strides, w.strides]),
    pads: ints([along[0].pads[0], along[1].pads[0], along[0].pads[1], along[1].pads[1]]),
    output_padding: ints([along[0].outputPadding, along[1].outputPadding]),
    dilations: ints([1, 1]),
    group: int(1),
  });
  return activate(b, y, w.activation ?? 'linear');
}

/** tf.maxPool with TensorFlow's padding: ONNX's MaxPool never picks a padded position, as TensorFlow's doesn't. */
export function maxPool(b: OnnxBuilder, x: string, size: number, strides: number, padding: Padding): string {
  const [rows, height, width, channels] = image(b, x, 'max-pool2d');
  const [top, bottom] = windowPads(height, size, strides, padding);
  const [left, right] = windowPads(width, size, strides, padding);
  const shape = [rows, windowOut(height, size, strides, padding), windowOut(width, size, strides, padding), channels];
  return b.node('MaxPool', [b.inLayout(x, 'nchw')], { hint: 'pooled', shape, layout: 'nchw' }, {
    kernel_shape: ints([size, size]),
    strides: ints([strides, strides]),
    pads: ints([top, left, bottom, right]),
  });
}

/**
 * tf.image.resizeBilinear: TF1's asymmetric source coordinates
 * (out * in / size), align_corners, or TF2's half-pixel centres (which ONNX
 * calls half_pixel; pytorch_half_pixel would differ for a size of 1). The
 * value keeps its layout; the batch length is read at run time.
 */
export function resizeBilinear(b: OnnxBuilder, x: string, size: [number, number], alignCorners: boolean, halfPixelCenters: boolean): string {
  const [rows, , , channels] = image(b, x, 'resize-bilinear');
  if (alignCorners && halfPixelCenters) buildError('unsupported', 'resize-bilinear: alignCorners and halfPixelCenters cannot be on together');
  const { layout } = b.info(x);
  const batch = b.node('Shape', [x], { hint: 'batch', shape: [1] }, { start: int(0), end: int(1) });
  const rest = b.int64s('size', layout === 'nchw' ? [channels, ...size] : [...size, channels]);
  const sizes = b.node('Concat', [batch, rest], { hint: 'sizes', shape: [4] }, { axis: int(0) });
  const mode = alignCorners ? 'align_corners' : halfPixelCenters ? 'half_pixel' : 'asymmetric';
  return b.node('Resize', [x, '', '', sizes], { hint: 'resized', shape: [rows, ...size, channels], layout }, {
    mode: string('linear'),
    coordinate_transformation_mode: string(mode),
  });
}

/**
 * Nearest-neighbour upsampling by a whole factor: Resize's nearest mode
 * with floor(out / factor) as the source index (asymmetric, floor), which
 * for whole factors is the index tfjs and torch copy from. The value keeps
 * its layout.
 */
export function upsample(b: OnnxBuilder, x: string, factor: number): string {
  const [rows, height, width, channels] = image(b, x, 'upsample');
  if (!Number.isInteger(factor) || factor < 1) buildError('unsupported', `upsample: the factor ${factor} is not a whole number`);
  const { layout } = b.info(x);
  const scales = b.weight('scales', { data: Float32Array.from(layout === 'nchw' ? [1, 1, factor, factor] : [1, factor, factor, 1]), shape: [4] });
  return b.node('Resize', [x, '', scales], { hint: 'upsampled', shape: [rows, height * factor, width * factor, channels], layout }, {
    mode: string('nearest'),
    coordinate_transformation_mode: string('asymmetric'),
    nearest_mode: string('floor'),
  });
}

export interface BatchNormWeights {
  gamma: HostTensor;
  beta: HostTensor;
  movingMean: HostTensor;
  movingVariance: HostTensor;
  epsilon: number;
  hint?: string;
}

/**
 * Batch norm with its moving statistics (inference), over Netloom's last
 * axis: ONNX's BatchNormalization reads channels on axis 1, which a vector
 * [b, c] and an NCHW image have; other ranks move their last axis there and back.
 */
export function batchNorm(b: OnnxBuilder, x: string, w: BatchNormWeights): string {
  const shape = b.shape(x);
  const rank = shape.length;
  const features = shape[rank - 1];
  if (rank < 2 || typeof features !== 'number' || [w.gamma, w.beta, w.movingMean, w.movingVariance].some((t) => t.shape.length !== 1 || t.shape[0] !== features)) {
    buildError('shape', `batch-norm: x [${shape.join(', ')}] does not match statistics of ${w.gamma.shape.join(', ')} features`);
  }
  const hint = w.hint ?? 'bn';
  const stats = [w.gamma, w.beta, w.movingMean, w.movingVariance].map((t, i) => b.weight(`${hint}_${['gamma', 'beta', 'mean', 'variance'][i]}`, t));
  const attributes = { epsilon: float(w.epsilon), training_mode: int(0) };
  if (rank === 2 || rank === 4) {
    const input = b.inLayout(x, 'nchw');
    return b.node('BatchNormalization', [input, ...stats], { hint, shape, layout: b.info(input).layout }, attributes);
  }
  const toFront = [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
  const back = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
  const moved = b.node('Transpose', [x], { hint: `${hint}_in`, shape: toFront.map((a) => shape[a]!) }, { perm: ints(toFront) });
  const normed = b.node('BatchNormalization', [moved, ...stats], { hint: `${hint}_out`, shape: b.shape(moved) }, attributes);
  return b.node('Transpose', [normed], { hint, shape }, { perm: ints(back) });
}

export interface GroupNormWeights {
  gamma: HostTensor;
  beta: HostTensor;
  groups: number;
  epsilon: number;
  hint?: string;
}

const channelsFirst = new WeakMap<HostTensor, HostTensor>();

/** A per-channel vector [c] as [c, 1, 1], which broadcasts over an NCHW image's height and width (once per vector). */
function perChannel(t: HostTensor): HostTensor {
  let moved = channelsFirst.get(t);
  if (!moved) channelsFirst.set(t, (moved = { data: t.data, shape: [t.shape[0]!, 1, 1] }));
  return moved;
}

/**
 * Group norm (opset 17 has no GroupNormalization) over Netloom's last axis,
 * as lib/runtime/ops.ts computes it: each item's values reshaped so that a
 * group's lie on its own axes (NCHW: [b, groups, c / groups * h * w];
 * channels last: [b, positions, groups, c / groups]), their mean and biased
 * variance, the normalised values reshaped back, then gamma and beta per
 * channel. The value keeps its layout.
 */
export function groupNorm(b: OnnxBuilder, x: string, w: GroupNormWeights): string {
  const info = b.info(x);
  const shape = info.shape;
  const channels = shape[shape.length - 1];
  if (shape.length < 2 || typeof channels !== 'number' || channels % w.groups !== 0 || [w.gamma, w.beta].some((t) => t.shape.length !== 1 || t.shape[0] !== channels)) {
    return buildError('shape', `group-norm: x [${shape.join(', ')}] does not split into ${w.groups} groups with ${w.gamma.shape.join(', ')} scales`);
  }
  const hint = w.hint ?? 'gn';
  const physical = physicalShape(info);
  const size = sizeOf(physical.slice(1) as number[]);
  const nchw = info.layout === 'nchw' && shape.length === 4;
  const groupedShape = nchw ? [w.groups, size / w.groups] : [size / channels, w.groups, channels / w.groups];
  const reduced = nchw ? [2] : [1, 3];
  const axes = ints(reduced);
  const flat = (h: string) => ({ hint: `${hint}_${h}`, shape: [shape[0]!, ...groupedShape] });
  const stat = (h: string) => ({ hint: `${hint}_${h}`, shape: [shape[0]!, ...groupedShape.map((d, i) => (reduced.includes(i + 1) ? 1 : d))] });
  // 0 copies the input's first dimension: the batch stays dynamic.
  const grouped = b.node('Reshape', [x, b.int64s('groups', [0, ...groupedShape])], flat('grouped'));
  const mean = b.node('ReduceMean', [grouped], stat('mean'), { axes, keepdims: int(1) });
  const centred = b.node('Sub', [grouped, mean], flat('centred'));
  const variance = b.node('ReduceMean', [b.node('Mul', [centred, centred], flat('squared'))], stat('variance'), { axes, keepdims: int(1) });
  const deviation = b.node('Sqrt', [b.node('Add', [variance, b.scalar('epsilon', w.epsilon)], stat('variance_eps'))], stat('deviation'));
  const normed = b.node('Div', [centred, deviation], flat('normed'));
  const out = (h: string) => ({ hint: h, shape, layout: info.layout });
  const back = b.node('Reshape', [normed, b.int64s('shape', [0, ...(physical.slice(1) as number[])])], out(`${hint}_normed`));
  const [gamma, beta] = (nchw ? [perChannel(w.gamma), perChannel(w.beta)] : [w.gamma, w.beta]).map((t, i) => b.weight(`${hint}_${i ? 'beta' : 'gamma'}`, t));
  return b.node('Add', [b.node('Mul', [back, gamma!], out(`${hint}_scaled`)), beta!], out(hint));
}

/** A learned vector per class: one-hot labels [b, classes] times the table [classes, size], as the runtime computes it. */
export function embedding(b: OnnxBuilder, labels: string, table: HostTensor, hint = 'embedding'): string {
  const [rows, classes] = b.shape(labels);
  if (b.shape(labels).length !== 2 || table.shape.length !== 2 || table.shape[0] !== classes) {
    buildError('shape', `embedding: labels [${b.shape(labels).join(', ')}] do not index a table [${table.shape.join(', ')}]`);
  }
  return b.node('MatMul', [labels, b.weight(`${hint}_table`, table)], { hint, shape: [rows!, table.shape[1]!] });
}

/** DDPM's sinusoidal timestep embedding: t [b, 1] -> [cos(t scale f), sin(t scale f)] [b, dim], the frequencies f those the runtime computes. */
export function timeEmbedding(b: OnnxBuilder, t: string, dim: number, maxPeriod: number, scale: number, hint = 'time'): string {
  const [rows, one] = b.shape(t);
  if (b.shape(t).length !== 2 || one !== 1 || dim % 2 !== 0) buildError('shape', `time-embedding: t [${b.shape(t).join(', ')}] is not [b, 1], or ${dim} is odd`);
  const half = dim / 2;
  const frequencies = b.weight(`${hint}_frequencies`, { data: timeFrequencies(half, maxPeriod), shape: [1, half] });
  const scaled = b.node('Mul', [t, b.scalar(`${hint}_scale`, scale)], { hint: `${hint}_scaled`, shape: [rows!, 1] });
  const args = b.node('Mul', [scaled, frequencies], { hint: `${hint}_args`, shape: [rows!, half] });
  const waves = (op: 'Cos' | 'Sin') => b.node(op, [args], { hint: `${hint}_${op.toLowerCase()}`, shape: [rows!, half] });
  return b.node('Concat', [waves('Cos'), waves('Sin')], { hint, shape: [rows!, dim] }, { axis: int(1) });
}

export interface AttentionWeights {
  /** [c, 3c] and [3c]: q, k and v, each's channels head after head. */
  qkvKernel: HostTensor;
  qkvBias: HostTensor;
  /** [c, c] and [c]. */
  outKernel: HostTensor;
  outBias: HostTensor;
  heads: number;
  hint?: string;
}

/**
 * Self-attention between the positions of NHWC feature maps, as the runtime
 * computes it: q, k, v from one MatMul over [b, hw, c], per head
 * softmax((q / sqrt(depth)) k^T) v, then the output projection. Values of
 * rank 4 here ([b, heads, hw, depth]) are no images: their layout is their shape.
 */
export function selfAttention(b: OnnxBuilder, x: string, w: AttentionWeights): string {
  const [rows, height, width, channels] = image(b, x, 'self-attention');
  const { heads } = w;
  const positions = height * width;
  const depth = channels / heads;
  if (!Number.isInteger(depth) || w.qkvKernel.shape.join() !== [channels, 3 * channels].join() || w.outKernel.shape.join() !== [channels, channels].join()) {
    buildError('shape', `self-attention: x [${b.shape(x).join(', ')}] with ${heads} heads cannot use Wqkv [${w.qkvKernel.shape.join(', ')}] and Wout [${w.outKernel.shape.join(', ')}]`);
  }
  const hint = w.hint ?? 'attention';
  const node = (op: string, inputs: string[], name: string, shape: Dim[], attributes = {}) => b.node(op, inputs, { hint: `${hint}_${name}`, shape }, attributes);
  // 0 copies the batch: it stays dynamic.
  const flat = node('Reshape', [b.inLayout(x, 'nhwc'), b.int64s('shape', [0, positions, channels])], 'flat', [rows, positions, channels]);
  const projected = node('MatMul', [flat, b.weight(`${hint}_W_qkv`, w.qkvKernel)], 'qkv_matmul', [rows, positions, 3 * channels]);
  const qkv = node('Add', [projected, b.weight(`${hint}_b_qkv`, w.qkvBias)], 'qkv', [rows, positions, 3 * channels]);
  /** The i-th of q, k, v as [b, heads, hw, depth], or [b, heads, depth, hw] transposed. */
  const part = (i: number, name: string, transposed: boolean) => {
    const slice = node('Slice', [qkv, b.int64s('starts', [i * channels]), b.int64s('ends', [(i + 1) * channels]), b.int64s('axes', [2])], `${name}_flat`, [rows, positions, channels]);
    const split = node('Reshape', [slice, b.int64s('shape', [0, positions, heads, depth])], `${name}_heads`, [rows, positions, heads, depth]);
    return node('Transpose', [split], name, transposed ? [rows, heads, depth, positions] : [rows, heads, positions, depth], { perm: ints(transposed ? [0, 2, 3, 1] : [0, 2, 1, 3]) });
  };
  const q = node('Mul', [part(0, 'q_unscaled', false), b.scalar(`${hint}_scale`, 1 / Math.sqrt(depth))], 'q', [rows, heads, positions, depth]);
  const scores = node('MatMul', [q, part(1, 'k_t', true)], 'scores', [rows, heads, positions, positions]);
  const weights = node('Softmax', [scores], 'weights', [rows, heads, positions, positions], { axis: int(-1) });
  const attended = node('MatMul', [weights, part(2, 'v', false)], 'attended', [rows, heads, positions, depth]);
  const moved = node('Transpose', [attended], 'by_position', [rows, positions, heads, depth], { perm: ints([0, 2, 1, 3]) });
  const joined = node('Reshape', [moved, b.int64s('shape', [0, positions, channels])], 'joined', [rows, positions, channels]);
  const out = node('Add', [node('MatMul', [joined, b.weight(`${hint}_W_out`, w.outKernel)], 'out_matmul', [rows, positions, channels]), b.weight(`${hint}_b_out`, w.outBias)], 'out', [rows, positions, channels]);
  return b.node('Reshape', [out, b.int64s('shape', [0, height, width, channels])], { hint, shape: [rows, height, width, channels] });
}

/** z = eps * sqrt(exp(logvar)) + mean, in the runtime's order of operations; eps [b, n] or shared [n]. */
export function reparameterize(b: OnnxBuilder, mean: string, logvar: string, eps: string): string {
  const shape = b.shape(mean);
  const same = (v: string) => ({ hint: v, shape, layout: b.info(mean).layout });
  const std = b.node('Sqrt', [b.node('Exp', [logvar], same('variance'))], same('std'));
  return b.node('Add', [b.node('Mul', [eps, std], same('noise')), mean], same('z'));
}

/** t a + (1 - t) b with one t [b, 1] per item, broadcast over each item's values (WGAN-GP's points between images). */
export function interpolate(b: OnnxBuilder, a: string, c: string, t: string): string {
  const { values, layout } = common(b, [a, c]);
  const shape = b.shape(a);
  const [rows] = b.shape(t);
  const each = shape.length > 2 ? b.node('Unsqueeze', [t, b.int64s('axes', Array.from({ length: shape.length - 2 }, (_, i) => i + 2))], { hint: 't_each', shape: [rows!, ...shape.slice(1).map(() => 1)] }) : t;
  const out = (hint: string) => ({ hint, shape, layout });
  const complement = b.node('Sub', [b.scalar('one', 1), each], { hint: 'one_minus_t', shape: b.shape(each) });
  return b.node('Add', [b.node('Mul', [each, values[0]!], out('ta')), b.node('Mul', [complement, values[1]!], out('tb'))], out('between'));
}

const onnxKernels = new WeakMap<HostTensor, HostTensor>();

/**
 * A tfjs kernel [kh, kw, a, b] as ONNX's [b, a, kh, kw] (Conv's [out, in, ...],
 * ConvTranspose's [in, out, ...]), moved on the host rather than by a node;
 * once per kernel, so a shared kernel stays one initializer.
 */
function onnxKernel(kernel: HostTensor): HostTensor {
  let moved = onnxKernels.get(kernel);
  if (!moved) onnxKernels.set(kernel, (moved = permute(kernel, [3, 2, 0, 1])));
  return moved;
}

function image(b: OnnxBuilder, x: string, kind: string): [Dim, number, number, number] {
  const shape = b.shape(x);
  if (shape.length !== 4 || shape.slice(1).some((d) => typeof d !== 'number')) buildError('shape', `${kind} needs NHWC images [b, h, w, c], got [${shape.join(', ')}]`);
  return shape as [Dim, number, number, number];
}
