import { CURRENT_SCHEMA_VERSION, type GraphDocInput } from '../lib/graph/schema';
import { network, ScopeBuilder } from '../lib/templates/builder';

/** A valid graph of about `target` main-graph nodes: chains of calls of one 10-node network, scales, activations and adds. */
export function bigGraph(target: number): GraphDocInput {
  const block = network('Block', 'Block', '#888', (n) => {
    const x = n.input('x', [64]);
    let h = n.add('dense', 'h0', { units: 64, activation: 'relu' }, { x });
    for (let i = 1; i < 8; i++) h = n.add('dense', `h${i}`, { units: 64, activation: 'relu' }, { x: h });
    n.output('y', h);
  });
  const m = new ScopeBuilder();
  let value = m.add('noise', 'z', { shape: [64] }, {}, 'z') as { node: string; port: string };
  while (m.nodes.length < target - 3) {
    const called = m.add('call', 'block', { network: 'Block' }, { x: value }, 'y');
    const scaled = m.add('scale', 'scale', { factor: 0.5 }, { x: called });
    const other = m.add('activation', 'act', { fn: 'tanh' }, { x: scaled });
    value = m.add('add', 'sum', {}, { a: other, b: scaled });
  }
  const loss = m.add('mse', 'loss', {}, { prediction: value, target: value }, 'loss');
  const opt = m.add('adam', 'opt', { networks: ['Block'] }, { loss });
  return { schemaVersion: CURRENT_SCHEMA_VERSION, name: 'big', nodes: m.nodes, edges: m.edges, networks: [block], training: { schedule: [{ optimizer: opt.id, repeat: 1 }] } };
}

