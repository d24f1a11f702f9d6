import { analyse, type NodeInfo } from './analyse';
import { ScheduleStepSchema, TrainingSchema, type BlockParam, type Edge, type GraphDoc, type GraphNode, type Network, type PortRef, type Previews, type Training } from './schema';
import { call } from '../kinds/networks/call';
import { networkInput } from '../kinds/networks/network-input';
import { networkOutput } from '../kinds/networks/network-output';
import { getKind } from '../kinds/registry';
import { networkOf } from '../kinds/kind';
import { readParams } from '../kinds/fields';
import type { z } from 'zod';
import { err, ok, type Result } from '../result';

/**
 * Editing operations on a GraphDoc: pure functions from one document to the
 * next, used by the editor (and its undo history) and testable without a
 * browser. `scope` is the network being edited, or null for the main graph.
 */
export type ScopeId = string | null;

export interface ScopeGraph {
  nodes: GraphNode[];
  edges: Edge[];
}

export function scopeGraph(doc: GraphDoc, scope: ScopeId): ScopeGraph {
  if (scope === null) return { nodes: doc.nodes, edges: doc.edges };
  const network = doc.networks.find((n) => n.id === scope);
  return network ? { nodes: network.nodes, edges: network.edges } : { nodes: [], edges: [] };
}

function withScope(doc: GraphDoc, scope: ScopeId, next: ScopeGraph): GraphDoc {
  if (scope === null) return { ...doc, nodes: next.nodes, edges: next.edges };
  return { ...doc, networks: doc.networks.map((n) => (n.id === scope ? { ...n, nodes: next.nodes, edges: next.edges } : n)) };
}

function freshId(taken: Iterable<string>, base: string): string {
  const used = new Set(taken);
  const stem = base.replace(/[^A-Za-z0-9_-]+/g, '_') || 'node';
  for (let i = 1; ; i++) {
    const id = `${stem}_${i}`;
    if (!used.has(id)) return id;
  }
}

const edgeId = (source: PortRef, target: PortRef) => `${source.node}.${source.port}->${target.node}.${target.port}`;

/**
 * Adds a node of `kind` with the params the kind starts from in this graph (a
 * call of the first network, say). An optimizer joins the end of the schedule.
 */
export function addNode(doc: GraphDoc, scope: ScopeId, kind: string, position: { x: number; y: number }, params?: Record<string, unknown>): { doc: GraphDoc; id: string } {
  const graph = scopeGraph(doc, scope);
  const id = freshId(graph.nodes.map((n) => n.id), kind);
  const start = params ?? getKind(kind)?.initialParams?.({ networks: doc.networks.filter((n) => n.id !== scope).map((n) => ({ id: n.id, name: n.name })) }) ?? {};
  const node: GraphNode = { id, kind, params: start, position };
  return { doc: scheduleNew(withScope(doc, scope, { ...graph, nodes: [...graph.nodes, node] }), scope, [node]), id };
}

/** Appends the optimizers among `nodes` (new in the main graph) to the schedule, in order. */
function scheduleNew(doc: GraphDoc, scope: ScopeId, nodes: readonly GraphNode[]): GraphDoc {
  if (scope !== null) return doc;
  const added = nodes.filter((n) => getKind(n.kind)?.role === 'optimizer').map((n) => ({ optimizer: n.id, repeat: 1 }));
  return added.length ? { ...doc, training: { ...doc.training, schedule: [...doc.training.schedule, ...added] } } : doc;
}

export function moveNodes(doc: GraphDoc, scope: ScopeId, positions: Readonly<Record<string, { x: number; y: number }>>): GraphDoc {
  const graph = scopeGraph(doc, scope);
  return withScope(doc, scope, { ...graph, nodes: graph.nodes.map((n) => (positions[n.id] ? { ...n, position: positions[n.id]! } : n)) });
}

export function updateNode(doc: GraphDoc, scope: ScopeId, id: string, change: { params?: Record<string, unknown>; label?: string }): GraphDoc {
  const graph = scopeGraph(doc, scope);
  return withScope(doc, scope, {
    ...graph,
    nodes: graph.nodes.map((n) => {
      if (n.id !== id) return n;
      const label = change.label === undefined ? n.label : change.label.trim() || undefined;
      return { ...n, params: change.params ?? n.params, label };
    }),
  });
}

