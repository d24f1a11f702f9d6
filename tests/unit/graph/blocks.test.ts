import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyse, PROBLEM_LIMITS } from '../../../lib/graph/analyse';
import { lower } from '../../../lib/plan/lower';
import { compile } from '../../../lib/compile/program';
import type { GraphDoc } from '../../../lib/graph/schema';
import fc from 'fast-check';
import { blockAutoencoder } from '../../fixtures/blocks';
import { plausibleDoc } from '../../fixtures/fuzz';
import { cpu, mnistData } from '../../helpers';

const problems = (doc: GraphDoc) => analyse(doc).problems.map((p) => ({ network: p.network, node: p.node, field: p.field, message: p.message }));

describe('blocks', () => {
  beforeAll(cpu);

  it('make each call a network of its own, sized by its values, with weights of its own; the block itself holds none', () => {
    const doc = blockAutoencoder();
    const analysis = analyse(doc);
    expect(analysis.errors).toEqual([]);
    expect([...analysis.blocks.views]).toEqual(['Layer']);
    const instances = [...analysis.blocks.instances.values()].map((i) => ({ block: i.block, owner: i.owner, call: i.call, values: i.values }));
    expect(instances).toEqual([
      { block: 'Layer', owner: 'Net', call: 'b1', values: { inputs: 784, units: 64 } },
      { block: 'Layer', owner: 'Net', call: 'b2', values: { inputs: 64, units: 32 } },
    ]);
    // The block seen on its own has its defaults' shapes, for the editor.
    expect(analysis.networks.get('Layer')!.nodes.get('dense')!.outShapes.y).toEqual([null, 4]);
    const plan = lower(analysis);
    const shapes = Object.fromEntries(plan.weights.map((w) => [w.name, w.shape]));
    expect(shapes).toEqual({
      'Layer@Net%2Fb1/dense/W': [784, 64],
      'Layer@Net%2Fb1/dense/b': [64],
      'Layer@Net%2Fb2/dense/W': [64, 32],
      'Layer@Net%2Fb2/dense/b': [32],
      'Net/decode/W': [32, 784],
      'Net/decode/b': [784],
    });
    // Training Net trains the blocks it calls.
    expect(plan.optimizers[0]!.variables.map((w) => w.name).sort()).toEqual(Object.keys(shapes).sort());
  });

  it('train: every call of the block learns, each its own weights', async () => {
    const program = await compile(blockAutoencoder(), { tf, data: mnistData, batchSize: 8 });
    try {
      const read = () => new Map([...program.state().tensors].map(([name, t]) => [name, Float32Array.from(t.dataSync())]));
      const before = read();
      const first = await program.stepAsync();
      for (let i = 0; i < 4; i++) await program.stepAsync();
      const after = read();
      expect(Object.values(first).every(Number.isFinite)).toBe(true);
      for (const name of ['Layer@Net%2Fb1/dense/W', 'Layer@Net%2Fb2/dense/W']) {
        const [a, b] = [before.get(name)!, after.get(name)!];
        expect(a.some((v, i) => v !== b[i]), name).toBe(true);
      }
    } finally {
      program.dispose();
    }
  });

  it('show a problem inside one call at that call, with the block, its values and the node inside', () => {
    const found = problems(blockAutoencoder({ b2: { inputs: 64, units: 0 } }));
    expect(found).toContainEqual({
      network: 'Net',
      node: 'b2',
      field: undefined,
      message: expect.stringMatching(/^in Layer \(inputs 64, units 0\) called as b2, node dense: .*units must be a whole number from 1/),
    });
    // Nothing is reported inside a network the user cannot open.
    expect(found.every((p) => p.network === 'Net' || p.network === undefined || p.network === 'Layer')).toBe(true);
  });

  it('refuse values for parameters the block does not have, naming them and the ones it has', () => {
    expect(problems(blockAutoencoder({ b2: { inputs: 64, units: 32, width: 3 } }))).toContainEqual({
      network: 'Net',
      node: 'b2',
      field: 'args',
      message: 'gives Layer "width", which it has no parameter for',
    });
  });

  it('refuse a parameter read outside a block, or one the block does not have', () => {
    const doc = structuredClone(blockAutoencoder());
    doc.networks.find((n) => n.id === 'Net')!.nodes.find((n) => n.id === 'decode')!.params.units = { param: 'units' };
    doc.networks.find((n) => n.id === 'Layer')!.nodes.find((n) => n.id === 'dense')!.params.units = { param: 'width' };
    const found = problems(doc);
    expect(found).toContainEqual({ network: 'Net', node: 'decode', field: 'units', message: 'reads parameter "units", but only the nodes of a block have parameters' });
    expect(found).toContainEqual({ network: 'Layer', node: 'dense', field: 'units', message: 'reads parameter "width", which this block does not have' });
    // Names an object has of its own (its prototype's) are parameters only when the block declares them.
    const other = structuredClone(doc);
    other.networks.find((n) => n.id === 'Layer')!.nodes.find((n) => n.id === 'dense')!.params.units = { param: 'constructor' };
    expect(problems(other)).toContainEqual({ network: 'Layer', node: 'dense', field: 'units', message: 'reads parameter "constructor", which this block does not have' });
  });

  it('report a block that calls itself as a loop of networks', () => {
    const doc = structuredClone(blockAutoencoder());
    const layer = doc.networks.find((n) => n.id === 'Layer')!;
    layer.nodes.push({ id: 'again', kind: 'call', params: { network: 'Layer', args: {} }, position: { x: 0, y: 0 } });
    layer.edges.push({ id: 'loop', source: { node: 'x', port: 'out' }, target: { node: 'again', port: 'x' } });
    expect(analyse(doc).problems.map((p) => p.code)).toContain('network-recursion');
  });
});

