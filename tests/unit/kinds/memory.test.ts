import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryOf, type KindExample, type OpKind, type OptimizerKind, type Tensor } from '../../../lib/kinds/kind';
import { kinds } from '../../../lib/kinds/registry';
import { concreteShape } from '../../../lib/kinds/shape';
import { peakBytes } from '../../fixtures/memory';
import { cpu } from '../../helpers';

/**
 * What each kind tells the memory estimate (lib/graph/memory.ts), measured
 * on tfjs's cpu backend: an op's `memory` (values its forward and backward
 * passes hold per value of its larger side, without its input and weight
 * gradients) on its own example (and more shapes, where the figure is a
 * function of them), and an optimizer's `temporaries` (values
 * an update holds per value it updates) for one large variable and for many
 * small ones updated together. A kind that holds more than it says fails
 * here, naming what it holds.
 */
const BATCH = 32;
/** More cases for figures that depend on the shapes (OpKind.memory as a function): attention where its [hw, hw] matrices dominate. */
const EXTRA: Record<string, KindExample[]> = {
  'self-attention': [
    { params: { heads: 1 }, inputs: { x: [null, 8, 8, 4] } },
    { params: { heads: 8 }, inputs: { x: [null, 4, 4, 8] } },
    { params: { heads: 1 }, inputs: { x: [null, 2, 2, 16] } },
  ],
};
const values = (tensors: readonly Tensor[]) => tensors.reduce((n, t) => n + t.size, 0);

describe('memory each kind declares', () => {
  beforeAll(cpu);

  const cases = (kinds.filter((k) => k.role === 'op') as OpKind[]).flatMap((k) => [k.example, ...(EXTRA[k.kind] ?? [])].map((example, n) => [n === 0 ? k.kind : `${k.kind} #${n}`, k, example] as const));
  it.each(cases)('%s: its forward and backward passes hold no more than it says', async (_name, kind, example) => {
    const params = kind.params.parse(example.params);
    const inputs = Object.fromEntries(Object.entries(example.inputs).map(([port, shape], i) => [port, tf.randomUniform(concreteShape(shape, BATCH), 0.05, 0.95, 'float32', 11 + i)]));
    const weights = Object.fromEntries(
      (kind.weights?.(params, example.inputs) ?? []).map((w, i) => [w.name, tf.variable(tf.add(1, tf.abs(tf.randomNormal(w.shape, 0, 0.5, 'float32', 100 + i))), w.trainable !== false)]),
    );
    const out = Object.values(kind.inferShape(params, example.inputs, { network: (id) => example.networks?.find((n) => n.id === id) })).reduce((n, s) => n + concreteShape(s, BATCH).reduce((a, b) => a * b, 1), 0);
    const larger = Math.max(out, values(Object.values(inputs)));
    const before = tf.memory().numBytes;
    const peak = await peakBytes(tf, () =>
      tf.tidy(() =>
        tf.grads((...xs: Tensor[]) => {
          const given = Object.fromEntries(Object.keys(inputs).map((port, i) => [port, xs[i]!]));
          const drawSite = kind.random ? { seed: 5, path: '/x', iteration: 1, round: 0 } : undefined;
          const outputs = kind.compute({ tf, params, inputs: given, weights, needsGrad: { inputs: true, weights: true }, training: true, drawSite });
          return tf.addN(Object.values(outputs).map((t) => tf.sum(t))) as tf.Scalar;
        })(Object.values(inputs)),
      ),
    );
    // Input gradients belong to the ops that made the inputs, weight gradients to the estimate's own count of them.
    const held = (peak - before) / 4 - values(Object.values(inputs)) - values(Object.values(weights));
    Object.values(weights).forEach((w) => w.dispose());
    Object.values(inputs).forEach((t) => t.dispose());
    expect(held / larger, `${kind.kind} on ${JSON.stringify(example.inputs)} holds ${(held / larger).toFixed(2)} values per value of its larger side`).toBeLessThanOrEqual(memoryOf(kind, params, example.inputs));
  });

  it.each((kinds.filter((k) => k.role === 'optimizer') as OptimizerKind[]).map((k) => [k.kind, k] as const))('%s: an update holds no more temporaries than it says', async (_name, kind) => {
    for (const sizes of [[100_000], Array<number>(20).fill(1000)]) {
      for (const extra of [{}, { momentum: 0.9, nesterov: true }]) {
        const params = kind.params.parse({ networks: ['N'], ...extra });
        const variables = sizes.map((n) => tf.variable(tf.zeros([n])));
        const grads = sizes.map((n) => tf.ones([n]));
        const updater = kind.updater(tf, params, variables);
        updater.apply(grads); // slots made
        const before = tf.memory().numBytes;
        const peak = await peakBytes(tf, () => updater.apply(grads));
        const held = (peak - before) / 4 / values(variables);
        updater.dispose();
        [...variables, ...grads].forEach((t) => t.dispose());
        expect(held, `${kind.kind} ${JSON.stringify(extra)} over ${sizes.length} variables holds ${held.toFixed(2)} values per value`).toBeLessThanOrEqual(kind.temporaries);
      }
    }
  });
});