/** Removes nodes and edges; edges of removed nodes go too, and so do schedule entries of removed optimizers. */
export function removeElements(doc: GraphDoc, scope: ScopeId, nodeIds: readonly string[], edgeIds: readonly string[] = []): GraphDoc {
  const nodes = new Set(nodeIds);
  const edges = new Set(edgeIds);
  const graph = scopeGraph(doc, scope);
  let next = withScope(doc, scope, {
    nodes: graph.nodes.filter((n) => !nodes.has(n.id)),
    edges: graph.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source.node) && !nodes.has(e.target.node)),
  });
  if (scope === null && nodes.size > 0) {
    next = { ...next, training: { ...next.training, schedule: next.training.schedule.filter((s) => !nodes.has(s.optimizer)) } };
  }
  return next;
}

/**
 * Connects two ports, or says why not: the problem the new edge would cause
 * at its target (a shape mismatch, an input that is already taken...), as
 * the analysis words it. Problems elsewhere in the graph do not block.
 */
export function connect(doc: GraphDoc, scope: ScopeId, source: PortRef, target: PortRef): Result<GraphDoc> {
  if (source.node === target.node) return err('A node cannot feed itself.');
  const graph = scopeGraph(doc, scope);
  if (graph.edges.some((e) => e.target.node === target.node && e.target.port === target.port)) {
    return err(`Input "${target.port}" is already connected: delete that connection first.`);
  }
  const next = withScope(doc, scope, { ...graph, edges: [...graph.edges, { id: edgeId(source, target), source, target }] });
  const before = new Set(analyse(doc).problems.map((p) => `${p.code}|${p.network}|${p.node}|${p.port}|${p.message}`));
  const caused = analyse(next).errors.find(
    (p) => p.network === (scope ?? undefined) && !before.has(`${p.code}|${p.network}|${p.node}|${p.port}|${p.message}`) && (p.node === target.node || p.code === 'cycle'),
  );
  return caused ? err(caused.message) : ok(next);
}

/** Copies nodes (and the edges among them) into a scope with fresh ids, shifted by `offset`. */
export function pasteNodes(doc: GraphDoc, scope: ScopeId, nodes: readonly GraphNode[], edges: readonly Edge[], offset = { x: 40, y: 40 }): { doc: GraphDoc; ids: string[] } {
  const graph = scopeGraph(doc, scope);
  const taken = graph.nodes.map((n) => n.id);
  const renamed = new Map<string, string>();
  for (const node of nodes) {
    const id = freshId(taken, node.kind);
    taken.push(id);
    renamed.set(node.id, id);
  }
  const pasted = nodes.map((n) => ({ ...n, id: renamed.get(n.id)!, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } }));
  const links = edges
    .filter((e) => renamed.has(e.source.node) && renamed.has(e.target.node))
    .map((e) => {
      const source = { node: renamed.get(e.source.node)!, port: e.source.port };
      const target = { node: renamed.get(e.target.node)!, port: e.target.port };
      return { id: edgeId(source, target), source, target };
    });
  return { doc: scheduleNew(withScope(doc, scope, { nodes: [...graph.nodes, ...pasted], edges: [...graph.edges, ...links] }), scope, pasted), ids: pasted.map((n) => n.id) };
}

/**
 * Turns a selection into a network: the selected nodes move into a new
 * network, every tensor flowing in becomes a network input (its shape taken
 * from the analysis), every tensor flowing out a network output, and a call
 * of the new network takes the selection's place with the same connections.
 */
