import type { Edge as FlowEdge, Node as FlowNode } from '@xyflow/react';
import type { Analysis, NodeInfo } from '@/lib/graph/analyse';
import type { ScopeId } from '@/lib/graph/edit';
import type { Problem } from '@/lib/graph/problems';
import type { GraphDoc, GraphNode } from '@/lib/graph/schema';
import { formatShape } from '@/lib/kinds/shape';

/** What the generic node component needs: the saved node, what analysis says about it, and the network context. */
export type GraphNodeData = {
  node: GraphNode;
  info: NodeInfo | undefined;
  problems: Problem[];
  /** For calls: the network's name and colour, and how many calls share its weights. */
  network?: { id: string; name: string; color: string; calls: number };
  /** For optimizers: the networks they update; for losses: the networks trained on them. */
  updates?: { name: string; color: string }[];
};

export type GraphFlowNode = FlowNode<GraphNodeData, 'graph'>;

const PALETTE = ['#7c3aed', '#0891b2', '#059669', '#d97706', '#dc2626', '#2563eb'];

export function networkColor(doc: GraphDoc, id: string): string {
  const index = doc.networks.findIndex((n) => n.id === id);
  return doc.networks[index]?.color ?? PALETTE[Math.max(index, 0) % PALETTE.length]!;
}

/** React Flow's view of one scope: nodes and edges derived from the document and its analysis. */
export function toFlow(doc: GraphDoc, scope: ScopeId, analysis: Analysis): { nodes: GraphFlowNode[]; edges: FlowEdge[] } {
  const scopeInfo = scope === null ? analysis.main : analysis.networks.get(scope);
  const graph = scope === null ? doc : doc.networks.find((n) => n.id === scope);
  if (!graph) return { nodes: [], edges: [] };
  const callCounts = new Map<string, number>();
  const countCalls = (nodes: readonly GraphNode[]) => {
    for (const n of nodes) {
      const target = n.kind === 'call' ? (n.params as { network?: string }).network : undefined;
      if (target) callCounts.set(target, (callCounts.get(target) ?? 0) + 1);
    }
  };
  countCalls(doc.nodes);
  doc.networks.forEach((n) => countCalls(n.nodes));

  const trainedOn = scope === null ? networksTrainedOnLosses(analysis) : new Map<string, string[]>();
  // Problems of this scope by node and by edge, grouped once rather than searched per node.
  const here = analysis.problems.filter((p) => p.network === (scope ?? undefined));
  const byNode = new Map<string, Problem[]>();
  for (const p of here) if (p.node !== undefined) byNode.set(p.node, [...(byNode.get(p.node) ?? []), p]);
  const badEdges = new Set(here.map((p) => p.edge).filter((e) => e !== undefined));
  const nodes = graph.nodes.map((node): GraphFlowNode => {
    const info = scopeInfo?.nodes.get(node.id);
    const problems = byNode.get(node.id) ?? [];
    const data: GraphNodeData = { node, info, problems };
    if (node.kind === 'call') {
      const id = (node.params as { network?: string }).network ?? '';
      const network = doc.networks.find((n) => n.id === id);
      if (network) data.network = { id, name: network.name, color: networkColor(doc, id), calls: callCounts.get(id) ?? 0 };
    }
    const named = (ids: readonly string[]) => ids.map((id) => ({ name: doc.networks.find((n) => n.id === id)?.name ?? id, color: networkColor(doc, id) }));
    const updates = (node.params as { networks?: unknown }).networks;
    if (info?.kind?.role === 'optimizer' && Array.isArray(updates)) data.updates = named(updates as string[]);
    if (scope === null && info?.kind?.category === 'losses') data.updates = named(trainedOn.get(node.id) ?? []);
    return { id: node.id, type: 'graph', position: node.position, data };
  });
  const edges = graph.edges.map((edge): FlowEdge => {
    const shape = scopeInfo?.nodes.get(edge.source.node)?.outShapes[edge.source.port];
    return {
      id: edge.id,
      source: edge.source.node,
      sourceHandle: edge.source.port,
      target: edge.target.node,
      targetHandle: edge.target.port,
      label: shape ? formatShape(shape) : undefined,
      className: badEdges.has(edge.id) ? 'edge-problem' : undefined,
    };
  });
  return { nodes, edges };
}

/** For each loss of the main graph, the networks whose optimizer minimises it (directly or through a weighted sum). */
function networksTrainedOnLosses(analysis: Analysis): Map<string, string[]> {
  const trained = new Map<string, string[]>();
  for (const optimizer of analysis.optimizers) {
    const stack = [optimizer.loss.node];
    const seen = new Set<string>();
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (analysis.main.nodes.get(id)?.kind?.category !== 'losses') continue;
      trained.set(id, [...new Set([...(trained.get(id) ?? []), ...optimizer.networks])]);
      for (const source of analysis.main.incoming.get(id)?.values() ?? []) stack.push(source.node);
    }
  }
  return trained;
}
