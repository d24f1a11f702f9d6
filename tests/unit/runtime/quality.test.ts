import * as tf from '@tensorflow/tfjs';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { beforeAll, describe, expect, it } from 'vitest';
import { frechetDistance, pixelFeatures, QualityEvaluator, scoreValues, type FeatureSource } from '../../../lib/runtime/quality';
import type { ImageBatch } from '../../../lib/runtime/grid';
import { normals, stream } from '../../../lib/runtime/random';
import { cpu } from '../../helpers';

const stats = (mean: number[], covariance: number[][]) => ({ mean: Float64Array.from(mean), covariance: new Matrix(covariance) });

/** A random symmetric positive definite matrix: A Aᵀ + I/2. */
function spd(n: number, seed: string): number[][] {
  const a = Matrix.from1DArray(n, n, Array.from(normals(stream(0, seed), { iteration: 0, draw: 0 }, n * n)));
  return a.mmul(a.transpose()).add(Matrix.eye(n).mul(0.5)).to2DArray();
}

describe('the Fréchet distance', () => {
  it('is (m1 - m2)² + s1 + s2 - 2 √(s1 s2) in one dimension', () => {
    expect(frechetDistance(stats([1], [[4]]), stats([3], [[9]]))).toBeCloseTo(4 + 4 + 9 - 2 * 6, 10);
  });

  it('is Σ (√a - √b)² plus the squared mean difference for diagonal covariances', () => {
    const a = [1, 4, 0.25];
    const b = [9, 1, 4];
    const expected = 3 + a.reduce((s, x, i) => s + (Math.sqrt(x) - Math.sqrt(b[i]!)) ** 2, 0);
    const diag = (d: number[]) => d.map((x, i) => d.map((_, j) => (i === j ? x : 0)));
    expect(frechetDistance(stats([1, 1, 1], diag(a)), stats([0, 2, 2], diag(b)))).toBeCloseTo(expected, 9);
  });

  it('matches the closed form of 2x2 matrices that do not commute: tr √(S1 S2) = √(tr(S1 S2) + 2 √det(S1 S2))', () => {
    const s1 = spd(2, 'a');
    const s2 = spd(2, 'b');
    const product = new Matrix(s1).mmul(new Matrix(s2));
    expect(product.get(0, 1)).not.toBeCloseTo(new Matrix(s2).mmul(new Matrix(s1)).get(0, 1), 3);
    const det = product.get(0, 0) * product.get(1, 1) - product.get(0, 1) * product.get(1, 0);
    const crossTrace = Math.sqrt(product.trace() + 2 * Math.sqrt(det));
    const expected = new Matrix(s1).trace() + new Matrix(s2).trace() - 2 * crossTrace;
    expect(frechetDistance(stats([0, 0], s1), stats([0, 0], s2))).toBeCloseTo(expected, 9);
  });

  it('is 0 between equal statistics, symmetric, and unchanged by a rotation of both', () => {
    const s1 = spd(6, 'c');
    const s2 = spd(6, 'd');
    const m1 = [1, 2, 3, 4, 5, 6];
    const m2 = [0, 1, 0, 1, 0, 1];
    expect(frechetDistance(stats(m1, s1), stats(m1, s1))).toBeLessThan(1e-8);
    const d = frechetDistance(stats(m1, s1), stats(m2, s2));
    expect(d).toBeGreaterThan(1);
    expect(frechetDistance(stats(m2, s2), stats(m1, s1))).toBeCloseTo(d, 8);
    // Q from the eigenvectors of another SPD matrix is orthogonal.
    const q = new EigenvalueDecomposition(new Matrix(spd(6, 'e')), { assumeSymmetric: true }).eigenvectorMatrix;
    const rotate = (m: number[], s: number[][]) => stats(q.mmul(Matrix.columnVector(m)).to1DArray(), q.mmul(new Matrix(s)).mmul(q.transpose()).to2DArray());
    expect(frechetDistance(rotate(m1, s1), rotate(m2, s2))).toBeCloseTo(d, 7);
  });
});

/** `count` 8x8 images: each a bright square at a place set by `place(i)`. */
function squares(count: number, place: (i: number) => number): ImageBatch {
  const pixels = new Float32Array(count * 64);
  for (let i = 0; i < count; i++) {
    const at = place(i);
    for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) pixels[i * 64 + (((at >> 2) & 1) * 4 + y) * 8 + (at & 3) + x] = 1;
  }
  return { count, height: 8, width: 8, channels: 1, pixels };
}

/** A stand-in classifier: features are the pixels, the class is where the square sits. */
const byPlace: FeatureSource = {
  kind: 'classifier',
  features: (tf, images) => tf.tidy(() => {
    const flat = tf.reshape(images, [images.shape[0]!, 64]);
    const logits = tf.mul(tf.stack([0, 1, 2, 3, 4, 5, 6, 7].map((at) => tf.sum(tf.slice(tf.reshape(images, [-1, 8, 8]), [0, ((at >> 2) & 1) * 4, at & 3], [-1, 3, 3]), [1, 2])), 1), 10);
    return { features: flat, logits };
  }),
  dispose: () => {},
};

describe('the quality evaluator', () => {
  beforeAll(cpu);

  it('scores samples like the reference best, and a collapsed batch with no entropy, low diversity and a large distance', async () => {
    const real = squares(400, (i) => i % 8);
    const evaluator = await QualityEvaluator.create(tf, byPlace, real);
    const varied = await evaluator.score(squares(400, (i) => (i * 3) % 8));
    const collapsed = await evaluator.score(squares(400, () => 5));
    expect(varied.entropy).toBeCloseTo(3, 5);
    expect(varied.confidence).toBeGreaterThan(0.99);
    expect(varied.diversity).toBeCloseTo(1, 1);
    expect(varied.frechet).toBeLessThan(0.1);
    expect(collapsed.entropy).toBe(0);
    expect(collapsed.diversity).toBeLessThan(0.01);
    expect(collapsed.frechet).toBeGreaterThan(5);
    expect(Object.keys(scoreValues(collapsed))).toEqual(['Fréchet distance', 'class entropy (bits)', 'confidence', 'diversity']);
    expect(tf.memory().numTensors).toBeLessThan(5);
  });

  it('scores pooled pixels only, without class scores, where there is no classifier', async () => {
    const evaluator = await QualityEvaluator.create(tf, pixelFeatures(), squares(200, (i) => i % 8));
    const scores = await evaluator.score(squares(200, () => 1));
    expect(evaluator.kind).toBe('pixels');
    expect(scores.entropy).toBeUndefined();
    expect(scores.frechet).toBeGreaterThan(0.1);
    expect(scores.diversity).toBeLessThan(0.01);
  });
});
