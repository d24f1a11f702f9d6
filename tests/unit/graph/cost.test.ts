import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportProject } from '../../../codegen/export';
import { analyse, PROBLEM_LIMITS, type Scope } from '../../../lib/graph/analyse';
import { dependenceOf, type Signature } from '../../../lib/graph/dependence';
import { loadGraphDoc } from '../../../lib/graph/migrations';
import { CURRENT_SCHEMA_VERSION, type GraphDoc, type GraphDocInput, type PortRef } from '../../../lib/graph/schema';
import { portKey } from '../../../lib/graph/walk';
import { anyDoc } from '../../fixtures/fuzz';
import { wideCallsGraph } from '../../fixtures/wide-calls';

/**
 * What analysis costs grows with the graph, not with calls x network inputs
 * or outputs x chain length, and what it reports stays a short list: the
 * shapes that took 18 s, 2,000,000 problems and 1 GB (2,000 calls of a
 * network of 1,000 inputs, none connected), or 74 s (a network of 9,000
 * outputs at the end of a 9,000-node chain), are analysed here in well
 * under a second. Times are generous bounds for a loaded machine.
 */
const load = (input: GraphDocInput): GraphDoc => {
  const loaded = loadGraphDoc(input);
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.value;
};
const timed = <T>(work: () => T) => {
  const start = performance.now();
  const value = work();
  return { value, ms: performance.now() - start };
};

/** A network of `outputs` outputs, all at the end of a chain of `length` nodes, called once. */
function longChain(length: number, outputs: number): GraphDocInput {
  const nodes: GraphDocInput['nodes'] = [{ id: 'x', kind: 'network-input', params: { shape: [2] } }];
  const edges: GraphDocInput['edges'] = [];
  let previous = { node: 'x', port: 'out' };
  for (let i = 0; i < length; i++) {
    nodes.push({ id: `s${i}`, kind: 'scale', params: { factor: 0.5 } });
    edges.push({ id: `e${i}`, source: previous, target: { node: `s${i}`, port: 'x' } });
    previous = { node: `s${i}`, port: 'y' };
  }
  for (let j = 0; j < outputs; j++) {
    nodes.push({ id: `o${j}`, kind: 'network-output', params: {} });
    edges.push({ id: `f${j}`, source: previous, target: { node: `o${j}`, port: 'in' } });
  }
  return {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    name: 'chain',
    nodes: [{ id: 'z', kind: 'noise', params: { shape: [2] } }, { id: 'c', kind: 'call', params: { network: 'N' } }],
    edges: [{ id: 'ez', source: { node: 'z', port: 'z' }, target: { node: 'c', port: 'x' } }],
    networks: [{ id: 'N', name: 'N', nodes, edges }],
  };
}