export function createNetworkFromSelection(doc: GraphDoc, scope: ScopeId, nodeIds: readonly string[], name: string): Result<{ doc: GraphDoc; network: string; call: string }> {
  const selected = new Set(nodeIds);
  const graph = scopeGraph(doc, scope);
  const nodes = graph.nodes.filter((n) => selected.has(n.id));
  if (nodes.length === 0) return err('Select the nodes that should form the network first.');
  const misfit = nodes.find((n) => getKind(n.kind)?.placement !== 'anywhere');
  if (misfit) return err(`"${misfit.label || misfit.id}" (${getKind(misfit.kind)?.title ?? misfit.kind}) cannot go inside a network: networks hold layers, sources and calls.`);
  const trimmed = name.trim();
  if (!trimmed) return err('A network needs a name.');
  if (doc.networks.some((n) => n.name === trimmed)) return err(`There is already a network called ${trimmed}.`);

  const analysis = analyse(doc);
  const shapes = scope === null ? analysis.main : analysis.networks.get(scope);
  const stem = trimmed.replace(/[^A-Za-z0-9_]/g, '') || 'Net';
  const networkIds = new Set(doc.networks.map((n) => n.id));
  let networkId = stem;
  for (let k = 2; networkIds.has(networkId); k++) networkId = `${stem}_${k}`;
  const inner: Edge[] = [];
  const inputs = new Map<string, { id: string; from: PortRef }>();
  const outputs = new Map<string, { id: string; from: PortRef }>();
  const bodyNodes: GraphNode[] = nodes.map((n) => ({ ...n }));
  // Input nodes sit left of the body, output nodes right of it.
  const xs = nodes.map((n) => n.position.x);
  const left = Math.min(...xs) - 260;
  const right = Math.max(...xs) + 260;
  const taken = bodyNodes.map((n) => n.id);
  const inEdges: { from: PortRef; port: string; to: PortRef }[] = [];
  const outEdges: { port: string; to: PortRef }[] = [];

  for (const edge of graph.edges) {
    const fromInside = selected.has(edge.source.node);
    const toInside = selected.has(edge.target.node);
    if (fromInside && toInside) inner.push(edge);
    else if (toInside) {
      const key = `${edge.source.node}.${edge.source.port}`;
      let input = inputs.get(key);
      if (!input) {
        const shape = shapes?.nodes.get(edge.source.node)?.outShapes[edge.source.port];
        if (!shape || shape[0] !== null) return err(`The tensor from "${edge.source.node}" has no known batch shape yet: fix the problems upstream first.`);
        const id = freshId(taken, 'input');
        taken.push(id);
        input = { id, from: edge.source };
        inputs.set(key, input);
        bodyNodes.push({ id, kind: networkInput.kind, params: networkInput.create(shape.slice(1) as number[]), position: { x: left, y: 140 * (inputs.size - 1) } });
        inEdges.push({ from: edge.source, port: id, to: edge.target });
      }
      const value = { node: input.id, port: networkInput.port };
      inner.push({ id: edgeId(value, edge.target), source: value, target: edge.target });
    } else if (fromInside) {
      const key = `${edge.source.node}.${edge.source.port}`;
      let output = outputs.get(key);
      if (!output) {
        const id = freshId(taken, 'output');
        taken.push(id);
        output = { id, from: edge.source };
        outputs.set(key, output);
        bodyNodes.push({ id, kind: networkOutput.kind, params: {}, position: { x: right, y: 140 * (outputs.size - 1) } });
        const target = { node: id, port: networkOutput.port };
        inner.push({ id: edgeId(edge.source, target), source: edge.source, target });
      }
      outEdges.push({ port: output.id, to: edge.target });
    }
  }
  if (outputs.size === 0) return err('Nothing leaves the selection: a network needs at least one output connected to the rest of the graph.');
  nameEnds(bodyNodes, inputs, outputs, shapes, trimmed);

  const network: Network = { id: networkId, name: trimmed, nodes: bodyNodes, edges: inner };
  const callId = freshId(graph.nodes.map((n) => n.id), `${networkId}_call`);
  const centre = { x: xs.reduce((a, b) => a + b, 0) / xs.length, y: nodes.reduce((a, n) => a + n.position.y, 0) / nodes.length };
  // Unlabelled: the call is called by its network and what it is given ("D(X, Q(X))"), as a call from the palette is.
  const callNode: GraphNode = { id: callId, kind: call.kind, params: call.create(networkId), position: centre };
  const outside = graph.edges.filter((e) => !selected.has(e.source.node) && !selected.has(e.target.node));
  const rewired: Edge[] = [
    ...inEdges.map(({ from, port }) => ({ id: edgeId(from, { node: callId, port }), source: from, target: { node: callId, port } })),
    ...outEdges.map(({ port, to }) => ({ id: edgeId({ node: callId, port }, to), source: { node: callId, port }, target: to })),
  ];
  const next = withScope({ ...doc, networks: [...doc.networks, network] }, scope, {
    nodes: [...graph.nodes.filter((n) => !selected.has(n.id)), callNode],
    edges: [...outside, ...rewired],
  });
  return ok({ doc: next, network: networkId, call: callId });
}

