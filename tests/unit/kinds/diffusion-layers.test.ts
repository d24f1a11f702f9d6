import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError, type OpKind } from '../../../lib/kinds/kind';
import { groupNorm } from '../../../lib/kinds/layers/group-norm';
import { upsample } from '../../../lib/kinds/layers/upsample';
import { opsFor } from '../../../lib/runtime/ops';
import { cpu, wasm } from '../../helpers';

/**
 * What the registry's tables do not ask of a diffusion U-Net's layers: group
 * norm refuses groups that do not divide the channels (on port x, saying
 * what fits) and takes its statistics per item and group; upsample copies
 * each pixel to a block, and its gradient sums the block on every backend;
 * rows never meet in either (both say `rowwise`); and the second derivatives
 * they claim (`twiceDifferentiable`), and silu's in a dense layer's fast
 * path, are the true ones, which a gradient penalty trains through. (Silu's
 * first derivative there is tests/unit/compile/ops.test.ts's, per activation.)
 */
const ctx = { network: () => undefined };
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

function refusal(kind: OpKind, params: object, x: (number | null)[]): ShapeError {
  try {
    kind.inferShape(kind.params.parse(params), { x }, ctx);
  } catch (e) {
    if (e instanceof ShapeError) return e;
    throw e;
  }
  throw new Error('accepted');
}

/** d f / d v at every index by central differences (f smooth, float32: a loose tolerance). */
function numericGrad(f: (v: tf.Tensor) => tf.Scalar, v: tf.Tensor, step = 1e-2): Float32Array {
  const out = new Float32Array(v.size);
  for (let k = 0; k < v.size; k++) {
    const e = tf.mul(tf.oneHot(k, v.size).reshape(v.shape).toFloat(), step);
    out[k] = (f(tf.add(v, e)).dataSync()[0]! - f(tf.sub(v, e)).dataSync()[0]!) / (2 * step);
  }
  return out;
}

const expectNear = (actual: tf.Tensor, expected: Float32Array, tolerance: number) => {
  const scale = Math.max(1, ...Array.from(expected, Math.abs));
  expect(Math.max(...Array.from(actual.dataSync(), (a, k) => Math.abs(a - expected[k]!))) / scale).toBeLessThan(tolerance);
};

describe('group norm', () => {
  beforeAll(cpu);

  it('refuses groups that do not divide the channels, on port x, naming both and the groups that would', () => {
    const e = refusal(groupNorm, { groups: 4 }, [null, 5, 5, 6]);
    expect(e.port).toBe('x');
    expect(e.message).toMatch(/4 groups do not divide the 6 channels/);
    expect(e.fix).toMatch(/divisor of 6 \(3\)/);
    // The default 32 on features: the fix names the channels themselves.
    expect(refusal(groupNorm, {}, [null, 8]).fix).toMatch(/divisor of 8 \(8\)/);
    expect(refusal(groupNorm, { groups: 3 }, [null]).port).toBe('x');
    // Fitting a graph passes its shape through only where the groups still divide the channels.
    const p = groupNorm.params.parse({ groups: 2 });
    expect(groupNorm.refit!(p, { x: [null, 3, 3, 4] }, 'y', [null, 6, 6, 8])).toEqual({ params: {}, inputs: { x: [null, 6, 6, 8] } });
    expect(groupNorm.refit!(p, { x: [null, 3, 3, 4] }, 'y', [null, 3, 3, 7])).toBeUndefined();
  });

  it('normalises each item\'s groups of channels by their own mean and biased variance, then scales and shifts per channel', () => {
    // One item, 2 positions, 4 channels in 2 groups: {1, 3, 2, 6} and {5, -1, 0, 4}.
    const x = [1, 3, 5, -1, 2, 6, 0, 4];
    const [gamma, beta, epsilon] = [[2, 1, 0.5, 1], [0, 1, -1, 0.5], 1e-3];
    const group = (c: number) => (c < 2 ? [1, 3, 2, 6] : [5, -1, 0, 4]);
    const expected = x.map((v, i) => {
      const c = i % 4;
      const values = group(c);
      const mean = values.reduce((a, b) => a + b) / 4;
      const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / 4;
      return ((v - mean) / Math.sqrt(variance + epsilon)) * gamma[c]! + beta[c]!;
    });
    const y = opsFor(tf).groupNorm(tf.tensor(x, [1, 1, 2, 4]), tf.tensor1d(gamma), tf.tensor1d(beta), 2, epsilon);
    expect(y.shape).toEqual([1, 1, 2, 4]);
    Array.from(y.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });
});

describe('upsample', () => {
  it('makes each side factor times larger, and fits a graph only to multiples of the factor', () => {
    const p = upsample.params.parse({ factor: 3 });
    expect(upsample.inferShape(p, { x: [null, 3, 5, 2] }, ctx)).toEqual({ y: [null, 9, 15, 2] });
    expect(refusal(upsample, { factor: 3 }, [null, 6]).port).toBe('x');
    expect(upsample.refit!(p, { x: [null, 3, 5, 2] }, 'y', [null, 12, 6, 4])).toEqual({ params: {}, inputs: { x: [null, 4, 2, 4] } });
    expect(upsample.refit!(p, { x: [null, 3, 5, 2] }, 'y', [null, 10, 15, 2])).toBeUndefined();
    expect(upsample.params.safeParse({ factor: 1 }).success).toBe(false);
  });

  it.each([
    { h: 3, w: 5, factor: 3 },
    { h: 4, w: 1, factor: 2 },
  ])('copies each pixel of $h x $w to a $factor x $factor block; its gradient sums the block, on cpu and wasm', async ({ h, w, factor }) => {
    for (const backend of [cpu, wasm]) {
      await backend();
      tf.tidy(() => {
        const x = tf.randomNormal([2, h, w, 3], 0, 1, 'float32', 1);
        const y = opsFor(tf).upsample(x, factor);
        expect(y.shape).toEqual([2, h * factor, w * factor, 3]);
        const [xs, ys] = [x.arraySync() as number[][][][], y.arraySync() as number[][][][]];
        ys.forEach((item, b) => item.forEach((row, i) => row.forEach((pixel, j) => expect(pixel).toEqual(xs[b]![Math.floor(i / factor)]![Math.floor(j / factor)]))));
        // Linear in x: the gradient of sum(r * y) at pixel k is the sum of r over k's block.
        const r = tf.randomNormal(y.shape, 0, 1, 'float32', 2);
        const grad = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(opsFor(tf).upsample(xi, factor), r)))(x);
        const blocks = tf.sum(tf.reshape(r, [2 * h, factor, w, factor, 3]), [1, 3]).reshape(x.shape);
        expect(maxDiff(grad, blocks)).toBeLessThan(1e-5);
      });
    }
  });
});

