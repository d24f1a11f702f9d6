import { describe, expect, it } from 'vitest';
import { loadGraphDoc, migrations, type Migration } from '../../../lib/graph/migrations';
import { CURRENT_SCHEMA_VERSION } from '../../../lib/graph/schema';
import { getTemplate } from '../../../lib/templates';

describe('loadGraphDoc', () => {
  const gan = getTemplate('gan')!.doc;

  it('round-trips a saved document through JSON text unchanged', () => {
    const loaded = loadGraphDoc(JSON.stringify(gan));
    expect(loaded).toEqual({ ok: true, value: gan });
  });

  it('rejects malformed JSON with the parser message', () => {
    const loaded = loadGraphDoc('{"schemaVersion": 1, "nodes": [');
    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.error).toMatch(/^Not valid JSON/);
  });

  it('rejects JSON that is not a graph', () => {
    for (const input of ['[1,2]', '"text"', '{"nodes": []}', 'null']) {
      const loaded = loadGraphDoc(input);
      expect(!loaded.ok && loaded.error).toMatch(/Not a Netloom graph/);
    }
  });

  it('rejects a newer schema version instead of half-loading it', () => {
    const loaded = loadGraphDoc({ ...gan, schemaVersion: CURRENT_SCHEMA_VERSION + 1 });
    expect(!loaded.ok && loaded.error).toMatch(/newer than this Netloom understands/);
  });

  it('names the fields of an invalid document', () => {
    const loaded = loadGraphDoc({ ...gan, nodes: [{ id: '', kind: 'dense' }], training: { batchSize: 0 } });
    expect(loaded.ok).toBe(false);
    const error = !loaded.ok ? loaded.error : '';
    expect(error).toMatch(/nodes\[0\]\.id/);
    expect(error).toMatch(/training\.batchSize/);
  });

  it('upgrades older documents through the named migrations, in order', () => {
    // A history where v0 kept edges as "node:port" strings and v1 is today's format.
    const chain: Migration[] = [
      {
        from: 0,
        name: 'edges as port references',
        up: (doc) => ({
          ...doc,
          edges: (doc.links as [string, string][]).map(([from, to], i) => {
            const [sn, sp] = from.split(':');
            const [tn, tp] = to.split(':');
            return { id: `e${i}`, source: { node: sn, port: sp }, target: { node: tn, port: tp } };
          }),
          links: undefined,
        }),
      },
    ];
    const old = { schemaVersion: 0, name: 'old', nodes: [{ id: 'z', kind: 'noise' }, { id: 's', kind: 'scale' }], links: [['z:z', 's:x']] };
    // v0 -> v1 here, then the real v1 -> v2.
    const loaded = loadGraphDoc(old, [...chain, ...migrations]);
    expect(loaded.ok).toBe(true);
    expect(loaded.ok && loaded.value.edges).toEqual([{ id: 'e0', source: { node: 'z', port: 'z' }, target: { node: 's', port: 'x' } }]);
    expect(loaded.ok && loaded.value.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
  });

  it('v1 -> v2: an empty schedule becomes every optimizer once in document order, and log-loss keeps its old epsilon', () => {
    const v1 = {
      schemaVersion: 1,
      name: 'old',
      nodes: [
        { id: 'p', kind: 'log-loss', params: { target: 'ones' } },
        { id: 'q', kind: 'log-loss', params: { epsilon: 0.001 } },
        { id: 'g', kind: 'sgd', params: {} },
        { id: 'd', kind: 'adam', params: {} },
      ],
      edges: [],
    };
    const loaded = loadGraphDoc(v1);
    if (!loaded.ok) throw new Error(loaded.error);
    expect(loaded.value.schemaVersion).toBe(2);
    expect(loaded.value.training.schedule).toEqual([
      { optimizer: 'g', repeat: 1 },
      { optimizer: 'd', repeat: 1 },
    ]);
    expect(loaded.value.nodes.map((n) => n.params.epsilon)).toEqual([1e-7, 0.001, undefined, undefined]);
    const explicit = loadGraphDoc({ ...v1, training: { schedule: [{ optimizer: 'd', repeat: 2 }] } });
    expect(explicit.ok && explicit.value.training.schedule).toEqual([{ optimizer: 'd', repeat: 2 }]);
  });

  it('reports a failing migration by name and a missing one by version', () => {
    const failing: Migration[] = [{ from: 0, name: 'explode', up: () => { throw new Error('boom'); } }];
    const a = loadGraphDoc({ schemaVersion: 0, name: 'x', nodes: [], edges: [] }, failing, 1);
    expect(!a.ok && a.error).toMatch(/Migration "explode" \(v0 -> v1\) failed: boom/);
    const b = loadGraphDoc({ schemaVersion: 0, name: 'x', nodes: [], edges: [] }, [], 1);
    expect(!b.ok && b.error).toMatch(/No migration from schemaVersion 0/);
  });
});
