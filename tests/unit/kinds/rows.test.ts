import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyse } from '../../../lib/graph/analyse';
import { GraphDocSchema } from '../../../lib/graph/schema';
import { ShapeError, type OpKind } from '../../../lib/kinds/kind';
import { getKind } from '../../../lib/kinds/registry';
import type { Shape } from '../../../lib/kinds/shape';
import { cpu } from '../../helpers';

/**
 * Regressions the graph fuzz (tests/unit/graph/fuzz.test.ts) found in what
 * kinds declare. A noise draw the batch shares ([rows, n], no batch
 * dimension) keeps its rows through dense and reshape, as their compute
 * does (they claimed a batch, so adding it to a batch passed analysis and
 * failed in training); layers that keep the first dimension refuse a scalar
 * (a loss), which has none; resize-bilinear refuses the two flags tfjs
 * refuses together.
 */
const op = (kind: string) => getKind(kind) as OpKind;
const ctx = { network: () => undefined };

describe('shapes kinds declare', () => {
  beforeAll(cpu);

  it.each([
    { kind: 'dense', params: { units: 4 }, x: [3, 5] },
    { kind: 'reshape', params: { shape: [5, 1] }, x: [3, 5] },
    { kind: 'reshape', params: { shape: [-1] }, x: [2, 3, 4] },
    { kind: 'flatten', params: {}, x: [2, 3, 4] },
  ])('$kind keeps the rows of a shared draw $x, as it computes them', ({ kind, params, x }) => {
    const k = op(kind);
    const p = k.params.parse(params);
    const inferred = k.inferShape(p, { x }, ctx).y!;
    expect(inferred[0]).toBe(x[0]);
    const weights = Object.fromEntries((k.weights?.(p, { x }) ?? []).map((w) => [w.name, tf.ones(w.shape)]));
    const computed = tf.tidy(() => k.compute({ tf, params: p, inputs: { x: tf.ones(x) }, weights, needsGrad: { inputs: false, weights: false } }).y!.shape);
    expect(computed).toEqual(inferred);
    tf.dispose(Object.values(weights));
  });

  it.each<{ kind: string; params: object; inputs: Record<string, Shape> }>([
    { kind: 'flatten', params: {}, inputs: { x: [] } },
    { kind: 'reshape', params: { shape: [1] }, inputs: { x: [] } },
    { kind: 'gaussian-kl', params: { reduction: 'batch-mean' }, inputs: { mean: [], logvar: [] } },
  ])('$kind refuses a scalar: it has no first dimension to keep', ({ kind, params, inputs }) => {
    const k = op(kind);
    expect(() => k.inferShape(k.params.parse(params), inputs, ctx)).toThrow(ShapeError);
  });

  it('resize-bilinear refuses alignCorners with halfPixelCenters (tfjs throws at run time)', () => {
    const parsed = op('resize-bilinear').params.safeParse({ alignCorners: true, halfPixelCenters: true });
    expect(parsed.error?.issues.map((i) => i.path)).toEqual([['halfPixelCenters']]);
  });

  it('a dense layer over a shared draw, added to a batch, is a shape mismatch in analysis rather than a failure in training', () => {
    const doc = GraphDocSchema.parse({
      schemaVersion: 2,
      name: 'shared rows',
      networks: [
        {
          id: 'N',
          name: 'N',
          nodes: [
            { id: 'x', kind: 'network-input', params: { shape: [3] } },
            { id: 'h', kind: 'dense', params: { units: 5 } },
            { id: 'eps', kind: 'noise', params: { shape: [2, 5], perSample: false } },
            { id: 'shared', kind: 'dense', params: { units: 5 } },
            { id: 'sum', kind: 'add', params: {} },
            { id: 'out', kind: 'network-output', params: {} },
          ],
          edges: [
            { id: '1', source: { node: 'x', port: 'out' }, target: { node: 'h', port: 'x' } },
            { id: '2', source: { node: 'eps', port: 'z' }, target: { node: 'shared', port: 'x' } },
            { id: '3', source: { node: 'h', port: 'y' }, target: { node: 'sum', port: 'a' } },
            { id: '4', source: { node: 'shared', port: 'y' }, target: { node: 'sum', port: 'b' } },
            { id: '5', source: { node: 'sum', port: 'y' }, target: { node: 'out', port: 'in' } },
          ],
        },
      ],
      nodes: [{ id: 'z', kind: 'noise', params: { shape: [3] } }, { id: 'call', kind: 'call', params: { network: 'N' } }],
      edges: [{ id: 'm', source: { node: 'z', port: 'z' }, target: { node: 'call', port: 'x' } }],
    });
    const mismatch = analyse(doc).errors.find((p) => p.network === 'N');
    expect(mismatch).toMatchObject({ code: 'shape-mismatch', node: 'sum', port: 'b' });
    expect(mismatch!.message).toMatch(/cannot add \[2, 5\] to \[b, 5\]/);
  });
});
