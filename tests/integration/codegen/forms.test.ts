import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_TARGETS } from '../../../codegen/targets';
import type { FormCase, FormPass, HostValues } from '../../../codegen/targets/harness';
import { HARNESSES } from '../../../codegen/targets/harnesses';
import type { OpKind, Tensor } from '../../../lib/kinds/kind';
import { kinds } from '../../../lib/kinds/registry';
import { concreteShape, type Shape } from '../../../lib/kinds/shape';

/**
 * Every export target's forms against tfjs: for every layer and loss kind
 * with the target's form, its own example and more cases for the
 * convolutions' padding and stride rules, on the same random inputs and
 * weights, in each pass the target prints (a row per kind and pass, as in the
 * conformance test), run by the target's harness (codegen/targets/harness.ts).
 */
const BATCH = 3;
const EXTRA: Record<string, { params: Record<string, unknown>; inputs: Record<string, Shape> }[]> = {
  conv2d: [
    { params: { filters: 3, kernelSize: 3, strides: 2, padding: 'SAME', activation: 'relu' }, inputs: { x: [null, 5, 6, 2] } },
    { params: { filters: 2, kernelSize: 2, strides: 1, padding: 'VALID' }, inputs: { x: [null, 4, 4, 3] } },
    { params: { filters: 2, kernelSize: 4, strides: 3, padding: 'SAME', useBias: false }, inputs: { x: [null, 7, 5, 1] } },
  ],
  'conv2d-transpose': [
    { params: { filters: 2, kernelSize: 3, strides: 2, padding: 'SAME' }, inputs: { x: [null, 3, 4, 2] } },
    { params: { filters: 2, kernelSize: 4, strides: 2, padding: 'SAME', activation: 'tanh' }, inputs: { x: [null, 3, 3, 1] } },
    { params: { filters: 1, kernelSize: 1, strides: 2, padding: 'VALID' }, inputs: { x: [null, 3, 3, 2] } },
    { params: { filters: 2, kernelSize: 5, strides: 1, padding: 'SAME' }, inputs: { x: [null, 4, 4, 2] } },
  ],
  'max-pool2d': [
    { params: { poolSize: 3, strides: 2, padding: 'SAME' }, inputs: { x: [null, 5, 6, 2] } },
    { params: { poolSize: 2, strides: 1, padding: 'VALID' }, inputs: { x: [null, 4, 3, 1] } },
  ],
  'resize-bilinear': [
    { params: { height: 7, width: 5, alignCorners: true }, inputs: { x: [null, 3, 4, 2] } },
    { params: { height: 6, width: 9, halfPixelCenters: true }, inputs: { x: [null, 4, 3, 1] } },
    { params: { height: 2, width: 3 }, inputs: { x: [null, 5, 7, 1] } },
  ],
  concat: [{ params: { inputs: 2 }, inputs: { in0: [null, 3], in1: [null, 2] } }],
  activation: [{ params: { fn: 'silu' }, inputs: { x: [null, 3, 4] } }],
  dense: [{ params: { units: 4, activation: 'silu' }, inputs: { x: [null, 5] } }],
  'group-norm': [
    // One group (layer norm over each item), a group per channel (instance norm), features, a sequence.
    { params: { groups: 1 }, inputs: { x: [null, 4, 3, 5] } },
    { params: { groups: 5, epsilon: 1e-3 }, inputs: { x: [null, 3, 3, 5] } },
    { params: { groups: 4 }, inputs: { x: [null, 8] } },
    { params: { groups: 3 }, inputs: { x: [null, 5, 6] } },
  ],
  upsample: [
    { params: { factor: 3 }, inputs: { x: [null, 3, 5, 2] } },
    { params: { factor: 5 }, inputs: { x: [null, 1, 3, 1] } },
  ],
  // Inputs lie in -0.9..0.95: scale 1000 takes t scale f to 950, where float32 arguments must round alike in every target.
  'time-embedding': [
    { params: { dim: 64, scale: 1000 }, inputs: { t: [null, 1] } },
    { params: { dim: 6, maxPeriod: 100, scale: 3 }, inputs: { t: [null, 1] } },
  ],
  'self-attention': [
    { params: { heads: 2 }, inputs: { x: [null, 3, 5, 6] } },
    { params: { heads: 4 }, inputs: { x: [null, 2, 2, 8] } },
  ],
};

/** Layer and loss kinds a target has no form for, by target. */
const WITHOUT_FORMS: Partial<Record<string, string[]>> = {
  // An exported ONNX network infers: losses, and the forward noising that makes a diffusion model's training inputs, stay in training.
  onnx: ['binary-cross-entropy', 'forward-noise', 'gaussian-kl', 'gradient-penalty', 'log-loss', 'mean', 'mse', 'sigmoid-cross-entropy', 'weighted-sum'],
};

