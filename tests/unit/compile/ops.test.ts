import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, opsFor, type Activation } from '../../../lib/runtime/ops';
import { cpu, wasm } from '../../helpers';

/**
 * The fast custom gradients must equal tfjs's own autodiff of the plain
 * formulation, for every activation and every combination of gradients a step
 * may need, and the composed convolution filter gradient must equal cpu's
 * native Conv2DBackpropFilter.
 */
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

function plainDense(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, activation: Activation) {
  return opsFor(tf).activate(tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b), activation);
}

describe('dense with the fast backward pass', () => {
  const needs = [
    { inputs: true, weights: true },
    { inputs: true, weights: false },
    { inputs: false, weights: true },
  ];
  it.each(ACTIVATIONS.flatMap((activation) => needs.map((need) => ({ activation, need }))))(
    '$activation, gradients for inputs=$need.inputs weights=$need.weights equal autodiff',
    async ({ activation, need }) => {
      await wasm();
      tf.tidy(() => {
        const x = tf.randomNormal([5, 7], 0, 1, 'float32', 1);
        const w = tf.randomNormal([7, 4], 0, 1, 'float32', 2);
        const b = tf.randomNormal([4], 0, 1, 'float32', 3);
        const r = tf.randomNormal([5, 4], 0, 1, 'float32', 4);
        const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, r)) as tf.Scalar;
        const expected = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => loss(plainDense(xi, wi, bi, activation)))([x, w, b]);
        const ops = opsFor(tf);
        const args = [need.inputs ? x : undefined, need.weights ? w : undefined, need.weights ? b : undefined].filter(Boolean) as tf.Tensor[];
        const actual = tf.grads((...t: tf.Tensor[]) => {
          const xi = need.inputs ? t.shift()! : x;
          const wi = need.weights ? t.shift()! : w;
          const bi = need.weights ? t.shift()! : b;
          return loss(ops.dense(xi, wi, bi, activation, need));
        })(args);
        const wanted = [need.inputs ? expected[0] : undefined, need.weights ? expected[1] : undefined, need.weights ? expected[2] : undefined].filter(Boolean) as tf.Tensor[];
        expect(actual.length).toBe(wanted.length);
        actual.forEach((g, i) => expect(maxDiff(g, wanted[i]!)).toBeLessThan(1e-5));
        // Forward values agree too.
        expect(maxDiff(ops.dense(x, w, b, activation, need), plainDense(x, w, b, activation))).toBeLessThan(1e-5);
      });
    },
  );
});

describe('convolutions with a filter gradient every backend can run', () => {
  const cases = [
    { h: 9, w: 7, cin: 2, cout: 3, k: 3, stride: 1, pad: 'same' as const },
    { h: 9, w: 9, cin: 2, cout: 4, k: 3, stride: 2, pad: 'same' as const },
    { h: 28, w: 28, cin: 1, cout: 16, k: 3, stride: 3, pad: 'same' as const },
    { h: 8, w: 10, cin: 3, cout: 2, k: 5, stride: 3, pad: 'valid' as const },
  ];

  it.each(cases)('conv2d $h x $w, k$k /$stride $pad: gradients equal cpu autodiff', async (c) => {
    const run = (useOps: boolean) =>
      tf.tidy(() => {
        const x = tf.randomNormal([2, c.h, c.w, c.cin], 0, 1, 'float32', 5);
        const f = tf.randomNormal([c.k, c.k, c.cin, c.cout], 0, 1, 'float32', 6);
        const conv = (xi: tf.Tensor, fi: tf.Tensor) =>
          useOps ? opsFor(tf).conv2d(xi, fi, c.stride, c.pad) : tf.conv2d(xi as tf.Tensor4D, fi as tf.Tensor4D, c.stride, c.pad);
        const r = tf.randomNormal(conv(x, f).shape, 0, 1, 'float32', 7);
        return tf.grads((xi: tf.Tensor, fi: tf.Tensor) => tf.sum(tf.mul(conv(xi, fi), r)) as tf.Scalar)([x, f]).map((g) => Array.from(g.dataSync()));
      });
    await cpu();
    const expected = run(false);
    const onCpu = run(true);
    await wasm();
    const onWasm = run(true);
    for (const actual of [onCpu, onWasm]) {
      actual.forEach((g, i) => {
        const worst = Math.max(...g.map((v, j) => Math.abs(v - expected[i]![j]!)));
        expect(worst).toBeLessThan(1e-3);
      });
    }
  });

  it.each([
    { h: 2, cin: 8, cout: 16, k: 3, stride: 2, pad: 'valid' as const, out: 5 },
    { h: 5, cin: 16, cout: 8, k: 5, stride: 3, pad: 'same' as const, out: 15 },
    { h: 15, cin: 8, cout: 1, k: 3, stride: 2, pad: 'same' as const, out: 30 },
  ])('conv2d-transpose $h -> $out, k$k /$stride $pad: gradients equal cpu autodiff', async (c) => {
    const run = (useOps: boolean) =>
      tf.tidy(() => {
        const x = tf.randomNormal([2, c.h, c.h, c.cin], 0, 1, 'float32', 8);
        const f = tf.randomNormal([c.k, c.k, c.cout, c.cin], 0, 1, 'float32', 9);
        const outShape: [number, number, number, number] = [2, c.out, c.out, c.cout];
        const deconv = (xi: tf.Tensor, fi: tf.Tensor) =>
          useOps ? opsFor(tf).conv2dTranspose(xi, fi, outShape, c.stride, c.pad) : tf.conv2dTranspose(xi as tf.Tensor4D, fi as tf.Tensor4D, outShape, c.stride, c.pad);
        const r = tf.randomNormal(outShape, 0, 1, 'float32', 10);
        return tf.grads((xi: tf.Tensor, fi: tf.Tensor) => tf.sum(tf.mul(deconv(xi, fi), r)) as tf.Scalar)([x, f]).map((g) => Array.from(g.dataSync()));
      });
    await cpu();
    const expected = run(false);
    await wasm();
    const actual = run(true);
    actual.forEach((g, i) => {
      const worst = Math.max(...g.map((v, j) => Math.abs(v - expected[i]![j]!)));
      expect(worst).toBeLessThan(1e-3);
    });
  });
});

