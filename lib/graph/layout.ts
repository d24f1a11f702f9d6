import dagre from '@dagrejs/dagre';
import type { NodeInfo } from './analyse';
import type { ScopeGraph } from './edit';

/**
 * Left-to-right layered layout of one scope (dagre); returns new positions by
 * node id. Ranks sit far enough apart for an edge's shape label to fit
 * between the handles it joins.
 */
export function autoLayout(graph: ScopeGraph, size: (id: string) => { width: number; height: number }): Record<string, { x: number; y: number }> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 150 });
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

/** About how large the editor draws a node, before it is measured: a title, a row per port, a badge or two. */
export function estimatedSize(info: NodeInfo | undefined): { width: number; height: number } {
  const rows = Math.max(info?.inputs.length ?? 0, info?.outputs.length ?? 0, 1);
  const badges = info?.kind?.role === 'call' || info?.kind?.role === 'optimizer' ? 2 : info?.kind?.role === 'op' && info.kind.loss ? 1 : 0;
  return { width: 250, height: 34 + 24 * rows + 22 * badges };
}