/** Where random kinds (dropout) draw their training masks: every target must draw the same. */
const DRAW_SITE = { seed: 5, path: '/D_fake/drop', iteration: 2, round: 1 };

/** A case whose form did not give tfjs's values. */
type Off = { case: string; port?: string; error?: string; difference?: number };

const host = (t: Tensor): HostValues => ({ shape: t.shape, data: Float32Array.from(t.dataSync()) });
const hostAll = (record: Record<string, Tensor>) => Object.fromEntries(Object.entries(record).map(([key, t]) => [key, host(t)]));

/** The cases of one kind in the passes a target prints, with what tfjs computes for each. */
function casesOf(kind: OpKind, passes: readonly FormPass[]): { case: FormCase; expected: Record<string, HostValues> }[] {
  return [kind.example, ...(EXTRA[kind.kind] ?? [])].flatMap((example, n) => {
    const params = kind.params.parse(example.params);
    const inputs = Object.fromEntries(Object.entries(example.inputs).map(([port, shape], i) => [port, tf.randomUniform(concreteShape(shape, BATCH), kind.loss ? 0.05 : -0.9, 0.95, 'float32', 7 + i)]));
    const inputShapes = Object.fromEntries(Object.entries(inputs).map(([port, t]) => [port, t.shape]));
    // Random weights; those that start at one (scales, variances) stay positive.
    const weights = Object.fromEntries(
      (kind.weights?.(params, inputShapes) ?? []).map((w, i) => {
        const random = tf.randomNormal(w.shape, 0, 0.5, 'float32', 40 + i);
        return [w.name, w.init.kind === 'ones' ? tf.add(1, tf.abs(random)) : random];
      }),
    );
    const drawSite = kind.random ? DRAW_SITE : undefined;
    const args = (training: boolean) => ({ tf, params, inputs, weights, needsGrad: { inputs: false, weights: true }, training, drawSite });
    // A kind with modes also in training (batch statistics, dropout's mask), and its state's update.
    const runs: [FormPass, () => Record<string, Tensor>][] = [
      ['evaluation', () => kind.compute(args(false))],
      ...(kind.modes ? [['training', () => kind.compute(args(true))] as [FormPass, () => Record<string, Tensor>]] : []),
      ...(kind.update ? [['update', () => kind.update!(args(true))] as [FormPass, () => Record<string, Tensor>]] : []),
    ];
    return runs
      .filter(([pass]) => passes.includes(pass))
      .map(([pass, compute]) => ({
        case: { name: `${kind.kind} #${n} ${pass}`, kind, params, inputShapes: example.inputs, inputs: hostAll(inputs), weights: hostAll(weights), pass, drawSite },
        expected: hostAll(compute()),
      }));
  });
}

describe.each(ALL_TARGETS.map((t) => [t.title, t] as const))('%s forms', (_title, target) => {
  const harness = HARNESSES[target.id];
  beforeAll(() => tf.setBackend('cpu'));

  it('compute what tfjs computes, for every layer and loss kind', async () => {
    const ops = kinds.filter((k): k is OpKind => k.role === 'op');
    expect(ops.filter((k) => !target.hasForm(k)).map((k) => k.kind).sort()).toEqual(WITHOUT_FORMS[target.id] ?? []);
    const cases = ops.filter((k) => target.hasForm(k)).flatMap((kind) => casesOf(kind, harness.passes));
    const outcomes = await harness.run(cases.map((c) => c.case));
    expect(outcomes.length).toBe(cases.length);
    const off = cases.flatMap(({ case: c, expected }, i): Off[] => {
      const outcome = outcomes[i]!;
      if ('error' in outcome) return [{ case: c.name, error: outcome.error }];
      expect(Object.keys(outcome.outputs).sort(), c.name).toEqual(Object.keys(expected).sort());
      return Object.entries(expected).flatMap(([port, want]): Off[] => {
        const got = outcome.outputs[port]!;
        if (got.shape.join() !== want.shape.join()) return [{ case: c.name, port, error: `shape [${got.shape.join(', ')}], expected [${want.shape.join(', ')}]` }];
        const scale = want.data.reduce((max, w) => Math.max(max, Math.abs(w)), 1);
        const difference = want.data.reduce((max, w, j) => Math.max(max, Math.abs(got.data[j]! - w)), 0) / scale;
        return difference <= harness.tolerance ? [] : [{ case: c.name, port, difference }]; // NaN too
      });
    });
    expect(off).toEqual([]);
    // Dropout's training row compares masks drawn at the same site, not an unmasked pass-through.
    const dropout = cases.find((c) => c.case.name === 'dropout #0 training');
    if (dropout) expect(dropout.expected.y!.data.filter((v) => v === 0).length).toBeGreaterThan(0);
  });
});