describe('bilinear resize with its true gradient', () => {
  // Fuzz: on the cpu backend tfjs's gradient swapped height and width for images that are not square (training threw);
  // on every backend it ignored halfPixelCenters (silently wrong gradients).
  it.each([
    { h: 1, w: 6, size: [1, 4] as [number, number], alignCorners: false, halfPixelCenters: false },
    { h: 3, w: 5, size: [4, 2] as [number, number], alignCorners: false, halfPixelCenters: true },
    { h: 4, w: 2, size: [7, 3] as [number, number], alignCorners: true, halfPixelCenters: false },
    { h: 3, w: 3, size: [2, 5] as [number, number], alignCorners: false, halfPixelCenters: true },
  ])('$h x $w -> $size (alignCorners $alignCorners, halfPixelCenters $halfPixelCenters): the gradient of the forward kernel, on cpu and wasm', async (c) => {
    // The resize is linear in x, so d(sum(r * resize(x)))/dx_k is the function's value at the k-th unit image.
    const run = () =>
      tf.tidy(() => {
        const shape = [2, c.h, c.w, 2];
        const r = tf.randomNormal([2, ...c.size, 2], 0, 1, 'float32', 11);
        const f = (x: tf.Tensor) => tf.sum(tf.mul(opsFor(tf).resizeBilinear(x, c.size, c.alignCorners, c.halfPixelCenters), r)) as tf.Scalar;
        const grad = tf.grad(f)(tf.randomNormal(shape, 0, 1, 'float32', 12));
        const size = grad.size;
        const exact = Array.from({ length: size }, (_, k) => f(tf.oneHot(k, size).reshape(shape).toFloat()).dataSync()[0]!);
        return { shape: grad.shape, worst: Math.max(...Array.from(grad.dataSync(), (g, k) => Math.abs(g - exact[k]!))) };
      });
    for (const backend of [cpu, wasm]) {
      await backend();
      const { shape, worst } = run();
      expect(shape).toEqual([2, c.h, c.w, 2]);
      expect(worst).toBeLessThan(1e-5);
    }
  });
});

