import * as tf from '@tensorflow/tfjs';
import { onnx } from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { opsFor, type Tensor } from '@/lib/runtime/ops';
import { OnnxBuilder, type Dim } from '@/codegen/onnx/builder';
import * as ops from '@/codegen/onnx/ops';
import { checkOnnx, checkOnnxAll, OnnxRunError, runOnnx } from '@/codegen/onnx/check';
import { transposedOut, type Padding } from '@/codegen/onnx/padding';
import type { HostTensor } from '@/codegen/onnx/tensor';
import { close, cpu } from '../../helpers';
import { tensor } from '../../fixtures/onnx';

/**
 * Every ONNX op helper, as a tiny model run in onnxruntime-node, against the
 * same computation in tfjs (lib/runtime/ops on the cpu backend) to 1e-5, at
 * batch 1 and 5 from one file (the batch axis is dynamic); and ONNX's own
 * checker (Debian's python3-onnx, full_check) accepts every file built here,
 * asked once at the end (one Python process for all of them).
 */

beforeAll(cpu);

const toTf = (t: HostTensor) => tf.tensor(t.data, [...t.shape]);
const T = () => opsFor(tf);

interface Case {
  name: string;
  /** Graph inputs, [null, ...] for a batch of items. */
  inputs: Record<string, Dim[]>;
  build(b: OnnxBuilder, inputs: Record<string, string>): string;
  reference(inputs: Record<string, Tensor>): Tensor;
}

/** Feeds for the case's inputs at this batch size, each input drawn from its own seed. */
function feeds(c: Case, batch: number): Record<string, HostTensor> {
  return Object.fromEntries(Object.entries(c.inputs).map(([name, shape], i) => [name, tensor(shape.map((d) => d ?? batch), 100 * i + batch)]));
}

function model(c: Case): Uint8Array {
  const b = new OnnxBuilder({ name: c.name });
  const names = Object.fromEntries(Object.keys(c.inputs).map((name) => [name, b.input(name, c.inputs[name]!)]));
  b.output('y', c.build(b, names));
  return b.encode();
}

function expectClose(actual: HostTensor, expected: Tensor) {
  expect(actual.shape).toEqual(expected.shape);
  const want = expected.dataSync();
  const far = [...actual.data].map((v, i) => ({ i, v, want: want[i]! })).filter(({ v, want: w }) => !close(v, w, 1e-5));
  expect(far.slice(0, 5)).toEqual([]);
}

/** Every model built here, by test and case, for the checker at the end. */
const built = new Map<string, Uint8Array>();

/** Builds and runs a case at batch 1 and 5 against tfjs; the checker reads it at the end. */
async function verify(c: Case): Promise<Uint8Array> {
  const bytes = model(c);
  built.set(`${expect.getState().currentTestName} / ${c.name} #${built.size}`, bytes);
  for (const batch of [1, 5]) {
    const fed = feeds(c, batch);
    const { y } = await runOnnx(bytes, fed);
    const expected = tf.tidy(() => c.reference(Object.fromEntries(Object.entries(fed).map(([name, t]) => [name, toTf(t)]))));
    expectClose(y!, expected);
    expected.dispose();
  }
  return bytes;
}

const nodeTypes = (bytes: Uint8Array) => (onnx.ModelProto.decode(bytes).graph as onnx.GraphProto).node.map((n) => n.opType!);