/**
 * Names a new network's inputs and outputs as people call what flows there
 * (they label the ports of its calls). An input is named by its role inside
 * the network, not by what happens to feed this one call (a second call of D
 * is fed z, not Q(x)): the data it stands for, as the graph's sources name
 * their outputs ("images", "z", "labels"), when it is a source's value or has
 * the shape of one; else "x". A lone output is named after the network,
 * several after their layers' labels (else numbered).
 */
function nameEnds(body: GraphNode[], inputs: Map<string, { id: string; from: PortRef }>, outputs: Map<string, { id: string; from: PortRef }>, scope: ScopeInfo | undefined, network: string) {
  const taken = new Set<string>();
  const unique = (name: string) => {
    let candidate = name;
    for (let k = 2; taken.has(candidate); k++) candidate = `${name} ${k}`;
    taken.add(candidate);
    return candidate;
  };
  const label = (id: string, name: string) => {
    body.find((n) => n.id === id)!.label = unique(name);
  };
  // A source's value by name: a one-output source by its label ("z"), a dataset's ports by their own ("images", "labels").
  const sourceName = (info: NodeInfo, port: string) => {
    const spec = info.outputs.find((p) => p.id === port);
    return (info.outputs.length === 1 && info.node.label) || spec?.label || port;
  };
  // What the sources of the scope make, by shape: the first source of a shape names it.
  const roles = new Map<string, string>();
  for (const info of scope?.nodes.values() ?? []) {
    if (info.kind?.role !== 'source') continue;
    for (const port of info.outputs) {
      const shape = info.outShapes[port.id];
      if (shape && !roles.has(JSON.stringify(shape))) roles.set(JSON.stringify(shape), sourceName(info, port.id));
    }
  }
  for (const { id, from } of inputs.values()) {
    const source = scope?.nodes.get(from.node);
    const shape = source?.outShapes[from.port];
    label(id, source?.kind?.role === 'source' ? sourceName(source, from.port) : (shape && roles.get(JSON.stringify(shape))) || 'x');
  }
  [...outputs.values()].forEach(({ id, from }, k) => {
    const named = body.find((n) => n.id === from.node)?.label;
    label(id, named || (outputs.size === 1 ? network : `${network} ${k + 1}`));
  });
}

type ScopeInfo = ReturnType<typeof analyse>['main'];

/** "batchSize: batch size must be a whole number from 1 to 4,096": the field, then what it takes in words. */
function firstIssue(schema: z.ZodType, value: Record<string, unknown>): string {
  const [field, message] = [...readParams({ params: schema }, value).issues][0] ?? ['', 'not valid'];
  return `${field}: ${message}`;
}

/** Renames a network (the id, and so every call and optimizer reference, stays). */
export function renameNetwork(doc: GraphDoc, id: string, name: string): Result<GraphDoc> {
  const trimmed = name.trim();
  if (!trimmed) return err('A network needs a name.');
  if (doc.networks.some((n) => n.id !== id && n.name === trimmed)) return err(`There is already a network called ${trimmed}.`);
  return ok({ ...doc, networks: doc.networks.map((n) => (n.id === id ? { ...n, name: trimmed } : n)) });
}

/**
 * Makes a network a block with these parameters, each call a copy with
 * weights of its own (lib/graph/blocks.ts); undefined: a network whose calls
 * share its weights again. Nodes that read a parameter keep reading it (the
 * analysis says where one no longer exists).
 */
export function setBlock(doc: GraphDoc, id: string, params: readonly BlockParam[] | undefined): GraphDoc {
  return {
    ...doc,
    networks: doc.networks.map((n) => {
      if (n.id !== id) return n;
      const { block: _was, ...network } = n;
      return params === undefined ? network : { ...network, block: { params: [...params] } };
    }),
  };
}