/** d/de f(p + e v) at e = 0 in float64, by central differences: the directional derivative a gradient must give. */
const directional = (f: (p: Float64Array) => number, p: Float64Array, v: Float64Array, step = 1e-4) => {
  const moved = (sign: number) => f(p.map((x, i) => x + sign * step * v[i]!));
  return (moved(1) - moved(-1)) / (2 * step);
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((sum, x, i) => sum + x * b[i]!, 0);

describe('sinusoidal time embedding', () => {
  /** guided-diffusion's timestep_embedding in float64: [cos(t scale f), sin(t scale f)]. */
  const reference = (t: number, dim: number, maxPeriod: number, scale: number) => {
    const half = dim / 2;
    const args = Array.from({ length: half }, (_, i) => t * scale * Math.exp((-Math.log(maxPeriod) * i) / half));
    return [...args.map(Math.cos), ...args.map(Math.sin)];
  };

  it.each([
    { dim: 8, maxPeriod: 10000, scale: 1, times: [0, 1, 17, 250, 999, 1000] },
    { dim: 64, maxPeriod: 10000, scale: 1000, times: [0, 0.001, 0.25, 0.5, 0.999, 1] },
    { dim: 6, maxPeriod: 100, scale: 1, times: [-3, 0.5, 42] },
  ])('dim $dim, max period $maxPeriod, scale $scale: guided-diffusion\'s values, and a gradient on cpu and wasm', async ({ dim, maxPeriod, scale, times }) => {
    for (const backend of [cpu, wasm]) {
      await backend();
      tf.tidy(() => {
        const t = tf.tensor2d(times, [times.length, 1]);
        const y = opsFor(tf).timeEmbedding(t, dim, maxPeriod, scale);
        expect(y.shape).toEqual([times.length, dim]);
        const got = y.arraySync() as number[][];
        // The argument t scale f is rounded to float32 (as in every target): up to 1000 * 2^-24 off its float64 value.
        times.forEach((time, row) => reference(time, dim, maxPeriod, scale).forEach((want, i) => expect(Math.abs(got[row]![i]! - want)).toBeLessThan(2e-4)));
        // d/dt sum(r y) = sum_i scale f_i (r_sin,i cos - r_cos,i sin).
        const r = tf.randomNormal([times.length, dim], 0, 1, 'float32', 3);
        const f = (tt: tf.Tensor) => tf.sum(tf.mul(opsFor(tf).timeEmbedding(tt, dim, maxPeriod, scale), r)) as tf.Scalar;
        const grad = tf.grad(f)(t).dataSync();
        const weights = r.arraySync() as number[][];
        times.forEach((time, row) => {
          const half = dim / 2;
          const [cosines, sines] = [weights[row]!.slice(0, half), weights[row]!.slice(half)];
          const frequencies = Array.from({ length: half }, (_, i) => scale * Math.exp((-Math.log(maxPeriod) * i) / half));
          const exact = frequencies.reduce((sum, f, i) => sum + f * (sines[i]! * Math.cos(time * f) - cosines[i]! * Math.sin(time * f)), 0);
          // float32 rounds each argument by up to |t f| 2^-24, so each term may be off by f |r| max(1, |t f|) 1e-7.
          const slack = frequencies.reduce((sum, f, i) => sum + f * (Math.abs(sines[i]!) + Math.abs(cosines[i]!)) * Math.max(1, Math.abs(time * f)), 0);
          expect(Math.abs(grad[row]! - exact)).toBeLessThan(1e-6 * slack);
        });
        // Twice differentiable, as the kind declares: the gradient's own gradient runs.
        expect(tf.grad((tt: tf.Tensor) => tf.sum(tf.grad(f)(tt)) as tf.Scalar)(t).shape).toEqual([times.length, 1]);
      });
    }
  });
});

describe('self-attention over a feature map', () => {
  /** The same in float64 by loops, each position at a time: q, k, v = x Wqkv + b, per head softmax(q k^T / sqrt(depth)) v, then the output projection. */
  function reference(x: Float64Array, [rows, h, w, c]: number[], heads: number, p: { Wqkv: Float64Array; bqkv: Float64Array; Wout: Float64Array; bout: Float64Array }): Float64Array {
    const n = h! * w!;
    const depth = c! / heads;
    const out = new Float64Array(rows! * n * c!);
    for (let b = 0; b < rows!; b++) {
      const qkv = Array.from({ length: n }, (_, pos) => Array.from({ length: 3 * c! }, (_, j) => p.bqkv[j]! + Array.from({ length: c! }, (_, i) => x[(b * n + pos) * c! + i]! * p.Wqkv[i * 3 * c! + j]!).reduce((s, v) => s + v, 0)));
      const mixed = Array.from({ length: n }, () => new Float64Array(c!));
      for (let head = 0; head < heads; head++) {
        const at = (pos: number, part: number, d: number) => qkv[pos]![part * c! + head * depth + d]!;
        for (let i = 0; i < n; i++) {
          const scores = Array.from({ length: n }, (_, j) => Array.from({ length: depth }, (_, d) => at(i, 0, d) * at(j, 1, d)).reduce((s, v) => s + v, 0) / Math.sqrt(depth));
          const top = Math.max(...scores);
          const e = scores.map((s) => Math.exp(s - top));
          const total = e.reduce((s, v) => s + v, 0);
          for (let d = 0; d < depth; d++) mixed[i]![head * depth + d] = e.reduce((s, v, j) => s + (v / total) * at(j, 2, d), 0);
        }
      }
      for (let pos = 0; pos < n; pos++) for (let o = 0; o < c!; o++) out[(b * n + pos) * c! + o] = p.bout[o]! + Array.from({ length: c! }, (_, i) => mixed[pos]![i]! * p.Wout[i * c! + o]!).reduce((s, v) => s + v, 0);
    }
    return out;
  }

  it.each([
    { shape: [2, 2, 3, 4], heads: 1 },
    { shape: [3, 3, 5, 6], heads: 2 },
    { shape: [1, 4, 4, 8], heads: 4 },
  ])('$shape with $heads heads: the float64 loops\' values and gradients, rows apart, a second-order gradient, on cpu and wasm', async ({ shape, heads }) => {
    const c = shape[3]!;
    const sizes = { x: shape, Wqkv: [c, 3 * c], bqkv: [3 * c], Wout: [c, c], bout: [c] };
    const names = Object.keys(sizes) as (keyof typeof sizes)[];
    const given = Object.fromEntries(names.map((name, i) => [name, Float64Array.from(tf.tidy(() => tf.randomNormal(sizes[name], 0, 0.7, 'float32', 20 + i).dataSync()))])) as Record<keyof typeof sizes, Float64Array>;
    const r = Float64Array.from(tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', 30).dataSync()));
    const want = reference(given.x, shape, heads, given);
    // One direction in every argument at once: the gradients' dot product with it is a directional derivative.
    const direction = Object.fromEntries(names.map((name, i) => [name, Float64Array.from(tf.tidy(() => tf.randomNormal(sizes[name], 0, 1, 'float32', 40 + i).dataSync()))])) as Record<keyof typeof sizes, Float64Array>;
    const split = (flat: Float64Array) => Object.fromEntries(names.map((name, i) => [name, flat.subarray(names.slice(0, i).reduce((s, m) => s + given[m].length, 0)).subarray(0, given[name].length)])) as Record<keyof typeof sizes, Float64Array>;
    const joined = (parts: Record<string, Float64Array>) => Float64Array.from(names.flatMap((name) => Array.from(parts[name]!)));
    const loss = (flat: Float64Array) => {
      const p = split(flat);
      return dot(reference(p.x, shape, heads, p), r);
    };
    const exact = directional(loss, joined(given), joined(direction));
    for (const backend of [cpu, wasm]) {
      await backend();
      tf.tidy(() => {
        const t = Object.fromEntries(names.map((name) => [name, tf.tensor(Float32Array.from(given[name]), sizes[name])])) as Record<keyof typeof sizes, tf.Tensor>;
        const attend = (a: Record<keyof typeof sizes, tf.Tensor>) => opsFor(tf).selfAttention(a.x, a.Wqkv, a.bqkv, a.Wout, a.bout, heads);
        const y = attend(t);
        expect(y.shape).toEqual(shape);
        const got = y.dataSync();
        want.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))));
        // Rows never meet (the kind is rowwise): each row alone gives its own values.
        const alone = attend({ ...t, x: tf.slice(t.x, [shape[0]! - 1], [1]) }).dataSync();
        const last = got.subarray(got.length - alone.length);
        alone.forEach((v, i) => expect(Math.abs(v - last[i]!)).toBeLessThan(1e-6));
        // tfjs's autodiff through it against float64 central differences of the loops.
        const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(attend(Object.fromEntries(names.map((name, i) => [name, a[i]!])) as Record<keyof typeof sizes, tf.Tensor>), tf.tensor(Float32Array.from(r), shape))) as tf.Scalar)(names.map((name) => t[name]));
        grads.forEach((g, i) => expect(g.shape).toEqual(sizes[names[i]!]));
        const along = grads.reduce((s, g, i) => s + dot(g.dataSync(), direction[names[i]!]), 0);
        expect(Math.abs(along - exact)).toBeLessThan(1e-4 * Math.max(1, Math.abs(exact)));
        // Twice differentiable, as the kind declares (a WGAN-GP critic): the gradient of an input-gradient penalty along W_out, against float32 central differences.
        const penalty = (wOut: tf.Tensor) => tf.sum(tf.square(tf.grad((x: tf.Tensor) => tf.sum(tf.square(attend({ ...t, x, Wout: wOut }))) as tf.Scalar)(t.x))) as tf.Scalar;
        const v = tf.tensor(Float32Array.from(direction.Wout), sizes.Wout);
        const step = 1e-2;
        const differences = (penalty(tf.add(t.Wout, tf.mul(v, step))).dataSync()[0]! - penalty(tf.sub(t.Wout, tf.mul(v, step))).dataSync()[0]!) / (2 * step);
        const second = dot(tf.grad(penalty)(t.Wout).dataSync(), direction.Wout);
        expect(Math.abs(second - differences)).toBeLessThan(1e-2 * Math.max(1, Math.abs(differences)));
      });
    }
  });
});
