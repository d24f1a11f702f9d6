import { describe, expect, it } from 'vitest';
import { analyse } from '../../../lib/graph/analyse';
import { addNode, connect, createNetworkFromSelection, moveNodes, pasteNodes, removeElements, scopeGraph, updateNode } from '../../../lib/graph/edit';
import { loadGraphDoc } from '../../../lib/graph/migrations';
import type { GraphDoc } from '../../../lib/graph/schema';
import { getTemplate } from '../../../lib/templates';

const empty = (): GraphDoc => {
  const loaded = loadGraphDoc({ schemaVersion: 1, name: 'blank', nodes: [], edges: [] });
  if (!loaded.ok) throw new Error(loaded.error);
  return loaded.value;
};

describe('graph editing', () => {
  it('adds nodes with fresh ids and connects compatible ports', () => {
    let doc = empty();
    const x = addNode(doc, null, 'mnist', { x: 0, y: 0 });
    const s = addNode(x.doc, null, 'scale', { x: 200, y: 0 });
    expect([x.id, s.id]).toEqual(['mnist_1', 'scale_1']);
    const linked = connect(s.doc, null, { node: x.id, port: 'images' }, { node: s.id, port: 'x' });
    expect(linked.ok).toBe(true);
    doc = linked.ok ? linked.value : doc;
    expect(analyse(doc).main.nodes.get(s.id)!.outShapes.y).toEqual([null, 784]);
  });

  it('refuses a connection with the shape problem it would cause', () => {
    const gan = getTemplate('ali')!.doc;
    // Feed D's x input with z (64 wide) instead of an image (784 wide).
    const without = removeElements(gan, null, [], [gan.edges.find((e) => e.target.node === 'D_gen' && e.target.port === 'x')!.id]);
    const refused = connect(without, null, { node: 'z', port: 'z' }, { node: 'D_gen', port: 'x' });
    expect(refused).toEqual({ ok: false, error: 'Call network "D_gen": D expects [b, 784] on "x", got [b, 64]' });
    const taken = connect(gan, null, { node: 'z', port: 'z' }, { node: 'D_gen', port: 'x' });
    expect(!taken.ok && taken.error).toMatch(/already connected/);
  });

  it('moves, relabels and removes nodes together with their edges and schedule entries', () => {
    const gan = getTemplate('gan')!.doc;
    const moved = moveNodes(gan, null, { X: { x: 5, y: 6 } });
    expect(moved.nodes.find((n) => n.id === 'X')!.position).toEqual({ x: 5, y: 6 });
    const renamed = updateNode(moved, null, 'X', { label: '  Real digits ' });
    expect(renamed.nodes.find((n) => n.id === 'X')!.label).toBe('Real digits');
    const removed = removeElements(renamed, null, ['D_solver']);
    expect(removed.nodes.some((n) => n.id === 'D_solver')).toBe(false);
    expect(removed.edges.some((e) => e.target.node === 'D_solver')).toBe(false);
    expect(removed.training.schedule.map((s) => s.optimizer)).toEqual(['G_solver']);
  });

  it('pastes copies with fresh ids and their inner edges', () => {
    const ali = getTemplate('ali')!.doc;
    const q = ali.networks.find((n) => n.id === 'Q')!;
    const pasted = pasteNodes(ali, 'Q', q.nodes, q.edges);
    const graph = scopeGraph(pasted.doc, 'Q');
    expect(graph.nodes).toHaveLength(q.nodes.length * 2);
    expect(graph.edges).toHaveLength(q.edges.length * 2);
    expect(new Set(graph.nodes.map((n) => n.id)).size).toBe(graph.nodes.length);
  });

  it('turns a selection into a network whose call keeps the shapes and connections', () => {
    // Un-network the GAN's generator: put G's layers in the main graph, then network them again.
    let doc = empty();
    const z = addNode(doc, null, 'noise', { x: 0, y: 0 }, { shape: [100] });
    const h = addNode(z.doc, null, 'dense', { x: 200, y: 0 }, { units: 128, activation: 'relu' });
    const o = addNode(h.doc, null, 'dense', { x: 400, y: 0 }, { units: 784, activation: 'sigmoid' });
    const loss = addNode(o.doc, null, 'mse', { x: 600, y: 0 });
    doc = loss.doc;
    for (const [source, target] of [
      [{ node: z.id, port: 'z' }, { node: h.id, port: 'x' }],
      [{ node: h.id, port: 'y' }, { node: o.id, port: 'x' }],
      [{ node: o.id, port: 'y' }, { node: loss.id, port: 'prediction' }],
      [{ node: o.id, port: 'y' }, { node: loss.id, port: 'target' }],
    ] as const) {
      const next = connect(doc, null, source, target);
      if (!next.ok) throw new Error(next.error);
      doc = next.value;
    }
    expect(analyse(doc).problems.map((p) => p.code)).toContain('weights-outside-network');
    const made = createNetworkFromSelection(doc, null, [h.id, o.id], 'G');
    if (!made.ok) throw new Error(made.error);
    const analysis = analyse(made.value.doc);
    expect(analysis.problems.map((p) => p.code)).not.toContain('weights-outside-network');
    expect(analysis.errors).toEqual([]);
    expect(analysis.networks.get('G')!.signature.inputs.map((i) => i.shape)).toEqual([[null, 100]]);
    expect(analysis.main.nodes.get(made.value.call)!.outShapes).toEqual({ [analysis.networks.get('G')!.signature.outputs[0]!.port]: [null, 784] });
    // Both loss inputs now come from the one call.
    expect(made.value.doc.edges.filter((e) => e.target.node === loss.id).every((e) => e.source.node === made.value.call)).toBe(true);
    expect(createNetworkFromSelection(made.value.doc, null, [loss.id], 'L')).toMatchObject({ ok: false });
    expect(createNetworkFromSelection(made.value.doc, null, [z.id], 'G')).toEqual({ ok: false, error: 'There is already a network called G.' });
  });
});