/** Moves the schedule's step at `from` to `to` (both indices into the schedule). */
export function moveScheduleStep(doc: GraphDoc, from: number, to: number): GraphDoc {
  const steps = [...doc.training.schedule];
  if (from < 0 || from >= steps.length || to < 0 || to >= steps.length || from === to) return doc;
  const [moved] = steps.splice(from, 1);
  steps.splice(to, 0, moved!);
  return { ...doc, training: { ...doc.training, schedule: steps } };
}

/** Sets how many rounds a schedule step runs per iteration (d_steps). */
export function setScheduleRepeat(doc: GraphDoc, index: number, repeat: number): Result<GraphDoc> {
  const parsed = ScheduleStepSchema.shape.repeat.safeParse(repeat);
  if (!parsed.success) return err(firstIssue(ScheduleStepSchema, { optimizer: 'step', repeat }));
  if (!doc.training.schedule[index]) return err(`the schedule has no step ${index + 1}`);
  const schedule = doc.training.schedule.map((step, i) => (i === index ? { ...step, repeat: parsed.data } : step));
  return ok({ ...doc, training: { ...doc.training, schedule } });
}

export type TrainingSettings = Pick<Training, 'batchSize' | 'iterations' | 'seed' | 'sampleEvery' | 'backend' | 'guard' | 'evaluation'>;

/** Changes training settings; each value is checked as the document schema checks it, and the error names the field. */
export function setTraining(doc: GraphDoc, patch: Partial<TrainingSettings>): Result<GraphDoc> {
  const next = { ...doc.training, ...patch };
  if ('guard' in patch && patch.guard === undefined) delete next.guard;
  const parsed = TrainingSchema.safeParse(next);
  if (!parsed.success) return err(firstIssue(TrainingSchema, next));
  return ok({ ...doc, training: parsed.data });
}

/** Names the port a grid shows, 'none' for no grid, or undefined to let the analysis propose one. */
export function setPreview<K extends keyof Previews>(doc: GraphDoc, which: K, choice: Previews[K]): GraphDoc {
  const previews = { ...doc.training.previews };
  if (choice === undefined) delete previews[which];
  else previews[which] = choice;
  return { ...doc, training: { ...doc.training, previews } };
}

/** What deleting a network takes with it: every call of it (with their connections), and its place in optimizers. */
export function networkDependents(doc: GraphDoc, id: string): { calls: { scope: ScopeId; node: GraphNode }[]; optimizers: GraphNode[] } {
  const calls: { scope: ScopeId; node: GraphNode }[] = [];
  const optimizers: GraphNode[] = [];
  const scopes: [ScopeId, readonly GraphNode[]][] = [[null, doc.nodes], ...doc.networks.map((n): [ScopeId, readonly GraphNode[]] => [n.id, n.nodes])];
  for (const [scope, nodes] of scopes) {
    for (const node of nodes) {
      const kind = getKind(node.kind);
      const params = kind?.params.safeParse(node.params);
      if (!kind || !params?.success) continue;
      if (networkOf(kind, params.data) === id) calls.push({ scope, node });
      if (kind.role === 'optimizer' && kind.networks(params.data).includes(id)) optimizers.push(node);
    }
  }
  return { calls, optimizers };
}

/** Deletes a network, every call of it (and their connections), and takes it off the optimizers that updated it. */
export function deleteNetwork(doc: GraphDoc, id: string): GraphDoc {
  const { calls, optimizers } = networkDependents(doc, id);
  let next: GraphDoc = { ...doc, networks: doc.networks.filter((n) => n.id !== id) };
  for (const scope of new Set(calls.map((c) => c.scope))) {
    if (scope === id) continue;
    next = removeElements(next, scope, calls.filter((c) => c.scope === scope).map((c) => c.node.id));
  }
  const updated = new Set(optimizers.map((n) => n.id));
  const nodes = next.nodes.map((node) => {
    const kind = getKind(node.kind);
    if (!updated.has(node.id) || kind?.role !== 'optimizer') return node;
    const networks = kind.networks(kind.params.parse(node.params)).filter((n) => n !== id);
    return { ...node, params: kind.withNetworks(node.params, networks) };
  });
  return { ...next, nodes };
}
