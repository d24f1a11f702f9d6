import type { Edge as FlowEdge, Node as FlowNode, XYPosition } from '@xyflow/react';
import { callee, drawnNetworks, nodeLabel, type Analysis, type NodeInfo } from '@/lib/graph/analyse';
import { valuesInWords } from '@/lib/graph/blocks';
import type { ScopeId } from '@/lib/graph/edit';
import type { GraphDoc, GraphNode } from '@/lib/graph/schema';
import { isLoss } from '@/lib/kinds/kind';
import { formatShape } from '@/lib/kinds/shape';
import type { Size } from './store';

/**
 * React Flow's view of one scope, derived from the document and its analysis.
 * Node and edge objects are reused while what they show is unchanged, so an
 * edit re-renders only the nodes it touches (React Flow compares by object).
 */
export interface PortView {
  id: string;
  label: string;
  /** `[b, 784]`, when known. */
  shape?: string;
}

export interface ProblemView {
  severity: 'error' | 'warning';
  message: string;
}

/** Everything the node component shows, ready to draw (a type, not an interface: React Flow wants a plain record). */
export type NodeView = {
  node: GraphNode;
  /** What it is called: its label, else the name the graph gives it ("D(X, Q(X))", "D loss"), else its id. */
  name: string;
  title: string;
  inputs: PortView[];
  outputs: PortView[];
  problems: ProblemView[];
  /** For calls: the network's name and colour, and how many calls share its weights. */
  network?: { id: string; name: string; color: string; calls: number };
  /** For optimizers, the networks they update; for losses, the networks trained on them. */
  updates?: { verb: 'updates' | 'trains'; networks: { name: string; color: string }[] };
  /** What its params make it do, as its kind says it ("target 1 (real)"). */
  summary?: string;
  /** For optimizers: where they run in an iteration, `step 1 of 2, x3`. */
  schedule?: string;
};

export type GraphFlowNode = FlowNode<NodeView, 'graph'>;

const PALETTE = ['#7c3aed', '#0891b2', '#059669', '#d97706', '#dc2626', '#2563eb'];

export function networkColor(doc: GraphDoc, id: string): string {
  const index = doc.networks.findIndex((n) => n.id === id);
  return doc.networks[index]?.color ?? PALETTE[Math.max(index, 0) % PALETTE.length]!;
}

/** What every node of a scope shows. */
export function nodeViews(doc: GraphDoc, scope: ScopeId, analysis: Analysis): Map<string, NodeView> {
  const scopeInfo = scope === null ? analysis.main : analysis.networks.get(scope);
  const graph = scope === null ? doc : doc.networks.find((n) => n.id === scope);
  const views = new Map<string, NodeView>();
  if (!graph) return views;
  const calls = new Map<string, number>();
  const { instances } = analysis.blocks;
  // The calls people drew: the copies of blocks are not theirs to count.
  for (const s of [analysis.main, ...[...analysis.networks].filter(([id]) => !instances.has(id)).map(([, s]) => s)]) {
    for (const info of s.nodes.values()) {
      const id = calledNetwork(analysis, info);
      if (id !== undefined) calls.set(id, (calls.get(id) ?? 0) + 1);
    }
  }
  const problems = new Map<string, ProblemView[]>();
  for (const p of analysis.problems) {
    if (p.network !== (scope ?? undefined) || p.node === undefined) continue;
    problems.set(p.node, [...(problems.get(p.node) ?? []), { severity: p.severity, message: p.message }]);
  }
  const named = (ids: readonly string[]) => ids.map((id) => ({ name: doc.networks.find((n) => n.id === id)?.name ?? id, color: networkColor(doc, id) }));
  for (const node of graph.nodes) {
    const info = scopeInfo?.nodes.get(node.id);
    const view: NodeView = {
      node,
      name: info ? nodeLabel(info) : node.label || node.id,
      title: info?.kind?.title ?? node.kind,
      inputs: ports(info, 'in'),
      outputs: ports(info, 'out'),
      problems: problems.get(node.id) ?? [],
    };
    const summary = info?.kind && info.params !== undefined ? info.kind.summary?.(info.params) : undefined;
    if (summary) view.summary = summary;
    const called = calledNetwork(analysis, info);
    const network = called === undefined ? undefined : doc.networks.find((n) => n.id === called);
    // Calls of a block share nothing: each has weights of its own.
    if (network) view.network = { id: network.id, name: network.name, color: networkColor(doc, network.id), calls: network.block ? 1 : (calls.get(network.id) ?? 0) };
    // A call of a block says the values it gives.
    const instance = info && instances.get(callee(info) ?? '');
    if (instance) view.summary = valuesInWords(instance.values);
    if (info?.kind?.role === 'optimizer' && info.params !== undefined) {
      view.updates = { verb: 'updates', networks: named(drawnNetworks(analysis, info.kind.networks(info.params))) };
      view.schedule = schedulePlace(doc, node.id);
    }
    else if (scope === null && isLoss(info?.kind)) view.updates = { verb: 'trains', networks: named(drawnNetworks(analysis, analysis.trainedBy.get(node.id) ?? [])) };
    views.set(node.id, view);
  }
  return views;
}

