import { describe, expect, it } from 'vitest';
import { describeChanges, summariseChanges } from '../../../lib/graph/diff';
import { addNode, moveNodes, removeElements, setTraining, updateNode } from '../../../lib/graph/edit';
import { getTemplate } from '../../../lib/templates';

/** The version history says what each save changed. */
const gan = getTemplate('gan')!.doc;

describe('what a version changed', () => {
  it('a param, a move, training settings', () => {
    let doc = updateNode(gan, 'G', 'G_h1', { params: { ...gan.networks.find((n) => n.id === 'G')!.nodes.find((n) => n.id === 'G_h1')!.params, units: 256 } });
    doc = moveNodes(doc, null, { [gan.nodes[0]!.id]: { x: 5, y: 5 }, [gan.nodes[1]!.id]: { x: 9, y: 9 } });
    const trained = setTraining(doc, { iterations: 5000 });
    if (!trained.ok) throw new Error(trained.error);
    expect(describeChanges(gan, trained.value)).toEqual(['Dense "G_h1" in G: units 128 → 256', 'moved 2 nodes', 'training: iterations 10,000 → 5,000']);
  });

  it('nodes added and connected, a network made from a selection', () => {
    const added = addNode(gan, null, 'noise', { x: 0, y: 900 }, { shape: [100] });
    expect(describeChanges(gan, added.doc)).toEqual([`added Noise "${added.id}"`]);
    const d = gan.networks.find((n) => n.id === 'D')!;
    const relabelled = updateNode(gan, 'D', d.nodes[1]!.id, { label: 'hidden' });
    expect(describeChanges(gan, relabelled)).toEqual([`renamed Dense "${d.nodes[1]!.label}" in D to "hidden"`]);
    const edge = gan.edges[0]!;
    const label = (id: string) => gan.nodes.find((n) => n.id === id)!.label;
    expect(describeChanges(gan, removeElements(gan, null, [], [edge.id]))).toEqual([`disconnected ${label(edge.source.node)} → ${label(edge.target.node)}`]);
    expect(describeChanges(gan, removeElements(gan, null, [added.id], []))).toEqual([]);
  });

  it('reads as one line, however much changed', () => {
    expect(summariseChanges([])).toBe('no change to the graph');
    expect(summariseChanges(['a', 'b', 'c', 'd', 'e'])).toBe('a; b; c; and 2 more');
  });
});