describe('analysis cost', () => {
  it('of 2,000 calls of a 1,000-input network with nothing connected: a bounded list, in well under a second', () => {
    const doc = load(wideCallsGraph({ calls: 2000, inputs: 1000 }));
    const { value: analysis, ms } = timed(() => analyse(doc));
    const missing = analysis.problems.filter((p) => p.code === 'missing-connection');
    expect(missing.length).toBe(PROBLEM_LIMITS.perCode + 1);
    expect(missing.at(-1)!.message).toBe(`${2000 * 1000 - PROBLEM_LIMITS.perCode} more problems like the missing-connection problems above at 2000 nodes, not listed (at most ${PROBLEM_LIMITS.perNode} of a kind per node and ${PROBLEM_LIMITS.perCode} in all are)`);
    expect(missing.at(-1)!.severity).toBe('error');
    expect(analysis.ok).toBe(false);
    // At most perNode of a kind at one node.
    expect(missing.filter((p) => p.node === 'c0').length).toBe(PROBLEM_LIMITS.perNode);
    console.log(`2,000 calls x 1,000 unconnected inputs: ${analysis.problems.length} problems listed in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(1000);

    // Its export is refused in a few lines, not hundreds of megabytes.
    const exported = timed(() => exportProject(load(wideCallsGraph({ calls: 2000, inputs: 1000 }))));
    expect(exported.value.ok).toBe(false);
    expect(!exported.value.ok && exported.value.error.length).toBeLessThan(100_000);
    expect(exported.ms).toBeLessThan(2000);
  });

  it('of calls whose thousands of inputs are all connected: linear in the edges', () => {
    const doc = load(wideCallsGraph({ calls: 4, inputs: 9999, connected: true }));
    const { value: analysis, ms } = timed(() => analyse(doc));
    expect(analysis.problems.filter((p) => p.severity === 'error')).toEqual([]);
    console.log(`4 calls x 9,999 connected inputs (39,996 edges): ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(1000);
  });

  it('of a network with thousands of outputs at the end of a long chain: each port\'s dependence computed once', () => {
    const doc = load(longChain(6000, 6000));
    const { value: analysis, ms } = timed(() => analyse(doc));
    expect(analysis.errors).toEqual([]);
    console.log(`a 6,000-node chain with 6,000 outputs: ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(1000);
  });
});

/** The dependence of one value by walking its cone (the definition; quadratic over many values, fine for one). */
function walked(scope: Scope, target: PortRef, callee: (id: string) => Signature | undefined) {
  const weights = new Set<string>();
  const inputs = new Set<string>();
  const seen = new Set<string>();
  const stack = [target];
  while (stack.length) {
    const ref = stack.pop()!;
    if (seen.has(portKey(ref))) continue;
    seen.add(portKey(ref));
    const info = scope.nodes.get(ref.node);
    const kind = info?.kind;
    if (!info || !kind || info.params === undefined) continue;
    const follow = (port: string) => {
      const from = scope.incoming.get(ref.node)?.get(port);
      if (from) stack.push(from);
    };
    if (kind.role === 'network-input') inputs.add(ref.node);
    if (kind.role === 'op') {
      if (scope.network !== undefined && Object.keys(info.outShapes).length > 0 && (kind.weights?.(info.params, info.inShapes).length ?? 0) > 0) weights.add(scope.network);
      for (const port of info.inputs) follow(port.id);
    }
    if (kind.role === 'call') {
      const signature = callee(kind.network(info.params));
      const gradient = ref.port === kind.inputGradient(info.params);
      const inner = signature?.get(gradient ? [...signature.keys()][0]! : ref.port);
      inner?.weights.forEach((w) => weights.add(w));
      if (!gradient) inner?.inputs.forEach(follow);
    }
  }
  return { weights: [...weights].sort(), inputs: [...inputs].sort() };
}

describe('dependence', () => {
  it('is what walking each value\'s cone gives, on random graphs', () => {
    fc.assert(
      fc.property(anyDoc, (doc) => {
        const analysis = analyse(doc);
        const signatures = new Map([...analysis.networks].map(([id, scope]) => [id, new Map<string, { weights: Set<string>; inputs: Set<string> }>()]));
        const callee = (id: string) => signatures.get(id);
        // Callees first, each network's signature from the walk, then every port of every scope compared.
        for (const id of analysis.networkOrder) {
          const scope = analysis.networks.get(id)!;
          for (const info of scope.nodes.values()) {
            if (info.kind?.role !== 'network-output') continue;
            const source = scope.incoming.get(info.node.id)?.get(info.kind.port);
            const found = source ? walked(scope, source, callee) : { weights: [], inputs: [] };
            signatures.get(id)!.set(info.node.id, { weights: new Set(found.weights), inputs: new Set(found.inputs) });
          }
        }
        // A scope with a cycle has no order to compute in: the fast walk ends at the cycle, the definition goes round it.
        const cyclic = new Set(analysis.problems.filter((p) => p.code === 'cycle').map((p) => p.network));
        for (const scope of [analysis.main, ...analysis.networks.values()]) {
          // A call of a block is a copy of it: its problems are shown at the call.
          if (cyclic.has(scope.network) || cyclic.has(analysis.blocks.instances.get(scope.network ?? '')?.block)) continue;
          for (const info of scope.nodes.values()) {
            for (const port of info.outputs) {
              const ref = { node: info.node.id, port: port.id };
              const fast = dependenceOf(scope, ref, callee);
              const inputs: string[] = [];
              fast.inputs.forEach((id) => inputs.push(id));
              expect({ ref, weights: [...fast.weights].sort(), inputs: inputs.sort() }).toEqual({ ref, ...walked(scope, ref, callee) });
            }
          }
        }
      }),
      { seed: 20_261_205, numRuns: 300 },
    );
  });
});