describe('op helpers against tfjs', () => {
  it('a conv stack kept NCHW computes what tfjs computes in NHWC', async () => {
    const kernel = (cin: number, cout: number, seed: number) => tensor([3, 3, cin, cout], seed);
    const bytes = await verify({
      name: 'stack',
      inputs: { x: [null, 8, 8, 2] },
      build: (b, { x }) => {
        const c1 = ops.conv2d(b, x!, { kernel: kernel(2, 4, 1), strides: 1, padding: 'SAME', activation: 'relu' });
        const p = ops.maxPool(b, c1, 2, 2, 'SAME');
        const bn = ops.batchNorm(b, p, { gamma: tensor([4], 2, 1), beta: tensor([4], 3), movingMean: tensor([4], 4), movingVariance: tensor([4], 5, 1.5), epsilon: 1e-3 });
        return ops.conv2d(b, ops.add(b, bn, bn), { kernel: kernel(4, 3, 6), strides: 2, padding: 'VALID', activation: 'tanh' });
      },
      reference: ({ x }) => {
        const c1 = T().activate(T().conv2d(x!, toTf(kernel(2, 4, 1)), 1, 'same'), 'relu');
        const p = T().maxPool(c1, 2, 2, 'same');
        const bn = T().batchNorm(p, toTf(tensor([4], 2, 1)), toTf(tensor([4], 3)), toTf(tensor([4], 4)), toTf(tensor([4], 5, 1.5)), 1e-3, false);
        return T().activate(T().conv2d(tf.add(bn, bn), toTf(kernel(4, 3, 6)), 2, 'valid'), 'tanh');
      },
    });
    expect(nodeTypes(bytes).filter((op) => op === 'Transpose')).toHaveLength(2);
  });

  const activations: ops.OnnxActivation[] = ['linear', 'relu', 'leaky-relu', 'sigmoid', 'tanh', 'silu', 'elu', 'softmax'];
  const tfActivation = (x: Tensor, fn: ops.OnnxActivation, alpha: number) => (fn === 'elu' ? tf.elu(x) : fn === 'softmax' ? tf.softmax(x) : T().activate(x, fn, alpha));

  it.each(activations)('activation %s, on vectors and on NCHW feature maps', async (fn) => {
    await verify({ name: fn, inputs: { x: [null, 6] }, build: (b, { x }) => ops.activate(b, x!, fn, 0.1), reference: ({ x }) => tfActivation(x!, fn, 0.1) });
    // After a conv the value is NCHW: softmax must still run over the channels.
    const kernel = tensor([1, 1, 3, 4], 7);
    await verify({
      name: `${fn}-nchw`,
      inputs: { x: [null, 3, 2, 3] },
      build: (b, { x }) => ops.activate(b, ops.conv2d(b, x!, { kernel, strides: 1, padding: 'SAME' }), fn, 0.3),
      reference: ({ x }) => tfActivation(T().conv2d(x!, toTf(kernel), 1, 'same'), fn, 0.3),
    });
  });

  it('dense: Gemm with bias and activation; without bias', async () => {
    const [W, bias] = [tensor([7, 5], 1), tensor([5], 2)];
    await verify({ name: 'dense', inputs: { x: [null, 7] }, build: (b, { x }) => ops.dense(b, x!, { kernel: W, bias, activation: 'sigmoid' }), reference: ({ x }) => T().dense(x!, toTf(W), toTf(bias), 'sigmoid') });
    await verify({ name: 'dense-nobias', inputs: { x: [null, 7] }, build: (b, { x }) => ops.dense(b, x!, { kernel: W }), reference: ({ x }) => T().dense(x!, toTf(W), undefined, 'linear') });
  });

  const convCases: [size: [number, number], kernel: number, stride: number, padding: Padding][] = [];
  // Odd and even sizes, square and not.
  for (const size of [[7, 7], [6, 9]] as [number, number][])
    for (const kernel of [1, 3, 4]) for (const stride of [1, 2]) for (const padding of ['SAME', 'VALID'] as const) convCases.push([size, kernel, stride, padding]);

  it.each(convCases)('conv2d %j kernel %i stride %i %s', async ([h, w], k, s, padding) => {
    const [kernel, bias] = [tensor([k, k, 3, 2], h * k + s), tensor([2], 9)];
    await verify({
      name: 'conv',
      inputs: { x: [null, h, w, 3] },
      build: (b, { x }) => ops.conv2d(b, x!, { kernel, bias, strides: s, padding, activation: 'relu' }),
      reference: ({ x }) => T().activate(tf.add(T().conv2d(x!, toTf(kernel), s, padding === 'SAME' ? 'same' : 'valid'), toTf(bias)), 'relu'),
    });
  });

  it.each(convCases)('conv2d-transpose %j kernel %i stride %i %s', async ([h, w], k, s, padding) => {
    const [kernel, bias] = [tensor([k, k, 2, 3], h * k + s + 1), tensor([2], 8)];
    const out = [transposedOut(h, k, s, padding), transposedOut(w, k, s, padding)];
    await verify({
      name: 'deconv',
      inputs: { x: [null, h, w, 3] },
      build: (b, { x }) => ops.conv2dTranspose(b, x!, { kernel, bias, strides: s, padding }),
      reference: ({ x }) => tf.add(T().conv2dTranspose(x!, toTf(kernel), [x!.shape[0]!, out[0]!, out[1]!, 2], s, padding === 'SAME' ? 'same' : 'valid'), toTf(bias)),
    });
  });

  it.each([
    [[7, 7], 2, 2, 'SAME'],
    [[8, 6], 2, 2, 'VALID'],
    [[7, 8], 3, 2, 'SAME'],
    [[7, 7], 3, 1, 'VALID'],
    [[6, 6], 3, 3, 'SAME'],
  ] as [[number, number], number, number, Padding][])('max pool %j size %i stride %i %s', async ([h, w], size, stride, padding) => {
    await verify({
      name: 'pool',
      inputs: { x: [null, h, w, 2] },
      // Negative values throughout: a padded zero would win if ONNX picked padding.
      build: (b, { x }) => ops.maxPool(b, ops.scale(b, ops.activate(b, x!, 'sigmoid'), -1), size, stride, padding),
      reference: ({ x }) => T().maxPool(tf.mul(tf.sigmoid(x!), -1), size, stride, padding === 'SAME' ? 'same' : 'valid'),
    });
  });

  const resizeCases: [from: [number, number], to: [number, number], alignCorners: boolean, halfPixelCenters: boolean][] = [];
  for (const [from, to] of [[[4, 5], [7, 9]], [[6, 6], [3, 4]], [[3, 3], [1, 1]], [[4, 4], [8, 8]]] as [[number, number], [number, number]][])
    for (const [align, half] of [[false, false], [true, false], [false, true]]) resizeCases.push([from, to, align!, half!]);

  it.each(resizeCases)('resize bilinear %j to %j align corners %s half pixel %s', async (from, to, align, half) => {
    await verify({
      name: 'resize',
      inputs: { x: [null, ...from, 2] },
      build: (b, { x }) => ops.resizeBilinear(b, x!, to, align, half),
      reference: ({ x }) => T().resizeBilinear(x!, to, align, half),
    });
    // The same on an NCHW value (after a conv): the sizes follow the layout.
    const kernel = tensor([1, 1, 2, 3], 5);
    await verify({
      name: 'resize-nchw',
      inputs: { x: [null, ...from, 2] },
      build: (b, { x }) => ops.resizeBilinear(b, ops.conv2d(b, x!, { kernel, strides: 1, padding: 'SAME' }), to, align, half),
      reference: ({ x }) => T().resizeBilinear(T().conv2d(x!, toTf(kernel), 1, 'same'), to, align, half),
    });
  });

  it.each([
    [[null, 5]],
    [[null, 3, 4, 5]],
    [[null, 4, 5]],
  ] as Dim[][][])('batch norm with moving statistics on %j', async (shape) => {
    const c = shape[shape.length - 1] as number;
    const stats = { gamma: tensor([c], 1, 1), beta: tensor([c], 2), movingMean: tensor([c], 3), movingVariance: tensor([c], 4, 1.2), epsilon: 1e-3 };
    await verify({
      name: 'bn',
      inputs: { x: shape },
      build: (b, { x }) => ops.batchNorm(b, x!, stats),
      reference: ({ x }) => T().batchNorm(x!, toTf(stats.gamma), toTf(stats.beta), toTf(stats.movingMean), toTf(stats.movingVariance), 1e-3, false),
    });
  });

  it.each([
    [[null, 6], 3],
    [[null, 3, 4, 6], 2],
    [[null, 3, 4, 6], 1],
    [[null, 3, 4, 6], 6],
    [[null, 4, 5], 5],
  ] as [Dim[], number][])('group norm on %j in %i groups', async (shape, groups) => {
    const c = shape[shape.length - 1] as number;
    const [gamma, beta] = [tensor([c], 1, 1), tensor([c], 2)];
    await verify({
      name: 'gn',
      inputs: { x: shape },
      build: (b, { x }) => ops.groupNorm(b, x!, { gamma, beta, groups, epsilon: 1e-5 }),
      reference: ({ x }) => T().groupNorm(x!, toTf(gamma), toTf(beta), groups, 1e-5),
    });
  });

  it('group norm on an NCHW value (after a conv) keeps it NCHW', async () => {
    const kernel = tensor([3, 3, 2, 6], 3);
    const [gamma, beta] = [tensor([6], 4, 1), tensor([6], 5)];
    const bytes = await verify({
      name: 'gn-nchw',
      inputs: { x: [null, 5, 4, 2] },
      build: (b, { x }) => ops.conv2d(b, ops.groupNorm(b, ops.conv2d(b, x!, { kernel, strides: 1, padding: 'SAME' }), { gamma, beta, groups: 3, epsilon: 1e-3 }), { kernel: tensor([1, 1, 6, 2], 6), strides: 1, padding: 'SAME' }),
      reference: ({ x }) => T().conv2d(T().groupNorm(T().conv2d(x!, toTf(kernel), 1, 'same'), toTf(gamma), toTf(beta), 3, 1e-3), toTf(tensor([1, 1, 6, 2], 6)), 1, 'same'),
    });
    // Into the first conv and out of the last: none around the group norm.
    expect(nodeTypes(bytes).filter((op) => op === 'Transpose')).toHaveLength(2);
  });

  it.each([
    [[3, 5], 3],
    [[4, 4], 2],
    [[1, 3], 5],
  ] as [[number, number], number][])('upsample %j by %i, NHWC and NCHW', async (size, factor) => {
    await verify({ name: 'up', inputs: { x: [null, ...size, 2] }, build: (b, { x }) => ops.upsample(b, x!, factor), reference: ({ x }) => T().upsample(x!, factor) });
    const kernel = tensor([1, 1, 2, 3], 7);
    await verify({
      name: 'up-nchw',
      inputs: { x: [null, ...size, 2] },
      build: (b, { x }) => ops.upsample(b, ops.conv2d(b, x!, { kernel, strides: 1, padding: 'SAME' }), factor),
      reference: ({ x }) => T().upsample(T().conv2d(x!, toTf(kernel), 1, 'same'), factor),
    });
  });

  it('embedding: one-hot labels times the table', async () => {
    const table = tensor([4, 3], 1);
    const c: Case = {
      name: 'embedding',
      inputs: { labels: [null, 4] },
      build: (b, { labels }) => ops.embedding(b, labels!, table),
      reference: ({ labels }) => T().dense(labels!, toTf(table), undefined, 'linear'),
    };
    const bytes = await verify(c);
    // With real one-hot labels, each row is its class's vector.
    const { y } = await runOnnx(bytes, { labels: { data: Float32Array.of(0, 0, 1, 0, 1, 0, 0, 0), shape: [2, 4] } });
    expect([...y!.data]).toEqual([...table.data.slice(6, 9), ...table.data.slice(0, 3)]);
  });

  it('time embedding: cosines then sines of t scale f, to float32\'s last bits at t up to 1000', async () => {
    const c: Case = {
      name: 'time',
      inputs: { t: [null, 1] },
      // t in [-500, 500), times 2: arguments up to 1000.
      build: (b, { t }) => ops.timeEmbedding(b, ops.scale(b, t!, 500), 16, 10000, 2),
      reference: ({ t }) => T().timeEmbedding(tf.mul(t!, 500), 16, 10000, 2),
    };
    await verify(c);
    await verify({ name: 'time-unit', inputs: { t: [null, 1] }, build: (b, { t }) => ops.timeEmbedding(b, t!, 64, 10000, 1000), reference: ({ t }) => T().timeEmbedding(t!, 64, 10000, 1000) });
    // Whole timesteps as DDPM feeds them (scale 1), and t in [0, 1] at scale 1000: within 1e-6 of tfjs.
    for (const [times, dim, scale] of [[[0, 1, 2, 250, 999, 1000], 128, 1], [[0, 0.001, 0.5, 0.999, 1], 64, 1000]] as const) {
      const b = new OnnxBuilder({ name: 'time-exact' });
      b.output('y', ops.timeEmbedding(b, b.input('t', [null, 1]), dim, 10000, scale));
      const bytes = b.encode();
      built.set(`${expect.getState().currentTestName} / exact #${built.size}`, bytes);
      const fed = { data: Float32Array.from(times), shape: [times.length, 1] };
      const { y } = await runOnnx(bytes, { t: fed });
      const want = tf.tidy(() => T().timeEmbedding(toTf(fed), dim, 10000, scale).dataSync());
      expect(y!.data.length).toBe(times.length * dim);
      expect(Math.max(...y!.data.map((v, i) => Math.abs(v - want[i]!)))).toBeLessThan(1e-6);
    }
  });

  it('self-attention: 1, 2 and 4 heads; on an NCHW value after a conv', async () => {
    const weights = (c: number, heads: number, seed: number) => ({ qkvKernel: tensor([c, 3 * c], seed), qkvBias: tensor([3 * c], seed + 1), outKernel: tensor([c, c], seed + 2), outBias: tensor([c], seed + 3), heads });
    const reference = (x: Tensor, w: ReturnType<typeof weights>) => T().selfAttention(x, toTf(w.qkvKernel), toTf(w.qkvBias), toTf(w.outKernel), toTf(w.outBias), w.heads);
    for (const [shape, heads] of [[[3, 5, 6], 2], [[4, 4, 8], 4], [[1, 1, 3], 1]] as const) {
      const w = weights(shape[2], heads, shape[0] * 10 + heads);
      await verify({ name: 'attention', inputs: { x: [null, ...shape] }, build: (b, { x }) => ops.selfAttention(b, x!, w), reference: ({ x }) => reference(x!, w) });
    }
    const kernel = tensor([1, 1, 2, 4], 3);
    const w = weights(4, 2, 40);
    const bytes = await verify({
      name: 'attention-nchw',
      inputs: { x: [null, 3, 3, 2] },
      build: (b, { x }) => ops.selfAttention(b, ops.conv2d(b, x!, { kernel, strides: 1, padding: 'SAME' }), w),
      reference: ({ x }) => reference(T().conv2d(x!, toTf(kernel), 1, 'same'), w),
    });
    // Every head in one MatMul and one Softmax.
    expect(nodeTypes(bytes).filter((op) => op === 'Softmax')).toHaveLength(1);
  });

  it('reparameterize: eps per sample, and shared', async () => {
    const reference = ({ mean, logvar, eps }: Record<string, Tensor>) => tf.add(tf.mul(eps!, tf.sqrt(tf.exp(logvar!))), mean!);
    await verify({ name: 'reparam', inputs: { mean: [null, 5], logvar: [null, 5], eps: [null, 5] }, build: (b, v) => ops.reparameterize(b, v.mean!, v.logvar!, v.eps!), reference });
    await verify({ name: 'reparam-shared', inputs: { mean: [null, 5], logvar: [null, 5], eps: [5] }, build: (b, v) => ops.reparameterize(b, v.mean!, v.logvar!, v.eps!), reference });
  });

  it('interpolate between images and between vectors, one t per item', async () => {
    for (const shape of [[null, 4, 3, 2], [null, 6]] as Dim[][]) {
      await verify({
        name: 'interpolate',
        inputs: { a: shape, c: shape, t: [null, 1] },
        build: (b, v) => ops.interpolate(b, v.a!, v.c!, v.t!),
        reference: ({ a, c, t }) => T().interpolate(a!, c!, t!),
      });
    }
  });

  it('concat along the last axis: vectors, NHWC images, an NCHW and an NHWC image, a label tiled beside an image', async () => {
    await verify({ name: 'concat', inputs: { a: [null, 3], c: [null, 2] }, build: (b, v) => ops.concat(b, [v.a!, v.c!]), reference: ({ a, c }) => tf.concat([a!, c!], -1) });
    await verify({ name: 'concat4', inputs: { a: [null, 3, 4, 2], c: [null, 3, 4, 1] }, build: (b, v) => ops.concat(b, [v.a!, v.c!]), reference: ({ a, c }) => tf.concat([a!, c!], -1) });
    const kernel = tensor([3, 3, 2, 3], 4);
    await verify({
      name: 'concat-mixed',
      inputs: { a: [null, 5, 5, 2], c: [null, 5, 5, 1] },
      build: (b, v) => ops.concat(b, [ops.conv2d(b, v.a!, { kernel, strides: 1, padding: 'SAME' }), v.c!]),
      reference: ({ a, c }) => tf.concat([T().conv2d(a!, toTf(kernel), 1, 'same'), c!], -1),
    });
    await verify({
      name: 'concat-broadcast',
      inputs: { image: [null, 3, 4, 2], label: [null, 5] },
      build: (b, v) => ops.concat(b, [v.image!, v.label!], true),
      reference: ({ image, label }) => tf.concat([image!, tf.tile(tf.reshape(label!, [-1, 1, 1, 5]), [1, 3, 4, 1])], -1),
    });
  });

  it('flatten and reshape keep the batch and Netloom\'s (NHWC) order, after a conv too', async () => {
    const kernel = tensor([3, 3, 1, 2], 3);
    await verify({
      name: 'flatten',
      inputs: { x: [null, 4, 5, 1] },
      build: (b, { x }) => ops.flatten(b, ops.conv2d(b, x!, { kernel, strides: 1, padding: 'SAME' })),
      reference: ({ x }) => tf.reshape(T().conv2d(x!, toTf(kernel), 1, 'same'), [x!.shape[0]!, -1]),
    });
    await verify({
      name: 'reshape',
      inputs: { x: [null, 16] },
      build: (b, { x }) => ops.conv2d(b, ops.reshape(b, x!, [4, -1, 1]), { kernel, strides: 1, padding: 'VALID' }),
      reference: ({ x }) => T().conv2d(tf.reshape(x!, [x!.shape[0]!, 4, -1, 1]), toTf(kernel), 1, 'valid'),
    });
  });

  it('add (one NCHW, one NHWC operand), scale, and dropout as identity', async () => {
    const kernel = tensor([1, 1, 2, 2], 2);
    await verify({
      name: 'add',
      inputs: { a: [null, 3, 3, 2], c: [null, 3, 3, 2] },
      build: (b, v) => ops.dropout(b, ops.scale(b, ops.add(b, ops.conv2d(b, v.a!, { kernel, strides: 1, padding: 'SAME' }), v.c!), -2.5)),
      reference: ({ a, c }) => tf.mul(tf.add(T().conv2d(a!, toTf(kernel), 1, 'same'), c!), -2.5),
    });
  });

  it('a DCGAN generator: dense, reshape, batch norms, transposed convs, tanh', async () => {
    const w = {
      dense: tensor([6, 4 * 4 * 8], 1),
      bn1: [tensor([128], 2, 1), tensor([128], 3), tensor([128], 4), tensor([128], 5, 1.1)] as const,
      d1: tensor([4, 4, 4, 8], 6),
      bn2: [tensor([4], 7, 1), tensor([4], 8), tensor([4], 9), tensor([4], 10, 1.3)] as const,
      d2: tensor([3, 3, 1, 4], 11),
      b2: tensor([1], 12),
    };
    const bytes = await verify({
      name: 'G',
      inputs: { z: [null, 6] },
      build: (b, { z }) => {
        const h = ops.dense(b, z!, { kernel: w.dense });
        const bn1 = ops.activate(b, ops.batchNorm(b, h, { gamma: w.bn1[0], beta: w.bn1[1], movingMean: w.bn1[2], movingVariance: w.bn1[3], epsilon: 1e-3 }), 'relu');
        const d1 = ops.conv2dTranspose(b, ops.reshape(b, bn1, [4, 4, 8]), { kernel: w.d1, strides: 2, padding: 'SAME' });
        const bn2 = ops.activate(b, ops.batchNorm(b, d1, { gamma: w.bn2[0], beta: w.bn2[1], movingMean: w.bn2[2], movingVariance: w.bn2[3], epsilon: 1e-3 }), 'relu');
        return ops.conv2dTranspose(b, ops.dropout(b, bn2), { kernel: w.d2, bias: w.b2, strides: 2, padding: 'VALID', activation: 'tanh' });
      },
      reference: ({ z }) => {
        const n = z!.shape[0]!;
        const bn = (x: Tensor, s: readonly HostTensor[]) => T().activate(T().batchNorm(x, toTf(s[0]!), toTf(s[1]!), toTf(s[2]!), toTf(s[3]!), 1e-3, false), 'relu');
        const h = bn(T().dense(z!, toTf(w.dense), undefined, 'linear'), w.bn1);
        const d1 = bn(T().conv2dTranspose(tf.reshape(h, [n, 4, 4, 8]), toTf(w.d1), [n, 8, 8, 4], 2, 'same'), w.bn2);
        return T().activate(tf.add(T().conv2dTranspose(d1, toTf(w.d2), [n, 17, 17, 1], 2, 'valid'), toTf(w.b2)), 'tanh');
      },
    });
    expect(nodeTypes(bytes).filter((op) => op === 'Transpose')).toHaveLength(2);
  });
});

describe('the judges', () => {
  it('the checker names what is wrong with a file', async () => {
    // A node reading a value nothing makes: written with onnx-proto directly, as the builder refuses it.
    const broken = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'broken',
        node: [{ opType: 'Relu', input: ['nowhere'], output: ['y'] }],
        input: [],
        output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }] } } } }],
      },
    }).finish();
    const result = await checkOnnx(broken);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/nowhere/);
  });

  it('onnxruntime refuses a feed the model does not have, with a typed error', async () => {
    const b = new OnnxBuilder({ name: 'relu' });
    b.output('y', ops.activate(b, b.input('x', [null, 2]), 'relu'));
    await expect(runOnnx(b.encode(), { z: tensor([1, 2], 1) })).rejects.toThrow(OnnxRunError);
  });

  // Last: every model the tests above built.
  it('ONNX\'s checker (python3-onnx 1.12, full_check) accepts every model built above', async () => {
    expect(built.size).toBeGreaterThan(0);
    const verdicts = await checkOnnxAll(built);
    expect(verdicts.size).toBe(built.size);
    expect([...verdicts].filter(([, v]) => !v.ok)).toEqual([]);
  });
});