/**
 * A graph with one of its networks made a block whose calls give it the
 * sizes it had (a dense layer's units read a parameter defaulting to them):
 * every call becomes a copy with weights of its own, and nothing else moves.
 * (Not a network a sampler runs, which the analysis refuses as a block.)
 */
function asBlock(doc: GraphDoc): GraphDoc | undefined {
  const copy = structuredClone(doc);
  // A sampler runs a network with weights of its own: one it runs stays a network.
  const sampled = new Set(copy.nodes.filter((node) => node.kind === 'sampler').map((node) => node.params.network));
  const network = copy.networks.find((n) => !sampled.has(n.id) && n.nodes.some((node) => node.kind === 'dense' && typeof node.params.units === 'number'));
  if (!network) return undefined;
  const dense = network.nodes.find((node) => node.kind === 'dense' && typeof node.params.units === 'number')!;
  network.block = { params: [{ name: 'width', default: dense.params.units as number }] };
  dense.params = { ...dense.params, units: { param: 'width' } };
  return copy;
}

describe('blocks on random graphs', () => {
  it('a network made a block with its own sizes as defaults: no new problem, the same shapes everywhere else, one copy with its weights per call', () => {
    let checked = 0;
    fc.assert(
      fc.property(plausibleDoc, (doc) => {
        const blocked = asBlock(doc);
        if (!blocked) return;
        checked++;
        const [before, after] = [analyse(doc), analyse(blocked)];
        // No problem of its own: its copies sit where the network's calls sat (naming a network that calls it can only gain weights to train).
        const left = before.errors.map((p) => p.code);
        for (const code of after.errors.map((p) => p.code)) {
          expect(left, `${code} is new`).toContain(code);
          left.splice(left.indexOf(code), 1);
        }
        const shapes = (a: typeof before) => [...a.main.nodes.values()].map((info) => [info.node.id, info.outShapes]);
        expect(shapes(after)).toEqual(shapes(before));
        if (!after.ok || !before.ok) return;
        const block = blocked.networks.find((n) => n.block)!.id;
        const calls = [...after.blocks.instances.values()].filter((i) => i.block === block);
        const weights = (a: typeof before, network: string) => lower(a).weights.filter((w) => w.network === network).map((w) => w.shape);
        for (const call of calls) expect(weights(after, [...after.blocks.instances].find(([, i]) => i === call)![0])).toEqual(weights(before, block));
        expect(lower(after).weights.some((w) => w.network === block)).toBe(false);
      }),
      { seed: 20_261_205, numRuns: 120 },
    );
    expect(checked).toBeGreaterThan(60);
  });
});

describe('blocks bounded', () => {
  it('a block of two calls of a block of two calls...: the copies stop at the node limit, said at the calls within the limits of a list of problems', () => {
    const level = (k: number) => {
      const nodes: GraphDoc['nodes'] = [{ id: 'x', kind: 'network-input', params: { shape: [4] }, position: { x: 0, y: 0 } }];
      const edges: GraphDoc['edges'] = [];
      let from = { node: 'x', port: 'out' };
      const layers = k === 0 ? ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8'] : ['a', 'b'];
      for (const id of layers) {
        nodes.push(k === 0 ? { id, kind: 'dense', params: { units: 4 }, position: { x: 0, y: 0 } } : { id, kind: 'call', params: { network: `L${k - 1}` }, position: { x: 0, y: 0 } });
        edges.push({ id: `${id}-in`, source: from, target: { node: id, port: k === 0 ? 'x' : 'x' } });
        from = { node: id, port: k === 0 ? 'y' : 'y' };
      }
      nodes.push({ id: 'y', kind: 'network-output', params: {}, position: { x: 0, y: 0 } });
      edges.push({ id: 'out', source: from, target: { node: 'y', port: 'in' } });
      return { id: `L${k}`, name: `L${k}`, nodes, edges, block: { params: [] } };
    };
    const doc = structuredClone(blockAutoencoder());
    doc.networks.push(...Array.from({ length: 15 }, (_, k) => level(k)));
    doc.nodes.push({ id: 'deep', kind: 'call', params: { network: 'L14' }, position: { x: 0, y: 0 } });
    const started = performance.now();
    const analysis = analyse(doc);
    const ms = performance.now() - started;
    expect(analysis.problems.some((p) => p.code === 'block-parameter' && /would make more than 100000 nodes/.test(p.message))).toBe(true);
    expect(analysis.blocks.instances.size).toBeLessThan(30_000);
    // Each call past the limit says so, within the limits of every list of problems.
    expect(analysis.problems.filter((p) => p.code === 'block-parameter').length).toBeLessThanOrEqual(PROBLEM_LIMITS.perCode + 1);
    console.log(`2^14 calls of an 8-layer block: ${analysis.blocks.instances.size} copies made in ${ms.toFixed(0)} ms before the limit`);
  });
});
