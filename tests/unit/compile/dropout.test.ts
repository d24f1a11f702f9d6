import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../../lib/compile/program';
import { analyse } from '../../../lib/graph/analyse';
import type { GraphDocInput } from '../../../lib/graph/schema';
import { CURRENT_SCHEMA_VERSION } from '../../../lib/graph/schema';
import { loadGraphDoc } from '../../../lib/graph/migrations';
import { dropout } from '../../../lib/kinds/layers/dropout';
import { iterationSite, nodeSite, randomBits, roundSite, siteDraws, type DrawSite } from '../../../lib/runtime/random';
import { network, ScopeBuilder } from '../../../lib/templates/builder';
import { mnistData, wasm } from '../../helpers';

const RATE = 0.5;
const X = [
  [1, -2, 0.5, 2],
  [3, 0, 1.5, -1],
  [-1, 4, 2.5, 0],
  [5, 2, -0.5, 3],
];
const T = X.map((row) => row.map((v) => v / 2 - 0.25));

/** The mask a site gives, by hand: a value stays (times 1 / (1 - rate)) when its 32-bit draw is at least rate * 2^32. */
const maskOf = (site: DrawSite, count: number, rate: number) => {
  const { stream, at } = siteDraws(site);
  return Array.from(randomBits(stream, at, count), (bits) => (bits >= rate * 2 ** 32 ? 1 / (1 - rate) : 0));
};
const siteOf = (iteration: number, path: string) => ({ seed: 0, path, iteration, round: 0 });

