import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { opsFor } from '../../lib/compile/ops';
import { concreteShape, type Shape } from '../../lib/graph/shape';
import type { GraphContext, NetworkSignature, NodeKind, OpKind, Tensor } from '../../lib/kinds/kind';
import { kinds } from '../../lib/kinds/registry';
import { createRng } from '../../lib/data/rng';
import { mnistData, wasm } from '../helpers';

/**
 * One table-driven test over the whole registry, in the spirit of Keras'
 * run_layer_test: every kind's defaults parse, its params round-trip through
 * JSON, its inferred shapes equal the shapes of the tensors it actually
 * computes, and its emitted code computes what `compute` computes.
 * A new kind must add its example here (the first test fails until it does).
 */
const signature: NetworkSignature = {
  id: 'Net',
  name: 'Net',
  inputs: [{ port: 'x', label: 'x', shape: [null, 6] }],
  outputs: [{ port: 'y', label: 'y', shape: [null, 3] }],
};
const ctx: GraphContext = { network: (id) => (id === 'Net' ? signature : undefined) };

interface Example {
  params: Record<string, unknown>;
  inputs: Record<string, Shape>;
}

const examples: Record<string, Example> = {
  mnist: { params: { layout: 'image', range: '-1..1' }, inputs: {} },
  noise: { params: { distribution: 'normal', shape: [4, 2] }, inputs: {} },
  dense: { params: { units: 5, activation: 'relu' }, inputs: { x: [null, 7] } },
  activation: { params: { fn: 'leaky-relu', alpha: 0.1 }, inputs: { x: [null, 3, 4] } },
  concat: { params: { inputs: 3 }, inputs: { in0: [null, 2], in1: [null, 3], in2: [null, 1] } },
  flatten: { params: {}, inputs: { x: [null, 4, 3, 2] } },
  reshape: { params: { shape: [-1, 4, 1] }, inputs: { x: [null, 16] } },
  conv2d: { params: { filters: 4, kernelSize: 3, strides: 2, activation: 'tanh' }, inputs: { x: [null, 9, 9, 2] } },
  'max-pool2d': { params: { poolSize: 2, strides: 2, padding: 'SAME' }, inputs: { x: [null, 5, 5, 3] } },
  'conv2d-transpose': { params: { filters: 3, kernelSize: 3, strides: 2, padding: 'VALID', activation: 'relu' }, inputs: { x: [null, 2, 2, 4] } },
  'resize-bilinear': { params: { height: 7, width: 5 }, inputs: { x: [null, 4, 4, 2] } },
  reparameterize: { params: {}, inputs: { mean: [null, 5], logvar: [null, 5], eps: [5] } },
  add: { params: {}, inputs: { a: [null, 3], b: [null, 3] } },
  scale: { params: { factor: -2.5 }, inputs: { x: [null, 3] } },
  'network-input': { params: { shape: [6] }, inputs: {} },
  'network-output': { params: {}, inputs: { in: [null, 3] } },
  call: { params: { network: 'Net' }, inputs: { x: [null, 6] } },
  'sigmoid-cross-entropy': { params: { target: 'zeros' }, inputs: { logits: [null, 1] } },
  'log-loss': { params: { target: 'ones', epsilon: 1e-8 }, inputs: { p: [null, 1] } },
  mse: { params: { reduction: 'sum' }, inputs: { prediction: [null, 4], target: [null, 4] } },
  'gaussian-kl': { params: { reduction: 'batch-mean' }, inputs: { mean: [null, 3], logvar: [null, 3] } },
  'weighted-sum': { params: { weights: [1, 0.5, 2] }, inputs: { term0: [], term1: [], term2: [] } },
  adam: { params: { networks: ['Net'] }, inputs: { loss: [] } },
  adadelta: { params: { networks: ['Net'] }, inputs: { loss: [] } },
  sgd: { params: { networks: ['Net'] }, inputs: { loss: [] } },
  momentum: { params: { networks: ['Net'] }, inputs: { loss: [] } },
  rmsprop: { params: { networks: ['Net'] }, inputs: { loss: [] } },
};

const BATCH = 3;

/** Inputs in (0.05, 0.95) so that probabilities, logs and square roots are all defined. */
function randomInput(shape: Shape, seed: number): Tensor {
  return tf.randomUniform(concreteShape(shape, BATCH), 0.05, 0.95, 'float32', seed);
}

