import { describe, expect, it } from 'vitest';
import { FlowCache, nodeViews } from '../../../app/projects/[id]/_editor/flow';
import { analyse } from '../../../lib/graph/analyse';
import { moveNodes, updateNode } from '../../../lib/graph/edit';
import type { GraphDoc } from '../../../lib/graph/schema';
import { getTemplate } from '../../../lib/templates';

/** React Flow re-renders a node when its object changes: an edit must hand back the same objects for everything it did not touch. */
const canvas = { selectedNodes: new Set<string>(), measured: new Map(), dragging: new Map() };

function render(cache: FlowCache, doc: GraphDoc, scope: string | null = null, state = canvas) {
  const analysis = analyse(doc);
  const graph = scope === null ? doc : doc.networks.find((n) => n.id === scope)!;
  const views = cache.stable(nodeViews(doc, scope, analysis));
  return { nodes: cache.flowNodes(graph.nodes, views, state), edges: cache.flowEdges(doc, scope, analysis, new Set()) };
}

const changed = (before: { id: string }[], after: { id: string }[]) => after.filter((n, i) => n !== before[i]).map((n) => n.id);

describe('the editor canvas', () => {
  it('reuses every node and edge an edit does not change', () => {
    const cache = new FlowCache();
    const doc = getTemplate('ali')!.doc;
    const first = render(cache, doc);
    const relabelled = render(cache, updateNode(doc, null, 'D_loss', { label: 'discriminator loss' }));
    expect(changed(first.nodes, relabelled.nodes)).toEqual(['D_loss']);
    expect(changed(first.edges, relabelled.edges)).toEqual([]);
    const moved = render(cache, moveNodes(doc, null, { X: { x: 5, y: 7 } }));
    expect(changed(relabelled.nodes, moved.nodes).sort()).toEqual(['D_loss', 'X']); // D_loss: back to its old label
  });

  it('changes a node whose shapes or problems change, and the edges that carry the new shape', () => {
    const cache = new FlowCache();
    const doc = getTemplate('gan')!.doc;
    const first = render(cache, doc, 'G');
    const wider = render(cache, updateNode(doc, 'G', 'G_h1', { params: { units: 64, activation: 'relu' } }), 'G');
    // G_h1 shows units 64; G_prob's input shape changes with it; the edge between them is labelled [b, 64].
    expect(changed(first.nodes, wider.nodes).sort()).toEqual(['G_h1', 'G_prob']);
    expect(changed(first.edges, wider.edges)).toEqual(['G_h1.y->G_prob.x']);
  });

  it('moves only the dragged node while a drag is under way, and selects without touching the others', () => {
    const cache = new FlowCache();
    const doc = getTemplate('vae')!.doc;
    const first = render(cache, doc);
    const dragging = render(cache, doc, null, { ...canvas, dragging: new Map([['X', { x: 1, y: 2 }]]) });
    expect(changed(first.nodes, dragging.nodes)).toEqual(['X']);
    expect(dragging.nodes.find((n) => n.id === 'X')!.position).toEqual({ x: 1, y: 2 });
    const selected = render(cache, doc, null, { ...canvas, selectedNodes: new Set(['loss']) });
    expect(changed(dragging.nodes, selected.nodes).sort()).toEqual(['X', 'loss']);
  });
});