describe('dropout', () => {
  beforeAll(wasm);

  it('zeroes about `rate` of the values and scales the rest while training, and passes values through in evaluations', () => {
    const params = dropout.params.parse({ rate: 0.3 });
    tf.tidy(() => {
      const x = tf.add(tf.zeros([200, 50]), 2);
      const args = { tf, params, inputs: { x }, weights: {}, needsGrad: { inputs: true, weights: false } };
      const dropped = Array.from(dropout.compute({ ...args, training: true, drawSite: siteOf(0, '/D/drop') }).y!.dataSync());
      const kept = dropped.filter((v) => v !== 0);
      expect(kept.length / dropped.length).toBeGreaterThan(0.68);
      expect(kept.length / dropped.length).toBeLessThan(0.72);
      expect(new Set(kept)).toEqual(new Set([Math.fround(2 * Math.fround(1 / 0.7))]));
      // Another iteration, round or path, another mask; the same site, the same mask.
      for (const site of [siteOf(1, '/D/drop'), { ...siteOf(0, '/D/drop'), round: 1 }, siteOf(0, '/E/drop')]) {
        expect(Array.from(dropout.compute({ ...args, training: true, drawSite: site }).y!.dataSync())).not.toEqual(dropped);
      }
      expect(Array.from(dropout.compute({ ...args, training: true, drawSite: siteOf(0, '/D/drop') }).y!.dataSync())).toEqual(dropped);
      expect(dropout.compute({ ...args, training: false }).y).toBe(x);
    });
  });

  /** N: x [4] (a 2x2 picture) -> dense 4 -> dropout; called twice on the same X, each call's output pulled towards T. */
  function graph({ repeat = 1, learningRate = 0.01 } = {}): { doc: GraphDocInput; calls: [string, string] } {
    const N = network('N', 'N', '#059669', (n) => {
      const x = n.input('x', [4]);
      const h = n.add('dense', 'fc', { units: 4 }, { x });
      n.output('y', n.add('dropout', 'drop', { rate: RATE }, { x: h }));
    });
    const m = new ScopeBuilder();
    const x = m.add('noise', 'X', { shape: [4] }, {}, 'z');
    const t = m.add('noise', 'T', { shape: [4] }, {}, 'z');
    const a = m.add('call', 'N(X) a', { network: 'N' }, { x }, 'y');
    const b = m.add('call', 'N(X) b', { network: 'N' }, { x }, 'y');
    const lossA = m.add('mse', 'loss a', { reduction: 'sum' }, { prediction: a, target: t }, 'loss');
    const lossB = m.add('mse', 'loss b', { reduction: 'sum' }, { prediction: b, target: t }, 'loss');
    const loss = m.add('weighted-sum', 'loss', { weights: [1, 1] }, { term0: lossA, term1: lossB }, 'loss');
    const solver = m.add('sgd', 'solver', { networks: ['N'], learningRate }, { loss });
    const doc: GraphDocInput = {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      name: 'dropout',
      nodes: m.nodes,
      edges: m.edges,
      networks: [N],
      training: { batchSize: 4, seed: 3, schedule: [{ optimizer: solver.id, repeat }], previews: { samples: { node: a.node, port: a.port, range: '0..1' } } },
    };
    return { doc, calls: [a.node, b.node] };
  }

  /** The graph compiled with X and T fed, the dropout node's id, and a reader of the dense layer's weights. */
  async function compiled(options?: Parameters<typeof graph>[0]) {
    const { doc: input, calls } = graph(options);
    const doc = loadGraphDoc(input);
    if (!doc.ok) throw new Error(doc.error);
    const drop = doc.value.networks[0]!.nodes.find((node) => node.kind === 'dropout')!.id;
    const feed = ({ node }: { node: string }) => Float32Array.from((node === 'X' ? X : T).flat());
    const program = await compile(doc.value, { tf, data: mnistData, feed });
    const weight = (name: string) => Array.from(program.weights().get(`N/fc/${name}`)!.dataSync());
    return { program, calls, drop, weight };
  }

  it('draws a mask per call and per iteration, at a site of the seed, the iteration and the calls down to it: the loss a hand computation gives', async () => {
    const { program, calls, drop, weight } = await compiled();
    const byHand = (iteration: number) => lossByHand(weight, calls, drop, iterationSite(3, iteration));
    for (let iteration = 0; iteration < 3; iteration++) {
      const expected = byHand(iteration);
      const loss = program.step()!.loss!;
      expect(Math.abs(loss - expected) / expected, `iteration ${iteration}: ${loss} vs ${expected} by hand`).toBeLessThan(1e-6);
    }
    // The two calls' masks differ (else each call's loss would be the same), and so do the iterations'.
    const keyOf = (iteration: number, call: string) => nodeSite(nodeSite(iterationSite(3, iteration), call), drop);
    expect(maskOf(keyOf(0, calls[0]), 16, RATE)).not.toEqual(maskOf(keyOf(0, calls[1]), 16, RATE));
    expect(maskOf(keyOf(0, calls[0]), 16, RATE)).not.toEqual(maskOf(keyOf(1, calls[0]), 16, RATE));
    program.dispose();
  });

  it('draws new masks in each round of a repeated step (n_critic): the last round\'s loss is that of its own site', async () => {
    // A negligible learning rate keeps the weights where they started, so both rounds' losses can be computed by hand.
    const { program, calls, drop, weight } = await compiled({ repeat: 2, learningRate: 1e-12 });
    const [first, second] = [0, 1].map((round) => lossByHand(weight, calls, drop, roundSite(iterationSite(3, 0), round)));
    const loss = program.step()!.loss!;
    expect(Math.abs(loss - second!) / second!).toBeLessThan(1e-6);
    expect(Math.abs(first! - second!) / second!).toBeGreaterThan(1e-3);
    program.dispose();
  });

  it('lives inside networks, where each call keys its draws', () => {
    const { doc: input } = graph();
    const m = new ScopeBuilder();
    const x = m.add('noise', 'X', { shape: [4] }, {}, 'z');
    m.add('dropout', 'loose dropout', { rate: 0.2 }, { x });
    const doc = loadGraphDoc({ ...input, nodes: [...input.nodes, ...m.nodes], edges: [...input.edges, ...m.edges] });
    if (!doc.ok) throw new Error(doc.error);
    const analysis = analyse(doc.value);
    expect(analysis.ok).toBe(false);
    expect(analysis.errors.map((e) => e.message).join('\n')).toMatch(/Dropout nodes belong inside a network/);
  });
});

/** The graph's loss by hand: over both calls, sum((dropout(X W + b) - T)^2), each call masked at its own site below `draws`. */
function lossByHand(weight: (name: string) => number[], calls: readonly string[], drop: string, draws: DrawSite): number {
  const [W, b] = [weight('W'), weight('b')];
  const dense = X.map((row) => b.map((bias, j) => row.reduce((s, v, i) => s + v * W[i * 4 + j]!, bias)));
  return calls.reduce((total, call) => {
    const mask = maskOf(nodeSite(nodeSite(draws, call), drop), 16, RATE);
    return total + dense.flat().reduce((s, v, k) => s + (v * mask[k]! - T.flat()[k]!) ** 2, 0);
  }, 0);
}