describe('node kind registry', () => {
  beforeAll(wasm);

  it('has exactly one example per registered kind, and unique kind names', () => {
    expect(Object.keys(examples).sort()).toEqual(kinds.map((k) => k.kind).sort());
    expect(new Set(kinds.map((k) => k.kind)).size).toBe(kinds.length);
  });

  describe.each(kinds.map((k) => [k.kind, k] as const))('%s', (name, kind: NodeKind) => {
    const example = examples[name]!;

    it('documents itself and parses its defaults', () => {
      expect(kind.title.length).toBeGreaterThan(0);
      expect(kind.doc).toMatch(/\[|->/);
      const defaults = kind.params.safeParse(name === 'call' ? { network: 'Net' } : {});
      expect(defaults.success, JSON.stringify(defaults.error?.issues)).toBe(true);
    });

    it('round-trips its params through JSON', () => {
      const parsed = kind.params.parse(example.params);
      expect(kind.params.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
    });

    it('declares ports that match the shapes it infers', () => {
      const params = kind.params.parse(example.params);
      const inputs = kind.inputs(params, ctx).map((p) => p.id);
      expect(inputs.sort()).toEqual(Object.keys(example.inputs).sort());
      const outputs = kind.inferShape(params, example.inputs, ctx);
      expect(Object.keys(outputs).sort()).toEqual(kind.outputs(params, ctx).map((p) => p.id).sort());
    });

    if (kind.role === 'op') {
      it('computes tensors of the inferred shapes, and its emitted code computes the same values', () => {
        const op = kind as OpKind;
        const params = op.params.parse(example.params);
        const inferred = op.inferShape(params, example.inputs, ctx);
        tf.tidy(() => {
          const inputs = Object.fromEntries(Object.entries(example.inputs).map(([port, shape], i) => [port, randomInput(shape, 11 + i)]));
          const specs = op.weights?.(params, example.inputs) ?? [];
          const weights = Object.fromEntries(specs.map((w, i) => [w.name, tf.randomNormal(w.shape, 0, 0.5, 'float32', 100 + i)]));
          const computed = op.compute({ tf, params, inputs, weights, needsGrad: { inputs: true, weights: true } });
          for (const [port, shape] of Object.entries(inferred)) {
            expect(computed[port]!.shape, `port ${port}`).toEqual(concreteShape(shape, BATCH));
            expect(Array.from(computed[port]!.dataSync()).every(Number.isFinite), `port ${port} finite`).toBe(true);
          }
          const names = (prefix: string, keys: string[]) => Object.fromEntries(keys.map((k) => [k, `${prefix}[${JSON.stringify(k)}]`]));
          const code = op.emit({ params, inputs: names('inputs', Object.keys(inputs)), inputShapes: example.inputs, weights: names('weights', Object.keys(weights)) });
          for (const [port, expression] of Object.entries(code)) {
            const run = new Function('tf', 'ops', 'inputs', 'weights', `return ${expression};`);
            const emitted = run(tf, opsFor(tf), inputs, weights) as Tensor;
            expect(emitted.shape).toEqual(computed[port]!.shape);
            const diff = tf.max(tf.abs(tf.sub(emitted, computed[port]!))).dataSync()[0]!;
            expect(diff, `emitted ${expression}`).toBeLessThan(1e-6);
          }
        });
      });

      if ((kind as OpKind).monitor) {
        it('monitors one of its inputs as a finite scalar', () => {
          const monitor = (kind as OpKind).monitor!;
          expect(Object.keys(example.inputs)).toContain(monitor.input);
          expect(monitor.describe('D_real')).toContain('D_real');
          tf.tidy(() => {
            const input = tf.sigmoid(randomInput(example.inputs[monitor.input]!, 5));
            const value = monitor.compute(tf, input);
            expect(value.shape).toEqual([]);
            expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
          });
        });
      }

      it('builds weights whose shapes follow its input shapes', () => {
        const op = kind as OpKind;
        const specs = op.weights?.(op.params.parse(example.params), example.inputs) ?? [];
        for (const spec of specs) expect(spec.shape.every((d) => Number.isInteger(d) && d > 0)).toBe(true);
      });
    }

    if (kind.role === 'source') {
      it('draws batches of the inferred shapes', async () => {
        const params = kind.params.parse(example.params);
        const inferred = kind.inferShape(params, {}, ctx);
        const rng = createRng('conformance');
        const test = await mnistData.mnist('test');
        const train = await mnistData.mnist('train');
        const sampler = kind.sampler(params, { tf, random: rng.random, normal: rng.normal, mnist: (split) => (split === 'test' ? test : train) });
        const batch = sampler.next(BATCH);
        for (const [port, shape] of Object.entries(inferred)) {
          const size = concreteShape(shape, shape[0] === null ? BATCH : 1).reduce((a, b) => a * b, 1);
          expect(batch[port]!.length, `port ${port}`).toBe(size);
          expect(Array.from(batch[port]!).every(Number.isFinite)).toBe(true);
        }
        const again = sampler.next(BATCH);
        expect(Array.from(again[Object.keys(inferred)[0]!]!)).not.toEqual(Array.from(batch[Object.keys(inferred)[0]!]!));
      });
    }
  });
});
