import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../../lib/compile/program';
import type { GraphDocInput } from '../../../lib/graph/schema';
import { CURRENT_SCHEMA_VERSION } from '../../../lib/graph/schema';
import { loadGraphDoc } from '../../../lib/graph/migrations';
import { batchNorm } from '../../../lib/kinds/layers/batch-norm';
import { network, ScopeBuilder } from '../../../lib/templates/builder';
import { decodeCheckpoint, encodeCheckpoint } from '../../../lib/train/checkpoint';
import { mnistData, wasm } from '../../helpers';

/** Per column of rows: mean and biased variance, by hand. */
function columnMoments(rows: number[][]): { mean: number[]; variance: number[] } {
  const n = rows.length;
  const mean = rows[0]!.map((_, j) => rows.reduce((s, r) => s + r[j]!, 0) / n);
  const variance = rows[0]!.map((_, j) => rows.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / n);
  return { mean, variance };
}

const X = [
  [1, -2, 0.5, 0],
  [3, 0, 1.5, 1],
  [-1, 4, 2.5, 0],
  [5, 2, -0.5, 3],
];

describe('batch norm', () => {
  beforeAll(wasm);

  it('normalises by the batch while training and by the moving statistics otherwise, and moves them by its momentum', () => {
    const params = batchNorm.params.parse({ momentum: 0.9, epsilon: 0.001 });
    const gamma = [2, 0.5, 1, 1.5];
    const beta = [0.1, -1, 0, 0.2];
    const movingMean = [0.5, 1, -1, 0];
    const movingVariance = [4, 1, 0.25, 2];
    const { mean, variance } = columnMoments(X);
    tf.tidy(() => {
      const weights = { gamma: tf.tensor1d(gamma), beta: tf.tensor1d(beta), moving_mean: tf.tensor1d(movingMean), moving_variance: tf.tensor1d(movingVariance) };
      const inputs = { x: tf.tensor2d(X) };
      const args = { tf, params, inputs, weights, needsGrad: { inputs: false, weights: false } };
      const normalise = (m: number[], v: number[]) => X.map((row) => row.map((x, j) => (gamma[j]! * (x - m[j]!)) / Math.sqrt(v[j]! + 0.001) + beta[j]!));
      const close = (t: tf.Tensor, expected: number[][] | number[]) => expect(Array.from(t.dataSync())).toEqual(expected.flat().map((e) => expect.closeTo(e, 5)));
      close(batchNorm.compute({ ...args, training: true }).y!, normalise(mean, variance));
      close(batchNorm.compute({ ...args, training: false }).y!, normalise(movingMean, movingVariance));
      const updated = batchNorm.update!({ ...args, training: true });
      close(updated.moving_mean!, movingMean.map((m, j) => 0.9 * m + 0.1 * mean[j]!));
      close(updated.moving_variance!, movingVariance.map((v, j) => 0.9 * v + 0.1 * variance[j]!));
    });
  });

  /** N: x [4] (a 2x2 picture) -> batch norm; trained to output the target T; X and T fed. */
  function graph(): GraphDocInput {
    const N = network('N', 'N', '#059669', (n) => {
      const x = n.input('x', [4]);
      n.output('y', n.add('batch-norm', 'bn', { momentum: 0.9 }, { x }));
    });
    const m = new ScopeBuilder();
    const x = m.add('noise', 'X', { shape: [4] }, {}, 'z');
    const t = m.add('noise', 'T', { shape: [4] }, {}, 'z');
    const y = m.add('call', 'N(X)', { network: 'N' }, { x }, 'y');
    const loss = m.add('mse', 'loss', { reduction: 'mean' }, { prediction: y, target: t }, 'loss');
    const solver = m.add('sgd', 'solver', { networks: ['N'], learningRate: 0.1 }, { loss });
    return {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      name: 'bn',
      nodes: m.nodes,
      edges: m.edges,
      networks: [N],
      training: { batchSize: 4, schedule: [{ optimizer: solver.id, repeat: 1 }], previews: { samples: { node: y.node, port: y.port, range: '0..1' } } },
    };
  }

  it('moves its statistics with the batches its network trains on, keeps them from optimizers, and a checkpoint restores them', async () => {
    const doc = loadGraphDoc(graph());
    if (!doc.ok) throw new Error(doc.error);
    const feed = ({ node }: { node: string }) => Float32Array.from((node === 'X' ? X : X.map((r) => r.map((v) => v / 2))).flat());
    const program = await compile(doc.value, { tf, data: mnistData, feed });
    const state = (name: string) => Array.from(program.weights().get(`N/bn/${name}`)!.dataSync());
    expect(program.weights().get('N/bn/moving_mean')!.trainable).toBe(false);
    program.step();
    const { mean, variance } = columnMoments(X);
    expect(state('moving_mean')).toEqual(mean.map((m) => expect.closeTo(0.1 * m, 5)));
    expect(state('moving_variance')).toEqual(variance.map((v) => expect.closeTo(0.9 + 0.1 * v, 5)));
    // SGD moved gamma and beta (trainable), and nothing but the layer moved the statistics.
    expect(state('gamma').some((g) => Math.abs(g - 1) > 1e-4)).toBe(true);
    program.step();
    expect(state('moving_mean')).toEqual(mean.map((m) => expect.closeTo(0.9 * 0.1 * m + 0.1 * m, 5)));

    const checkpoint = await encodeCheckpoint(tf, 'bn', program.state());
    const restored = await compile(doc.value, { tf, data: mnistData, feed });
    const decoded = decodeCheckpoint(tf, checkpoint);
    restored.restore(decoded);
    decoded.tensors.forEach((t) => t.dispose());
    for (const name of ['gamma', 'beta', 'moving_mean', 'moving_variance']) {
      expect(Array.from(restored.weights().get(`N/bn/${name}`)!.dataSync())).toEqual(state(name));
    }
    // Evaluation (the preview) normalises by the restored moving statistics: the same outputs.
    expect((await restored.samples())!.pixels).toEqual((await program.samples())!.pixels);
    program.dispose();
    restored.dispose();
  });
});