describe('rows never meet', () => {
  beforeAll(cpu);

  it.each([
    { kind: groupNorm as OpKind, params: { groups: 3 }, shape: [4, 2, 3, 6] },
    { kind: upsample as OpKind, params: { factor: 2 }, shape: [4, 2, 3, 2] },
  ])('$kind.kind computes each row of a batch as it computes that row alone', ({ kind, params, shape }) => {
    tf.tidy(() => {
      const p = kind.params.parse(params);
      const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
      const weights = Object.fromEntries((kind.weights?.(p, { x: [null, ...shape.slice(1)] }) ?? []).map((w, i) => [w.name, tf.randomNormal(w.shape, 1, 0.5, 'float32', 10 + i)]));
      const run = (input: tf.Tensor) => kind.compute({ tf, params: p, inputs: { x: input }, weights, needsGrad: { inputs: false, weights: false } }).y!;
      const whole = run(x);
      for (let row = 0; row < shape[0]!; row++) expect(maxDiff(tf.slice(whole, row, 1), run(tf.slice(x, row, 1)))).toBeLessThan(1e-6);
    });
  });
});

describe('second derivatives, as a gradient penalty takes them', () => {
  beforeAll(cpu);

  /** ||d sum(r * f(x)^2) / dx||^2: squared so the input gradient depends on x (a gradient penalty's shape). */
  const penalty = (f: (x: tf.Tensor) => tf.Tensor, r: tf.Tensor) => (x: tf.Tensor) => tf.sum(tf.square(tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf.square(f(xi)), r)))(x))) as tf.Scalar;

  it('group norm: with respect to the input and to gamma', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 3, 2, 4], 0, 1, 'float32', 5);
      const r = tf.randomNormal(x.shape, 0, 1, 'float32', 6);
      const [gamma, beta] = [tf.randomNormal([4], 1, 0.3, 'float32', 7), tf.randomNormal([4], 0, 1, 'float32', 8)];
      const ofX = penalty((xi) => opsFor(tf).groupNorm(xi, gamma, beta, 2, 1e-5), r);
      expectNear(tf.grad(ofX)(x), numericGrad(ofX, x), 2e-3);
      const ofGamma = (g: tf.Tensor) => penalty((xi) => opsFor(tf).groupNorm(xi, g, beta, 2, 1e-5), r)(x);
      expectNear(tf.grad(ofGamma)(gamma), numericGrad(ofGamma, gamma), 2e-3);
    });
  });

  it('upsample: with respect to the input', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 3, 2, 2], 0, 1, 'float32', 9);
      const ofX = penalty((xi) => opsFor(tf).upsample(xi, 2), tf.randomNormal([2, 6, 4, 2], 0, 1, 'float32', 10));
      expectNear(tf.grad(ofX)(x), numericGrad(ofX, x), 2e-3);
    });
  });

  it('a dense layer with silu: with respect to its kernel, as tfjs differentiates the plain formula', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([5, 7], 0, 1, 'float32', 1);
      const b = tf.randomNormal([4], 0, 1, 'float32', 3);
      const r = tf.randomNormal([5, 4], 0, 1, 'float32', 4);
      const ofW = (dense: (w: tf.Tensor) => (x: tf.Tensor) => tf.Tensor) => (w: tf.Tensor) =>
        tf.sum(tf.square(tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(dense(w)(xi), r)))(x))) as tf.Scalar;
      const fast = ofW((w) => (xi) => opsFor(tf).dense(xi, w, b, 'silu'));
      const plain = ofW((w) => (xi) => opsFor(tf).activate(tf.add(tf.matMul(xi as tf.Tensor2D, w as tf.Tensor2D), b), 'silu'));
      const w = tf.randomNormal([7, 4], 0, 1, 'float32', 2);
      expect(maxDiff(tf.grad(fast)(w), tf.grad(plain)(w))).toBeLessThan(1e-4);
    });
  });
});
