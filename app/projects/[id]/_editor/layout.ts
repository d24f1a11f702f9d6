import dagre from '@dagrejs/dagre';
import type { ScopeGraph } from '@/lib/graph/edit';

/** Left-to-right layered layout of one scope (dagre); returns new positions by node id. */
export function autoLayout(graph: ScopeGraph, size: (id: string) => { width: number; height: number }): Record<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) g.setNode(node.id, size(node.id));
  for (const edge of graph.edges) g.setEdge(edge.source.node, edge.target.node);
  dagre.layout(g);
  const positions: Record<string, { x: number; y: number }> = {};
  for (const node of graph.nodes) {
    const placed = g.node(node.id);
    const { width, height } = size(node.id);
    positions[node.id] = { x: Math.round(placed.x - width / 2), y: Math.round(placed.y - height / 2) };
  }
  return positions;
}