/** The network a call node calls, as drawn: a call of a block calls the block (the analysis made it a copy of its own). */
function calledNetwork(analysis: Analysis, info: NodeInfo | undefined): string | undefined {
  const called = callee(info);
  return called === undefined ? undefined : (analysis.blocks.instances.get(called)?.block ?? called);
}

/** `step 2 of 2, x3`: where an optimizer runs in an iteration (an optimizer may appear more than once). */
function schedulePlace(doc: GraphDoc, optimizer: string): string {
  const steps = doc.training.schedule;
  const places = steps.flatMap((step, i) => (step.optimizer === optimizer ? [`step ${i + 1}${step.repeat > 1 ? ` ×${step.repeat}` : ''}`] : []));
  return places.length ? `${places.join(', ')} of ${steps.length}` : 'not in the schedule';
}

function ports(info: NodeInfo | undefined, side: 'in' | 'out'): PortView[] {
  if (!info) return [];
  const specs = side === 'in' ? info.inputs : info.outputs;
  const shapes = side === 'in' ? info.inShapes : info.outShapes;
  return specs.map((port) => ({ id: port.id, label: port.label, shape: shapes[port.id] && formatShape(shapes[port.id]!) }));
}

/** What a view shows, apart from its node (compared by identity): equal strings, equal pictures. */
const showing = (view: NodeView) => JSON.stringify([view.name, view.title, view.inputs, view.outputs, view.problems, view.network, view.updates, view.schedule, view.summary]);

/** What the canvas shows besides the document: selection, measured sizes, positions mid-drag. */
export interface CanvasState {
  selectedNodes: ReadonlySet<string>;
  measured: ReadonlyMap<string, Size>;
  dragging: ReadonlyMap<string, XYPosition>;
}

/**
 * Turns views into React Flow nodes and edges, handing back the previous
 * object for anything whose content did not change. One cache per scope.
 */
export class FlowCache {
  private views = new Map<string, { view: NodeView; showing: string }>();
  private nodes = new Map<string, GraphFlowNode>();
  private edges = new Map<string, FlowEdge>();

  /** The views, each replaced by the previous one when it shows the same. */
  stable(views: Map<string, NodeView>): Map<string, NodeView> {
    const next = new Map<string, { view: NodeView; showing: string }>();
    const stable = new Map<string, NodeView>();
    for (const [id, view] of views) {
      const before = this.views.get(id);
      const text = showing(view);
      const kept = before && before.view.node === view.node && before.showing === text ? before.view : view;
      next.set(id, { view: kept, showing: text });
      stable.set(id, kept);
    }
    this.views = next;
    return stable;
  }

  flowNodes(nodes: readonly GraphNode[], views: Map<string, NodeView>, canvas: CanvasState): GraphFlowNode[] {
    const next = new Map<string, GraphFlowNode>();
    const result = nodes.map((node) => {
      const data = views.get(node.id)!;
      const position = canvas.dragging.get(node.id) ?? node.position;
      const selected = canvas.selectedNodes.has(node.id);
      const measured = canvas.measured.get(node.id);
      const before = this.nodes.get(node.id);
      const same = before && before.data === data && before.selected === selected && before.measured === measured && before.position.x === position.x && before.position.y === position.y;
      const flowNode: GraphFlowNode = same ? before : { id: node.id, type: 'graph', position, data, selected, ...(measured && { measured }) };
      next.set(node.id, flowNode);
      return flowNode;
    });
    this.nodes = next;
    return result;
  }

  flowEdges(doc: GraphDoc, scope: ScopeId, analysis: Analysis, selectedEdges: ReadonlySet<string>): FlowEdge[] {
    const scopeInfo = scope === null ? analysis.main : analysis.networks.get(scope);
    const graph = scope === null ? doc : doc.networks.find((n) => n.id === scope);
    const bad = new Set(analysis.problems.filter((p) => p.network === (scope ?? undefined) && p.edge !== undefined).map((p) => p.edge));
    const next = new Map<string, FlowEdge>();
    const result = (graph?.edges ?? []).map((edge) => {
      const shape = scopeInfo?.nodes.get(edge.source.node)?.outShapes[edge.source.port];
      const label = shape ? formatShape(shape) : undefined;
      const className = bad.has(edge.id) ? 'edge-problem' : undefined;
      const selected = selectedEdges.has(edge.id);
      const before = this.edges.get(edge.id);
      const same =
        before &&
        before.source === edge.source.node &&
        before.sourceHandle === edge.source.port &&
        before.target === edge.target.node &&
        before.targetHandle === edge.target.port &&
        before.label === label &&
        before.className === className &&
        before.selected === selected;
      const flowEdge: FlowEdge = same
        ? before
        : { id: edge.id, source: edge.source.node, sourceHandle: edge.source.port, target: edge.target.node, targetHandle: edge.target.port, label, className, selected };
      next.set(edge.id, flowEdge);
      return flowEdge;
    });
    this.edges = next;
    return result;
  }
}
