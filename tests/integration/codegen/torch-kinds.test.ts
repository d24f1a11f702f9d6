import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OpKind, Tensor } from '../../../lib/kinds/kind';
import { kinds } from '../../../lib/kinds/registry';
import { concreteShape, type Shape } from '../../../lib/kinds/shape';
import { torchPython } from '../../fixtures/python';

/**
 * Every layer and loss kind's PyTorch code form against its tfjs compute:
 * the kind's own example, and more cases for the convolutions' padding and
 * stride rules, on the same random inputs and weights (a row per kind, as
 * in the conformance test, for the PyTorch target).
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
};

/** Where random kinds (dropout) draw their training masks: both forms must draw the same. */
const DRAW_SITE = { seed: 5, path: '/D_fake/drop', iteration: 2, round: 1 };
const DRAW_SITE_PY = `philox.DrawSite(5, "/D_fake/drop", 2, 1)`;

const values = (t: Tensor) => ({ shape: t.shape, values: Array.from(t.dataSync()) });

describe('PyTorch code forms', () => {
  let dir: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = await mkdtemp(path.join(tmpdir(), 'netloom-torch-kinds-'));
    await cp('codegen/pytorch/netloom', path.join(dir, 'netloom'), { recursive: true });
  });

  it('compute what tfjs computes, for every layer and loss kind', async () => {
    const ops = kinds.filter((k): k is OpKind => k.role === 'op');
    expect(ops.filter((k) => !k.torch).map((k) => k.kind)).toEqual([]);
    const cases = ops.flatMap((kind) =>
      [kind.example, ...(EXTRA[kind.kind] ?? [])].flatMap((example, n) => {
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
        const torchArgs = (training: boolean) => ({
          params,
          inputs: Object.fromEntries(Object.keys(inputs).map((port) => [port, `inputs[${JSON.stringify(port)}]`])),
          inputShapes: example.inputs,
          weights: Object.fromEntries(Object.keys(weights).map((name) => [name, `weights[${JSON.stringify(name)}]`])),
          training: training ? 'True' : 'False',
          drawSite: kind.random ? DRAW_SITE_PY : undefined,
        });
        const args = (training: boolean) => ({ tf, params, inputs, weights, needsGrad: { inputs: false, weights: true }, training, drawSite: kind.random ? DRAW_SITE : undefined });
        const row = (name: string, code: Record<string, string>, expected: Record<string, Tensor>) => ({
          name: `${kind.kind} #${n}${name}`,
          code,
          inputs: Object.fromEntries(Object.entries(inputs).map(([port, t]) => [port, values(t)])),
          weights: Object.fromEntries(Object.entries(weights).map(([name, t]) => [name, values(t)])),
          expected: Object.fromEntries(Object.entries(expected).map(([port, t]) => [port, values(t)])),
        });
        // A kind with modes also in training (batch statistics, dropout's mask), and its state's update.
        return [
          row('', kind.torch!(torchArgs(false)), kind.compute(args(false))),
          ...(kind.modes ? [row(' training', kind.torch!(torchArgs(true)), kind.compute(args(true)))] : []),
          ...(kind.update ? [row(' update', kind.torchUpdate!(torchArgs(true)), kind.update(args(true)))] : []),
        ];
      }),
    );
    await writeFile(path.join(dir, 'cases.json'), JSON.stringify(cases));
    await cp('tests/fixtures/torch_kinds.py', path.join(dir, 'torch_kinds.py'));
    const results = JSON.parse(execFileSync(torchPython(), ['torch_kinds.py', 'cases.json'], { cwd: dir, encoding: 'utf8' })) as { case: string; port: string; difference?: number; error?: string }[];
    expect(results.length).toBeGreaterThanOrEqual(cases.length);
    const off = results.filter((r) => r.error || r.difference! > 1e-5);
    expect(off).toEqual([]);
    // Dropout's training row compares masks drawn at the same site, not an unmasked pass-through.
    expect(cases.find((c) => c.name === 'dropout #0 training')!.expected.y!.values.filter((v) => v === 0).length).toBeGreaterThan(0);
  });
});
