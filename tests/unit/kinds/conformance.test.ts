import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { opsFor } from '../../../lib/runtime/ops';
import * as diffusion from '../../../lib/runtime/diffusion';
import { concreteShape, type Shape } from '../../../lib/kinds/shape';
import { z } from 'zod';
import type { GraphContext, KindExample, NodeKind, OpKind, Tensor } from '../../../lib/kinds/kind';
import { kinds } from '../../../lib/kinds/registry';
import { stream } from '../../../lib/runtime/random';
import { mnistData, wasm } from '../../helpers';

/**
 * One table-driven test over the whole registry, in the spirit of Keras'
 * run_layer_test: every kind's defaults parse, its params round-trip through
 * JSON, its inferred shapes equal the shapes of the tensors it actually
 * computes, and its TypeScript form computes what `compute` computes (every
 * target's forms: tests/integration/codegen/forms.test.ts). Each kind brings
 * its own example, so adding a kind touches its file and the registry.
 */
const contextOf = (example: KindExample): GraphContext => ({ network: (id) => example.networks?.find((n) => n.id === id) });

const BATCH = 3;

/** Inputs in (0.05, 0.95) so that probabilities, logs and square roots are all defined. */
function randomInput(shape: Shape, seed: number): Tensor {
  return tf.randomUniform(concreteShape(shape, BATCH), 0.05, 0.95, 'float32', seed);
}

describe('node kind registry', () => {
  beforeAll(wasm);

  it('has unique kind names', () => {
    expect(new Set(kinds.map((k) => k.kind)).size).toBe(kinds.length);
  });

  describe.each(kinds.map((k) => [k.kind, k] as const))('%s', (_name, kind: NodeKind) => {
    const example = kind.example;
    const ctx = contextOf(example);

    it('documents itself and every param, and parses its defaults (with the example\'s required fields)', () => {
      expect(kind.title.length).toBeGreaterThan(0);
      expect(kind.doc).toMatch(/\[|->/);
      const json = z.toJSONSchema(kind.params, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { description?: string }>; required?: string[] };
      for (const [field, schema] of Object.entries(json.properties ?? {})) expect(schema.description, `${kind.kind}.${field} has no description`).toBeTruthy();
      const required = Object.fromEntries((json.required ?? []).map((field) => [field, example.params[field]]));
      const defaults = kind.params.safeParse(required);
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
      it('computes tensors of the inferred shapes, and its TypeScript form computes the same values', () => {
        const op = kind as OpKind;
        const params = op.params.parse(example.params);
        const inferred = op.inferShape(params, example.inputs, ctx);
        tf.tidy(() => {
          const inputs = Object.fromEntries(Object.entries(example.inputs).map(([port, shape], i) => [port, randomInput(shape, 11 + i)]));
          const specs = op.weights?.(params, example.inputs) ?? [];
          // Random weights; those that start at one (scales, variances) stay positive.
          const weights = Object.fromEntries(
            specs.map((w, i) => {
              const random = tf.randomNormal(w.shape, 0, 0.5, 'float32', 100 + i);
              return [w.name, w.init.kind === 'ones' ? tf.add(1, tf.abs(random)) : random];
            }),
          );
          const computed = op.compute({ tf, params, inputs, weights, needsGrad: { inputs: true, weights: true } });
          for (const [port, shape] of Object.entries(inferred)) {
            expect(computed[port]!.shape, `port ${port}`).toEqual(concreteShape(shape, BATCH));
            expect(Array.from(computed[port]!.dataSync()).every(Number.isFinite), `port ${port} finite`).toBe(true);
          }
          const names = (prefix: string, keys: string[]) => Object.fromEntries(keys.map((k) => [k, `${prefix}[${JSON.stringify(k)}]`]));
          const code = op.forms.typescript.compute({ params, inputs: names('inputs', Object.keys(inputs)), inputShapes: example.inputs, weights: names('weights', Object.keys(weights)) });
          const same = (computed: Record<string, Tensor>, code: Record<string, string>) => {
            expect(Object.keys(code).sort()).toEqual(Object.keys(computed).sort());
            for (const [port, expression] of Object.entries(code)) {
              const run = new Function('tf', 'ops', 'diffusion', 'inputs', 'weights', `return ${expression};`);
              const emitted = run(tf, opsFor(tf), diffusion, inputs, weights) as Tensor;
              expect(emitted.shape).toEqual(computed[port]!.shape);
              const diff = tf.max(tf.abs(tf.sub(emitted, computed[port]!))).dataSync()[0]!;
              expect(diff, `emitted ${expression}`).toBeLessThan(1e-6);
            }
          };
          same(computed, code);
          // A random kind (dropout) draws at its site: both forms must draw the same.
          const drawSite = op.random ? { seed: 5, path: '/D_fake/drop', iteration: 2, round: 0 } : undefined;
          const args = { tf, params, inputs, weights, needsGrad: { inputs: true, weights: true }, training: true, drawSite };
          const emitArgs = { params, inputs: names('inputs', Object.keys(inputs)), inputShapes: example.inputs, weights: names('weights', Object.keys(weights)), training: 'true', drawSite: drawSite && JSON.stringify(drawSite) };
          // A kind with modes computes differently while training: that form must match too, and so must its state's update.
          if (op.modes) same(op.compute(args), op.forms.typescript.compute(emitArgs));
          if (op.random) {
            const [port] = Object.keys(inferred);
            const diff = tf.max(tf.abs(tf.sub(op.compute(args)[port!]!, computed[port!]!))).dataSync()[0]!;
            expect(diff, 'a random kind draws while training').toBeGreaterThan(0);
          }
          if (op.update) {
            expect(op.forms.typescript.update, 'a kind with state has the code form of its update').toBeDefined();
            const state = specs.filter((spec) => spec.trainable === false).map((spec) => spec.name);
            expect(Object.keys(op.update(args)).sort()).toEqual(state.sort());
            same(op.update(args), op.forms.typescript.update!(emitArgs));
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
        const test = await mnistData.dataset({ id: 'mnist', split: 'test' });
        const train = await mnistData.dataset({ id: 'mnist', split: 'train' });
        const sampler = kind.sampler(params, { tf, stream: stream(0, 'conformance'), drawsPerIteration: 1, dataset: (ref) => (ref.split === 'test' ? test : train) });
        const batch = sampler.draw({ iteration: 0, draw: 0 }, BATCH);
        for (const [port, shape] of Object.entries(inferred)) {
          const size = concreteShape(shape, shape[0] === null ? BATCH : 1).reduce((a, b) => a * b, 1);
          expect(batch[port]!.length, `port ${port}`).toBe(size);
          expect(Array.from(batch[port]!).every(Number.isFinite)).toBe(true);
        }
        // The next draw differs (unless the source is a constant); the same position draws the same values again.
        const port = Object.keys(inferred)[0]!;
        const next = expect(Array.from(sampler.draw({ iteration: 0, draw: 1 }, BATCH)[port]!));
        if (kind.constant) next.toEqual(Array.from(batch[port]!));
        else next.not.toEqual(Array.from(batch[port]!));
        expect(Array.from(sampler.draw({ iteration: 0, draw: 0 }, BATCH)[port]!)).toEqual(Array.from(batch[port]!));
      });
    }
  });
});
