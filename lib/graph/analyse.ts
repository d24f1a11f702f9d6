import { getKind } from '../kinds/registry';
import { isLoss, ShapeError, type GraphContext, type NetworkSignature, type NodeKind, type OptimizerKind, type PortSpec } from '../kinds/kind';
import { boundsInWords, within, type Bounds } from '../kinds/bounds';
import { readParams } from '../kinds/fields';
import { formatShape, type Shape } from '../kinds/shape';
import { expandBlocks, type BlockExpansion } from './blocks';
import { dependenceOf, signatureOf, type Signature } from './dependence';
import { estimateMemory, formatBytes, MEMORY_LIMIT_BYTES, type MemoryEstimate } from './memory';
import { dataImages, imageOf, previewCandidates, propose, type PreviewCandidate, type Range } from './previews';
import type { ImageShape } from '../runtime/grid';
import type { Problem, ProblemCode } from './problems';
import type { Edge, GraphDoc, GraphNode, Network, PortRef } from './schema';
import { toposort } from './toposort';
import { reach, upstream } from './walk';

/** What analysis knows about one node. `params` is set when they parse (or parse with defaults for the fields in error). */
export interface NodeInfo {
  node: GraphNode;
  kind: NodeKind | undefined;
  params: unknown;
  /** Some params are invalid (reported): their defaults stand in, so the node keeps its ports and its neighbours their shapes. */
  invalid?: boolean;
  inputs: PortSpec[];
  outputs: PortSpec[];
  /** Shapes of connected inputs and inferred outputs, by port id. */
  inShapes: Record<string, Shape>;
  outShapes: Record<string, Shape>;
  /** What values each output can take, where known. */
  outBounds: Record<string, Bounds | undefined>;
  /**
   * What people call an unlabelled node, from the graph: a call by its network
   * and what it is given ("D(X, Q(X))"), a loss an optimizer minimises by the
   * networks it trains ("D loss"). Titles, problems and chart legends read it.
   */
  name?: string;
}

/** The main graph or one network body. */
export interface Scope {
  /** Network id, or undefined for the main graph. */
  network: string | undefined;
  nodes: Map<string, NodeInfo>;
  /** Topological order of the nodes (document order where free). */
  order: string[];
  /** For each node, which source feeds each of its input ports. */
  incoming: Map<string, Map<string, PortRef>>;
}

/** A network body, with what calls of it see. */
export type NetworkScope = Scope & { signature: NetworkSignature };

export interface OptimizerInfo {
  node: string;
  kind: OptimizerKind;
  params: unknown;
  loss: PortRef;
  networks: string[];
}

/** A preview the plan draws: named by the document, or proposed from the graph when it names none. */
export interface ResolvedPreview {
  ref: PortRef;
  range: Range;
  proposed: boolean;
  /** How its values are drawn. */
  image: ImageShape;
}

export interface ResolvedPreviews {
  samples?: ResolvedPreview;
  reconstructions?: ResolvedPreview & { input: PortRef };
  /** Every port that could be shown, for the picker. */
  candidates: readonly PreviewCandidate[];
}

export interface Analysis {
  /** The document analysed: the one given, with every call of a block made a network of its own (lib/graph/blocks.ts). */
  doc: GraphDoc;
  /** Those networks, and the networks that hold no weights of the program (blocks seen on their own). */
  blocks: Pick<BlockExpansion, 'source' | 'instances' | 'views'>;
  ok: boolean;
  problems: Problem[];
  errors: Problem[];
  main: Scope;
  networks: Map<string, NetworkScope>;
  /** Networks ordered so that every network comes after the networks it calls. */
  networkOrder: string[];
  optimizers: OptimizerInfo[];
  /** The schedule's steps whose optimizer is valid, in order. */
  schedule: { optimizer: string; repeat: number }[];
  losses: string[];
  /** For each loss node of the main graph, the networks whose optimizer minimises it (directly or through a sum of losses). */
  trainedBy: ReadonlyMap<string, readonly string[]>;
  previews: ResolvedPreviews;
  /** About how much memory training takes. */
  memory: MemoryEstimate;
}

/** Networks as people drew them: the copies a block's calls made are left out (a network's optimizer trains the blocks it calls). */
export const drawnNetworks = (analysis: Pick<Analysis, 'blocks'>, networks: readonly string[]): string[] => networks.filter((id) => !analysis.blocks.instances.has(id));

/** Networks calling networks calling networks...: deeper than this is refused (every walk over calls stays shallow). */
export const MAX_NESTING = 32;

/**
 * Problems listed at most: of one kind at one node, and of one kind in the
 * whole graph. Past either, one problem more says how many were not listed,
 * so that a graph of thousands of calls of a network with thousands of
 * unconnected inputs reports a short list (and its export a short refusal)
 * instead of millions of lines.
 */
export const PROBLEM_LIMITS = { perNode: 10, perCode: 200 } as const;

const memo = new WeakMap<GraphDoc, Analysis>();

/**
 * The one analysis pass the editor, the compiler and the exporter share:
 * validates every node, edge, network, optimizer and the schedule, and infers
 * every port's shape in topological order. Memoised per document object, so
 * treat GraphDocs as immutable values.
 */
export function analyse(doc: GraphDoc): Analysis {
  let analysis = memo.get(doc);
  if (!analysis) {
    analysis = new Analyser(expandBlocks(doc)).run();
    memo.set(doc, analysis);
  }
  return analysis;
}

class Analyser {
  private problems: Problem[] = [];
  private signatures = new Map<string, NetworkSignature>();
  private networkNames = new Map<string, string>();
  /** What each network's outputs depend on, for calls of it. */
  private dependence = new Map<string, Signature>();
  /** Per network, its first layer whose gradient tfjs cannot differentiate again (none: its input gradient can be trained through). */
  private firstOrderOnly = new Map<string, string | undefined>();
  private ctx: GraphContext = { network: (id) => this.signatures.get(id) };
  /** Network bodies analysed so far (callee first), for what looks inside a call. */
  private scopes = new Map<string, Scope>();

  /** Problems listed so far, by kind and by kind at one node; and those past the limits, by kind. */
  private listed = new Map<string, number>();
  private unlisted = new Map<ProblemCode, { count: number; severity: Problem['severity']; nodes: Set<string> }>();

  private doc: GraphDoc;

  constructor(private expansion: BlockExpansion) {
    this.doc = expansion.doc;
    // Listed within the limits, as every other problem.
    for (const { code, message, fix, severity, ...where } of expansion.problems) this.report(code, message, fix, where, severity);
  }

  /** Whether a problem of this kind at this node would still be listed (else its message need not be written). */
  private room(code: ProblemCode, where: { network?: string; node?: string }): boolean {
    const atNode = where.node === undefined ? 0 : (this.listed.get(`${code}\u0000${where.network ?? ''}\u0000${where.node}`) ?? 0);
    return (this.listed.get(code) ?? 0) < PROBLEM_LIMITS.perCode && atNode < PROBLEM_LIMITS.perNode;
  }

  /** Counts `count` problems of a kind that are not listed. */
  private skip(code: ProblemCode, where: { network?: string; node?: string }, severity: Problem['severity'], count = 1) {
    const entry = this.unlisted.get(code) ?? { count: 0, severity, nodes: new Set<string>() };
    entry.count += count;
    if (severity === 'error') entry.severity = 'error';
    if (where.node !== undefined) entry.nodes.add(`${where.network ?? ''}\u0000${where.node}`);
    this.unlisted.set(code, entry);
  }

  private report(code: ProblemCode, message: string, fix: string, where: Omit<Problem, 'code' | 'message' | 'fix' | 'severity'>, severity: Problem['severity'] = 'error') {
    if (!this.room(code, where)) return this.skip(code, where, severity);
    this.listed.set(code, (this.listed.get(code) ?? 0) + 1);
    if (where.node !== undefined) {
      const key = `${code}\u0000${where.network ?? ''}\u0000${where.node}`;
      this.listed.set(key, (this.listed.get(key) ?? 0) + 1);
    }
    this.problems.push({ code, severity, message, fix, ...where });
  }

  /** One problem per kind that had problems past the limits: how many more there are. */
  private reportUnlisted() {
    for (const [code, { count, severity, nodes }] of this.unlisted) {
      const where = nodes.size ? ` at ${nodes.size} node${nodes.size === 1 ? '' : 's'}` : '';
      this.problems.push({
        code,
        severity,
        message: `${count} more problem${count === 1 ? '' : 's'} like the ${code} problems above${where}, not listed (at most ${PROBLEM_LIMITS.perNode} of a kind per node and ${PROBLEM_LIMITS.perCode} in all are)`,
        fix: 'Fix the problems listed; the rest are listed as these go.',
      });
    }
  }

  run(): Analysis {
    const networkOrder = this.orderNetworks();
    const networks = new Map<string, NetworkScope>();
    const byId = new Map(this.doc.networks.map((n) => [n.id, n]));
    for (const id of networkOrder) {
      const network = byId.get(id)!;
      const scope = this.analyseScope(network.nodes, network.edges, network);
      this.scopes.set(id, scope);
      const signature = this.signature(network, scope);
      this.signatures.set(id, signature);
      this.dependence.set(id, signatureOf(scope, (callee) => this.dependence.get(callee)));
      this.firstOrderOnly.set(id, this.firstOrderLayer(scope));
      networks.set(id, { ...scope, signature });
    }
    const main = this.analyseScope(this.doc.nodes, this.doc.edges, undefined);
    const optimizers = this.checkOptimizers(main, networks);
    this.checkSamplers(main, optimizers);
    this.nameLosses(main, optimizers);
    const losses = this.checkLosses(main, optimizers);
    const schedule = this.checkSchedule(main, optimizers);
    const previews = this.resolvePreviews(main);
    this.checkNames(main, schedule, optimizers);
    this.checkUnusedSources(main, networks, previews);
    this.checkNesting(networkOrder, networks);
    const { instances, views } = this.expansion;
    const memory = estimateMemory(main, networks, networkOrder.filter((id) => !views.has(id)), optimizers, this.doc.training.batchSize);
    if (memory.total > MEMORY_LIMIT_BYTES) {
      this.report(
        'memory-budget',
        `training this graph takes about ${formatBytes(memory.total)} (weights ${formatBytes(memory.weights)}, optimizer state ${formatBytes(memory.slots)}, a step's values, gradients and temporaries ${formatBytes(memory.step)} at batch ${this.doc.training.batchSize}); the limit is ${formatBytes(MEMORY_LIMIT_BYTES)}`,
        'Use smaller layers or a smaller batch size.',
        { field: 'training.batchSize' },
      );
    }
    this.labelPorts(main, networks);
    this.showAtCalls(networks);
    this.reportUnlisted();
    const errors = this.problems.filter((p) => p.severity === 'error');
    const trainedBy = lossesTrained(main, optimizers);
    return { doc: this.doc, blocks: { source: this.expansion.source, instances, views }, ok: errors.length === 0, problems: this.problems, errors, main, networks, networkOrder, optimizers, schedule, losses, trainedBy, previews, memory };
  }

  /** Every loss a step reports, and every monitor charted, has a name of its own: one would hide the other in logs, charts and the divergence check. */
  private checkNames(main: Scope, schedule: readonly { optimizer: string }[], optimizers: readonly OptimizerInfo[]) {
    const named = new Map<string, string>();
    const claim = (label: string, owner: string, node: string, what: string) => {
      const other = named.get(label);
      if (other !== undefined && other !== owner) {
        this.report('duplicate-name', `${what} "${label}" has the name of another loss or monitor: logs, charts and the divergence check would show only one`, 'Give each loss (and each node a monitor reads) its own label.', { node });
      } else named.set(label, owner);
    };
    for (const step of schedule) {
      const loss = optimizers.find((o) => o.node === step.optimizer)?.loss;
      if (loss) claim(nodeLabel(main.nodes.get(loss.node)!), `loss:${loss.node}`, loss.node, 'the loss');
    }
    for (const id of main.order) {
      const kind = main.nodes.get(id)!.kind;
      const monitor = kind?.role === 'op' ? kind.monitor : undefined;
      const ref = monitor && main.incoming.get(id)?.get(monitor.input);
      if (monitor && ref) claim(monitor.describe(nodeLabel(main.nodes.get(ref.node)!)), `monitor:${ref.node}:${ref.port}`, ref.node, 'the monitor');
    }
  }

  /**
   * An unlabelled call is called by its network applied to what it is given:
   * "D(X, Q(X))", an argument by its source's name (a call's own, a port of
   * a call with several outputs as "Q(X).mu"), "?" for an unconnected input.
   * Past NAME_LENGTH characters, the arguments read "…".
   */
  private nameCall(info: NodeInfo, incoming: ReadonlyMap<string, PortRef> | undefined, infos: ReadonlyMap<string, NodeInfo>, taken: Set<string>) {
    const network = callee(info);
    if (info.node.label || network === undefined) return;
    const title = this.networkNames.get(network) ?? network;
    const args = info.inputs.map((port) => {
      const ref = incoming?.get(port.id);
      const source = ref && infos.get(ref.node);
      if (!ref || !source) return '?';
      const several = callee(source) !== undefined && source.outputs.length > 1;
      return several ? `${nodeLabel(source)}.${source.outputs.find((p) => p.id === ref.port)?.label ?? ref.port}` : nodeLabel(source);
    });
    const full = `${title}(${args.join(', ')})`;
    const name = full.length <= NAME_LENGTH ? full : `${title}(…)`;
    // Two calls given the same values would read alike: number the second.
    let unique = name;
    for (let k = 2; taken.has(unique); k++) unique = `${name} #${k}`;
    taken.add(unique);
    info.name = unique;
  }

  /** An unlabelled loss that optimizers minimise is called by the networks it trains: "D loss", "Q+P loss". */
  private nameLosses(main: Scope, optimizers: readonly OptimizerInfo[]) {
    const taken = new Set([...main.nodes.values()].map(nodeLabel));
    // A loss several optimizers minimise trains all their networks.
    const trains = new Map<string, string[]>();
    for (const optimizer of optimizers) trains.set(optimizer.loss.node, [...new Set([...(trains.get(optimizer.loss.node) ?? []), ...optimizer.networks])]);
    for (const [node, networks] of trains) {
      const loss = main.nodes.get(node);
      if (!loss || loss.node.label || loss.name !== undefined || networks.length === 0) continue;
      const name = `${networks.map((id) => this.networkNames.get(id) ?? id).join('+')} loss`;
      // A name another node has would make two legends one: the id stays.
      if (taken.has(name)) continue;
      taken.add(name);
      loss.name = name;
    }
  }

  /** A source that feeds nothing is not drawn: say so. */
  private checkUnusedSources(main: Scope, networks: ReadonlyMap<string, Scope>, previews: ResolvedPreviews) {
    const previewed = new Set([previews.samples?.ref, previews.reconstructions?.ref, previews.reconstructions?.input].flatMap((ref) => (ref ? [ref.node] : [])));
    for (const [network, scope] of [[undefined, main] as const, ...[...networks].map(([id, s]) => [id, s] as const)]) {
      const fed = new Set([...scope.incoming.values()].flatMap((ports) => [...ports.values()].map((ref) => ref.node)));
      for (const info of scope.nodes.values()) {
        if (info.kind?.role !== 'source' || fed.has(info.node.id) || (network === undefined && previewed.has(info.node.id))) continue;
        this.report('unused-source', `${name(info)} feeds nothing, so it is not drawn`, 'Connect it to what should read it, or delete it.', { network, node: info.node.id }, 'warning');
      }
    }
  }

  /** Calls nest at most MAX_NESTING networks deep. */
  private checkNesting(order: readonly string[], networks: ReadonlyMap<string, Scope>) {
    const depth = new Map<string, number>();
    for (const id of order) {
      const scope = networks.get(id)!;
      const callees = [...scope.nodes.values()].map(callee).filter((c): c is string => c !== undefined);
      depth.set(id, 1 + Math.max(0, ...callees.map((c) => depth.get(c) ?? 0)));
      if (depth.get(id) === MAX_NESTING + 1) {
        this.report('network-nesting', `network ${this.networkNames.get(id)} calls networks ${MAX_NESTING} deep or more`, `Nest networks at most ${MAX_NESTING} deep.`, { network: id });
      }
    }
  }

  /** Names every reported port as its node shows it (a call's port by its network's input or output name). */
  private labelPorts(main: Scope, networks: ReadonlyMap<string, Scope>) {
    for (const problem of this.problems) {
      if (problem.port === undefined || problem.node === undefined) continue;
      const info = (problem.network === undefined ? main : networks.get(problem.network))?.nodes.get(problem.node);
      const port = info && (info.inputs.find((p) => p.id === problem.port) ?? info.outputs.find((p) => p.id === problem.port));
      if (port && port.label !== port.id) problem.portLabel = port.label;
    }
  }

  /**
   * A problem inside a call of a block is shown at that call in the graph as
   * it is edited, saying where inside the block and with which values;
   * unless the block seen on its own has it too, where it is the block's.
   */
  private showAtCalls(networks: ReadonlyMap<string, Scope>) {
    const { instances } = this.expansion;
    if (instances.size === 0) return;
    const key = (network: string | undefined, p: Problem) => [network, p.code, p.node, p.port, p.field, p.edge, p.message].join('\u0000');
    const own = new Set(this.problems.filter((p) => !instances.has(p.network!)).map((p) => key(p.network, p)));
    const seen = new Set<string>();
    this.problems = this.problems.flatMap((p) => {
      const instance = p.network === undefined ? undefined : instances.get(p.network);
      if (!instance) return [p];
      if (own.has(key(instance.block, p))) return [];
      const inside = p.node === undefined ? undefined : networks.get(p.network!)?.nodes.get(p.node);
      // Messages name the field in words; the node and port they sit at are said here.
      const at = [inside && `node ${nodeLabel(inside)}`, p.port !== undefined && `port ${p.portLabel ?? p.port}`].filter(Boolean).join(', ');
      const shown: Problem = { code: p.code, severity: p.severity, message: `${instance.where}${at ? `, ${at}` : ''}: ${p.message}`, fix: p.fix, node: instance.shownAt.node, ...(instance.shownAt.network !== undefined ? { network: instance.shownAt.network } : {}) };
      // Calls of one block given the same values go wrong alike: each call says it once.
      const once = key(shown.network, shown);
      if (seen.has(once)) return [];
      seen.add(once);
      return [shown];
    });
  }

  /** Orders networks callee-first; reports duplicate ids and recursive calls. */
  private orderNetworks(): string[] {
    const ids: string[] = [];
    for (const network of this.doc.networks) {
      if (this.networkNames.has(network.id)) {
        this.report('duplicate-id', `two networks have the id "${network.id}"`, 'Give every network its own id.', { network: network.id });
        continue;
      }
      // A call of a block is titled by the block.
      const instance = this.expansion.instances.get(network.id);
      this.networkNames.set(network.id, instance ? this.doc.networks.find((n) => n.id === instance.block)!.name : network.name);
      ids.push(network.id);
    }
    const known = new Set(ids);
    const calls: [string, string][] = [];
    const byId = new Map(this.doc.networks.map((n) => [n.id, n]));
    for (const id of ids) {
      const network = byId.get(id)!;
      for (const node of network.nodes) {
        const callee = calleeOf(node);
        if (callee !== undefined && known.has(callee)) calls.push([callee, id]);
      }
    }
    const sorted = toposort(ids, calls);
    if (sorted.order) return sorted.order;
    const names = sorted.cycle.map((id) => this.networkNames.get(id)).join(' -> ');
    this.report('network-recursion', `networks call each other in a loop: ${names} -> ${this.networkNames.get(sorted.cycle[0]!)}`, 'Remove one of these calls; a network cannot contain itself.', {
      network: sorted.cycle[0],
    });
    return ids.filter((id) => !sorted.cycle.includes(id));
  }

  /** The first layer of a scope (or of a network it calls) that is not known to be twice differentiable, named for a message. */
  private firstOrderLayer(scope: Scope): string | undefined {
    for (const info of scope.nodes.values()) {
      const { kind, params } = info;
      if (!kind || params === undefined) continue;
      if (kind.role === 'op' && !kind.twiceDifferentiable?.(params)) return `layer ${nodeLabel(info)} (${kind.title})`;
      if (kind.role === 'call') {
        const inner = this.firstOrderOnly.get(kind.network(params));
        if (inner) return inner;
      }
    }
    return undefined;
  }

  private signature(network: Network, scope: Scope): NetworkSignature {
    const inputs: NetworkSignature['inputs'][number][] = [];
    const outputs: NetworkSignature['outputs'][number][] = [];
    for (const info of scope.nodes.values()) {
      const kind = info.kind;
      if (kind?.role === 'network-input' && info.params !== undefined) inputs.push({ port: info.node.id, label: nodeLabel(info), shape: info.outShapes[kind.port]! });
      if (kind?.role === 'network-output') {
        const source = scope.incoming.get(info.node.id)?.get(kind.port);
        const bounds = source && scope.nodes.get(source.node)?.outBounds[source.port];
        outputs.push({ port: info.node.id, label: nodeLabel(info), shape: info.inShapes[kind.port], bounds });
      }
    }
    if (outputs.length === 0) {
      this.report('network-without-outputs', `network ${network.name} has no output`, 'Add a network output node and connect the result to it.', { network: network.id });
    }
    return { id: network.id, name: this.networkNames.get(network.id) ?? network.name, inputs, outputs };
  }

  private analyseScope(nodes: readonly GraphNode[], edges: readonly Edge[], network: Network | undefined): Scope {
    const where = { network: network?.id };
    const infos = new Map<string, NodeInfo>();
    for (const node of nodes) {
      if (infos.has(node.id)) {
        this.report('duplicate-id', `two nodes have the id "${node.id}"`, 'Give every node its own id.', { ...where, node: node.id });
        continue;
      }
      infos.set(node.id, this.describeNode(node, network));
    }

    const incoming = new Map<string, Map<string, PortRef>>();
    const links: [string, string][] = [];
    for (const edge of edges) {
      const from = infos.get(edge.source.node);
      const to = infos.get(edge.target.node);
      const at = { ...where, edge: edge.id };
      if (!from || !to) {
        const missing = !from ? edge.source.node : edge.target.node;
        this.report('unknown-node', `edge ${edge.id} connects node "${missing}", which does not exist`, 'Delete the edge.', at);
        continue;
      }
      if (from.kind && !hasPort(from.outputs, edge.source.port)) {
        this.report('unknown-port', `${name(from)} has no output "${edge.source.port}"`, `Connect one of: ${portList(from.outputs)}.`, { ...at, node: from.node.id, port: edge.source.port });
        continue;
      }
      if (to.kind && !hasPort(to.inputs, edge.target.port)) {
        this.report('unknown-port', `${name(to)} has no input "${edge.target.port}"`, `Connect one of: ${portList(to.inputs)}.`, { ...at, node: to.node.id, port: edge.target.port });
        continue;
      }
      const ports = incoming.get(to.node.id) ?? new Map<string, PortRef>();
      if (ports.has(edge.target.port)) {
        this.report('extra-connection', `input "${edge.target.port}" of ${name(to)} already has a connection`, 'An input takes one connection: delete one of them.', { ...at, node: to.node.id, port: edge.target.port });
        continue;
      }
      ports.set(edge.target.port, edge.source);
      incoming.set(to.node.id, ports);
      links.push([from.node.id, to.node.id]);
    }

    const sorted = toposort([...infos.keys()], links);
    if (!sorted.order) {
      const names = sorted.cycle.map((id) => name(infos.get(id)!));
      this.report('cycle', `these nodes form a cycle: ${names.join(' -> ')} -> ${names[0]}`, 'Remove one of the connections in the loop.', { ...where, node: sorted.cycle[0] });
    }
    const order = sorted.order ?? [...infos.keys()];
    const inCycle = new Set(sorted.cycle ?? []);
    const names = new Set([...infos.values()].map((info) => info.node.label || info.node.id));
    for (const id of order) {
      if (inCycle.has(id)) continue;
      // Named before it is inferred (its sources come first), so that its own problems use the name.
      this.nameCall(infos.get(id)!, incoming.get(id), infos, names);
      this.inferNode(infos.get(id)!, incoming.get(id), infos, where);
    }
    return { network: network?.id, nodes: infos, order, incoming };
  }

  private describeNode(node: GraphNode, network: Network | undefined): NodeInfo {
    const where = { network: network?.id, node: node.id };
    const info: NodeInfo = { node, kind: getKind(node.kind), params: undefined, inputs: [], outputs: [], inShapes: {}, outShapes: {}, outBounds: {} };
    const kind = info.kind;
    if (!kind) {
      this.report('unknown-kind', `unknown node kind "${node.kind}"`, 'Delete the node or replace it with a kind from the palette.', where);
      return info;
    }
    const placement = misplacement(kind, network !== undefined);
    if (placement) this.report('misplaced-node', `${name(info)}: ${placement}`, network ? 'Move it to the main graph.' : 'Move it inside a network.', where);
    // Each field in error is reported once, in words; the others keep their values and the wrong ones their
    // defaults meanwhile, so the node keeps its ports and its neighbours their shapes.
    const reading = readParams(kind, node.params);
    for (const [field, message] of reading.issues) {
      this.report('invalid-params', `${name(info)}: ${message}`, 'Correct the value in the inspector.', { ...where, field: field || undefined });
    }
    if (reading.fallback === undefined) return info;
    const params = reading.fallback;
    if (reading.parsed === undefined) info.invalid = true;
    info.params = params;
    info.inputs = kind.inputs(params, this.ctx);
    info.outputs = kind.outputs(params, this.ctx);
    if (kind.role === 'call' && !this.signatures.has(kind.network(params))) {
      const id = kind.network(params);
      const why = this.networkNames.has(id) ? 'is part of a recursive loop' : 'does not exist';
      this.report('unknown-network', `${name(info)} calls network "${id}", which ${why}`, 'Pick an existing network.', { ...where, field: 'network' });
      info.params = undefined;
    } else if (kind.role === 'call' && kind.inputGradient(params) !== undefined) {
      // A gradient needs a path from the first input to the first output.
      const signature = this.signatures.get(kind.network(params))!;
      const [input, output] = [signature.inputs[0], signature.outputs[0]];
      const blocker = this.firstOrderOnly.get(signature.id);
      if (blocker) {
        this.report('invalid-params', `${name(info)}: ${signature.name}'s ${blocker} has no second derivative in tfjs, so its input gradient cannot be trained through`, 'Use dense layers with relu, sigmoid or tanh in this network, or turn off "input gradient".', { ...where, field: 'inputGradient' });
        info.params = undefined;
      } else if (input && output && !this.dependence.get(signature.id)?.get(output.port)?.inputs.has(input.port)) {
        this.report(
          'invalid-params',
          `${name(info)}: ${signature.name}'s output "${output.label}" does not depend on its input "${input.label}", so it has no input gradient`,
          `Turn off "input gradient", or connect "${input.label}" to "${output.label}" inside ${signature.name}.`,
          { ...where, field: 'inputGradient' },
        );
        info.params = undefined;
      }
    }
    if (kind.role === 'op' && kind.weights && !network) {
      this.report('weights-outside-network', `${name(info)} has weights but is not inside a network, so no optimizer can train it`, 'Select it with its neighbours and create a network from the selection.', where);
    }
    return info;
  }

  private inferNode(info: NodeInfo, incoming: Map<string, PortRef> | undefined, infos: Map<string, NodeInfo>, where: { network?: string }) {
    const { kind, params } = info;
    if (!kind || params === undefined) return;
    const at = { ...where, node: info.node.id };
    let upstreamBroken = false;
    const inBounds: Record<string, Bounds | undefined> = {};
    // Inputs without a connection are counted, not walked, past what is listed: a call of a network with thousands of inputs stays cheap.
    const missing = info.inputs.length - (incoming?.size ?? 0);
    let reported = 0;
    for (const input of info.inputs) {
      const source = incoming?.get(input.id);
      if (!source) {
        upstreamBroken = true;
        if (!this.room('missing-connection', at)) break;
        this.report('missing-connection', `${name(info)}: input "${input.label}" is not connected`, input.fix ?? `Connect a tensor to "${input.label}".`, { ...at, port: input.id });
        reported += 1;
        continue;
      }
      const from = infos.get(source.node);
      const shape = from && own(from.outShapes, source.port);
      if (shape) put(info.inShapes, input.id, shape);
      else upstreamBroken = true; // the upstream node already reported why
      put(inBounds, input.id, from && own(from.outBounds, source.port));
    }
    if (missing > reported) this.skip('missing-connection', at, 'error', missing - reported);
    if (upstreamBroken) return;
    try {
      const outShapes = kind.inferShape(params, info.inShapes, this.ctx);
      const empty = Object.entries(outShapes).find(([, shape]) => shape.some((d) => d !== null && !(d >= 1)));
      if (empty) {
        if (!info.invalid) {
          this.report(
            'shape-mismatch',
            `${name(info)}: output "${empty[0]}" would be ${formatShape(empty[1])}: every dimension must be at least 1`,
            'Its window is larger than its input: use SAME padding, a smaller kernel or pool, or a larger input.',
            { ...at, port: info.inputs[0]?.id },
          );
        }
        return;
      }
      info.outShapes = outShapes;
      info.outBounds = this.bounds(info, inBounds);
      for (const [port, need] of Object.entries(kind.role === 'op' ? (kind.requires ?? {}) : {})) {
        const source = incoming?.get(port);
        if (!source || within(inBounds[port], need.bounds)) continue;
        this.reportOutOfRange(info, port, need, inBounds[port], this.producer(source, infos, at.network), at);
      }
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      // With defaults standing in for invalid params, a shape problem is not the user's: the invalid value is.
      if (info.invalid) return;
      const port = e.port ? info.inputs.find((p) => p.id === e.port) : undefined;
      const got = port && info.inShapes[port.id] ? ` (input is ${formatShape(info.inShapes[port.id]!)})` : '';
      this.report('shape-mismatch', `${name(info)}: ${e.message}`, e.fix ?? `Check what feeds ${port ? `"${port.label}"` : 'this node'}${got}.`, { ...at, port: e.port });
    }
  }

  /**
   * An input that needs bounds its value may leave, said in words with the
   * fix: the layer that makes the value (inside the network, for a call's
   * output) and the change of its params that confines it, or the kind's
   * other way.
   */
  private reportOutOfRange(info: NodeInfo, port: string, need: { bounds: Bounds; what: string; otherwise: string }, got: Bounds | undefined, maker: Producer | undefined, at: { network?: string; node: string }) {
    const label = info.inputs.find((p) => p.id === port)?.label ?? port;
    const wanted = boundsInWords(need.bounds);
    const inside = maker?.network !== undefined && maker.network !== at.network ? ` (in ${this.networkNames.get(maker.network) ?? maker.network})` : '';
    const layer = maker ? `${nodeLabel(maker.info)}${inside}` : 'what feeds it';
    const values = got === undefined ? `nothing keeps the values of ${layer} ${wanted}` : `the values of ${layer} are ${boundsInWords(got)}`;
    const kind = maker?.info.kind;
    const change = kind?.role === 'op' && maker!.info.params !== undefined ? kind.confine?.(maker!.info.params, need.bounds) : undefined;
    const fix = change ? `Set ${nodeLabel(maker!.info)}'s ${change.replace(/^its /, '')}${inside}` : `Feed it values ${wanted}`;
    this.report('out-of-range', `${name(info)}: "${label}" takes ${need.what} ${wanted}, but ${values}`, `${fix}, or ${need.otherwise}.`, { ...at, port });
  }

  /** The node that makes a value: the layer behind a call's output, however deep the calls nest. */
  private producer(ref: PortRef, infos: ReadonlyMap<string, NodeInfo>, network: string | undefined, depth = 0): Producer | undefined {
    const info = infos.get(ref.node);
    if (!info) return undefined;
    const called = callee(info);
    const scope = called === undefined ? undefined : this.scopes.get(called);
    const end = scope?.nodes.get(ref.port);
    if (scope && end?.kind?.role === 'network-output' && depth < MAX_NESTING) {
      const inner = scope.incoming.get(ref.port)?.get(end.kind.port);
      if (inner) return this.producer(inner, scope.nodes, called, depth + 1) ?? { info, network };
    }
    return { info, network };
  }

  /** What values a node's outputs take, from its kind (a call: its network's outputs). */
  private bounds(info: NodeInfo, inputs: Record<string, Bounds | undefined>): Record<string, Bounds | undefined> {
    const kind = info.kind!;
    switch (kind.role) {
      case 'op':
        return kind.bounds?.(info.params, inputs) ?? {};
      case 'source':
        return kind.bounds?.(info.params) ?? {};
      case 'call':
        return Object.fromEntries((this.signatures.get(kind.network(info.params))?.outputs ?? []).map((o) => [o.port, o.bounds]));
      default:
        return {};
    }
  }

  private checkOptimizers(main: Scope, networks: Map<string, Scope>): OptimizerInfo[] {
    const optimizers: OptimizerInfo[] = [];
    const trainedBy = new Map<string, string>();
    for (const id of main.order) {
      const info = main.nodes.get(id)!;
      if (info.kind?.role !== 'optimizer' || info.params === undefined) continue;
      const loss = main.incoming.get(id)?.get(info.kind.lossPort);
      const at = { node: id };
      // The networks as the optimizer names them; each with the copies of blocks it trains (lib/graph/blocks.ts).
      const groups = this.trainedGroups(info.kind.networks(info.params));
      const named = [...groups.keys()];
      if (named.length === 0) {
        this.report('optimizer-without-networks', `${name(info)} updates no network`, 'Choose the networks whose weights it trains.', { ...at, field: 'networks' });
      }
      const valid = named.filter((network) => {
        if (networks.has(network)) return true;
        this.report('unknown-network', `${name(info)} updates network "${network}", which does not exist`, 'Remove it from the list or create the network.', { ...at, field: 'networks' });
        return false;
      });
      for (const network of valid) {
        const other = trainedBy.get(network);
        if (other) {
          this.report('network-trained-twice', `${this.networkNames.get(network)} is updated by both ${name(main.nodes.get(other)!)} and ${name(info)}`, 'Usually each network has one optimizer; remove it from one of them if that is not intended.', at, 'warning');
        }
        trainedBy.set(network, id);
      }
      if (!loss) continue; // missing-connection already reported
      // An optimizer follows gradients to weights: the ones its loss is computed from.
      const weights = dependenceOf(main, loss, (callee) => this.dependence.get(callee)).weights;
      let reached: Set<string> | undefined;
      for (const network of valid) {
        if (groups.get(network)!.some((trained) => weights.has(trained))) continue;
        reached ??= this.networksReaching(main, networks, loss.node);
        const title = this.networkNames.get(network);
        const where = { ...at, field: 'networks' };
        if (!ownsWeights(networks.get(network)!)) {
          this.report('optimizer-unreachable', `${name(info)} updates ${title}, which has no weights of its own`, `Remove it from this optimizer (the networks it calls are updated by naming them), or give it a layer with weights.`, where);
        } else if (reached.has(network)) {
          this.report('optimizer-unreachable', `${name(info)} updates ${title}, but its loss depends on none of ${title}'s weights`, `Connect ${title}'s layers with weights to the output the loss reads, or remove it from this optimizer.`, where);
        } else {
          this.report('optimizer-unreachable', `${name(info)} updates ${title}, but its loss does not depend on ${title}`, `Call ${title} on the way to the loss, or remove it from this optimizer.`, where);
        }
      }
      optimizers.push({ node: id, kind: info.kind, params: info.params, loss, networks: [...new Set(valid.flatMap((network) => groups.get(network)!))] });
    }
    return optimizers;
  }

  /**
   * The networks an optimizer names as drawn, each with what it trains once
   * blocks are copies: itself and the copies made inside it; for a block,
   * every call of it (a copy each) and the copies inside them.
   */
  private trainedGroups(named: readonly string[]): Map<string, string[]> {
    const { instances, views } = this.expansion;
    // The copies in each scope and each block's calls (not those inside a block seen on its own), indexed once.
    const inside = new Map<string | undefined, string[]>();
    const calls = new Map<string, string[]>();
    const add = <K>(index: Map<K, string[]>, key: K, copy: string) => (index.get(key) ?? index.set(key, []).get(key)!).push(copy);
    for (const [copy, { owner, block, view }] of instances) {
      add(inside, owner, copy);
      if (!view) add(calls, block, copy);
    }
    const withCopiesInside = (network: string): string[] => [network, ...(inside.get(network) ?? []).flatMap(withCopiesInside)];
    return new Map(named.map((network) => [network, (views.has(network) ? (calls.get(network) ?? []) : [network]).flatMap(withCopiesInside)]));
  }

  /**
   * A sampler generates in evaluations (grids, scores, samples): no loss may
   * read what it generates, which carries no gradient and would run the
   * whole sampling loop in every training step.
   */
  private checkSamplers(main: Scope, optimizers: readonly OptimizerInfo[]) {
    const reported = new Set<string>();
    for (const optimizer of optimizers) {
      for (const id of upstream(main, [optimizer.loss.node])) {
        const info = main.nodes.get(id)!;
        if (info.kind?.role !== 'sampler' || reported.has(id)) continue;
        reported.add(id);
        this.report(
          'sampler-in-training',
          `${name(info)} generates for previews, scores and samples, but ${name(main.nodes.get(optimizer.node)!)}'s loss reads what it generates`,
          'Train on data or on a network\'s output; show the sampler\'s output in the sample grid instead.',
          { node: id },
        );
      }
    }
  }

  /** Networks called (directly or through other networks) upstream of a node. */
  private networksReaching(main: Scope, networks: Map<string, Scope>, nodeId: string): Set<string> {
    const calledFrom = (scope: Scope, nodes: Iterable<string>) => [...nodes].map((id) => callee(scope.nodes.get(id))).filter((id): id is string => id !== undefined && networks.has(id));
    const bodies = (id: string) => calledFrom(networks.get(id)!, networks.get(id)!.nodes.keys());
    return reach(calledFrom(main, upstream(main, [nodeId])), bodies);
  }

  private checkLosses(main: Scope, optimizers: OptimizerInfo[]): string[] {
    const losses = main.order.filter((id) => isLoss(main.nodes.get(id)!.kind));
    const consumed = new Set<string>();
    for (const ports of main.incoming.values()) for (const source of ports.values()) consumed.add(source.node);
    for (const id of losses) {
      if (!consumed.has(id)) {
        this.report('unused-loss', `${name(main.nodes.get(id)!)} is not used by any optimizer`, 'Connect it to an optimizer\'s loss input (or to a weighted sum that one uses).', { node: id }, 'warning');
      }
    }
    if (optimizers.length === 0 && losses.length > 0) {
      this.report('unused-loss', 'the graph has losses but no optimizer, so nothing trains', 'Add an optimizer node and connect a loss to it.', {}, 'warning');
    }
    return losses;
  }

  private checkSchedule(main: Scope, optimizers: OptimizerInfo[]): { optimizer: string; repeat: number }[] {
    const steps = this.doc.training.schedule;
    steps.forEach((step, i) => {
      const info = main.nodes.get(step.optimizer);
      const field = `training.schedule[${i}].optimizer`;
      if (!info) this.report('invalid-schedule', `schedule step ${i + 1} runs "${step.optimizer}", which is not a node of the main graph`, 'Pick one of the optimizer nodes.', { field });
      else if (info.kind?.role !== 'optimizer') this.report('invalid-schedule', `schedule step ${i + 1} runs ${name(info)}, which is not an optimizer`, 'Pick one of the optimizer nodes.', { field, node: info.node.id });
    });
    for (const o of optimizers) {
      if (!steps.some((s) => s.optimizer === o.node)) {
        this.report('invalid-schedule', `${name(main.nodes.get(o.node)!)} is not in the training schedule, so it never steps`, 'Add it to the schedule.', { node: o.node, field: 'training.schedule' }, 'warning');
      }
    }
    return steps.filter((s) => optimizers.some((o) => o.node === s.optimizer));
  }

  /** The previews the document names (checked), or those proposed from the graph where it names none. */
  private resolvePreviews(main: Scope): ResolvedPreviews {
    const { samples, reconstructions } = this.doc.training.previews;
    const images = dataImages(main);
    const candidates = previewCandidates(main, nodeLabel, images);
    const resolved: ResolvedPreviews = { candidates };
    if (samples === undefined) {
      const proposal = propose(candidates, (c) => c.generated);
      if (proposal) resolved.samples = { ref: proposal.ref, range: proposal.range, proposed: true, image: proposal.image };
    } else if (samples !== 'none') {
      const image = this.checkPreview(main, images, samples, 'samples');
      if (image) resolved.samples = { ref: { node: samples.node, port: samples.port }, range: samples.range, proposed: false, image };
    }
    if (reconstructions === undefined) {
      const proposal = propose(candidates, (c) => c.input !== undefined && !c.generated);
      if (proposal) resolved.reconstructions = { ref: proposal.ref, range: proposal.range, input: proposal.input!, proposed: true, image: proposal.image };
    } else if (reconstructions !== 'none') {
      const output = this.checkPreview(main, images, reconstructions, 'reconstructions');
      const input = this.checkPreview(main, images, reconstructions.input, 'reconstructions.input');
      const same = output && input && output.height === input.height && output.width === input.width && output.channels === input.channels;
      if (output && input && !same) {
        this.report(
          'invalid-preview',
          `the reconstructions preview shows ${output.height}x${output.width}x${output.channels} images beside ${input.height}x${input.width}x${input.channels} inputs: each reconstruction is drawn beside its input, so both must be the same size`,
          'Preview the decoder\'s output beside the images that were encoded.',
          { node: reconstructions.node, port: reconstructions.port, field: 'training.previews.reconstructions' },
        );
      }
      if (output && input && same) resolved.reconstructions = { ref: { node: reconstructions.node, port: reconstructions.port }, range: reconstructions.range, input: reconstructions.input, proposed: false, image: output };
    }
    return resolved;
  }

  /** How a port the document names is shown as a grid, or undefined (reporting why) when it cannot be. */
  private checkPreview(main: Scope, images: ReadonlyMap<number, ImageShape>, ref: PortRef, field: string): ImageShape | undefined {
    const info = main.nodes.get(ref.node);
    if (!info) {
      this.report('invalid-preview', `the ${field} preview shows node "${ref.node}", which is not in the main graph`, 'Pick another port to preview.', { field: `training.previews.${field}` });
      return undefined;
    }
    if (info.kind && info.params !== undefined && !info.outputs.some((p) => p.id === ref.port)) {
      this.report('invalid-preview', `the ${field} preview shows port "${ref.port}" of ${name(info)}, which has no such output`, `Pick one of: ${portList(info.outputs)}.`, { node: info.node.id, field: `training.previews.${field}` });
      return undefined;
    }
    const shape = own(info.outShapes, ref.port);
    // Shapes unknown while the node has other errors: nothing more to say here.
    if (!shape) return undefined;
    const image = imageOf(shape, images);
    if (!image) {
      const sizes = [...images.values()].map((i) => `${i.height}x${i.width}x${i.channels}`);
      this.report(
        'invalid-preview',
        `the ${field} preview shows port "${ref.port}" of ${name(info)}, shaped ${formatShape(shape)}: a grid needs a batch of images (${sizes.length ? `the data's ${sizes.join(' or ')}, or ` : ''}square single-channel: [b, n²] or [b, h, h, 1])`,
        "Preview a port that holds images, such as a generator's output.",
        { node: info.node.id, port: ref.port, field: `training.previews.${field}` },
      );
    }
    return image;
  }
}

/**
 * Ports by name, where the name comes from the document (a call's ports are
 * node ids, an edge may name any port of a node of unknown kind): `__proto__`
 * or `constructor` must be entries like any other, never Object.prototype's.
 */
const own = <T>(record: Readonly<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(record, key) ? record[key] : undefined);
const put = <T>(record: Record<string, T>, key: string, value: T) => {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
};

/** What people call a node: its label, else the name the graph gives it (see NodeInfo.name), else its id. */
export const nodeLabel = (info: NodeInfo): string => info.node.label || info.name || info.node.id;

/** The node that makes a value, and the network it lives in (undefined: the main graph). */
interface Producer {
  info: NodeInfo;
  network: string | undefined;
}

/** A derived call name longer than this drops its arguments: "D(…)". */
const NAME_LENGTH = 48;


function name(info: NodeInfo): string {
  const label = nodeLabel(info);
  return info.kind ? `${info.kind.title} "${label}"` : `"${label}"`;
}

const portIds = new WeakMap<readonly PortSpec[], Set<string>>();
/** Whether a port list has this id: a set per list, so that a node with thousands of ports is not searched once per edge. */
function hasPort(ports: readonly PortSpec[], id: string): boolean {
  let ids = portIds.get(ports);
  if (!ids) portIds.set(ports, (ids = new Set(ports.map((p) => p.id))));
  return ids.has(id);
}

function portList(ports: readonly PortSpec[]): string {
  return ports.length ? ports.map((p) => `"${p.id}"`).join(', ') : 'none';
}

/** Where a kind may live, as it declares (network inputs and outputs inside networks; losses and optimizers in the main graph). */
function misplacement(kind: NodeKind, insideNetwork: boolean): string | undefined {
  if (!insideNetwork && kind.placement === 'network') return `${kind.title} nodes belong inside a network`;
  if (insideNetwork && kind.placement === 'main') return `${kind.title} nodes belong in the main graph`;
  return undefined;
}

/** Whether any layer of a network body has weights (calls do not count: the networks they call own theirs). */
function ownsWeights(scope: Scope): boolean {
  return [...scope.nodes.values()].some((info) => info.kind?.role === 'op' && info.kind.weights !== undefined && info.params !== undefined);
}

/** The network a call node applies, when it is a call with valid params. */
export function callee(info: NodeInfo | undefined): string | undefined {
  return info?.kind?.role === 'call' && info.params !== undefined ? info.kind.network(info.params) : undefined;
}

/** The same for a node not analysed yet (ordering networks comes first). */
function calleeOf(node: GraphNode): string | undefined {
  const kind = getKind(node.kind);
  if (kind?.role !== 'call') return undefined;
  const params = kind.params.safeParse(node.params);
  return params.success ? kind.network(params.data) : undefined;
}

/** For each loss node, the networks whose optimizer minimises it: walking from each optimizer's loss through the losses that feed it. */
function lossesTrained(main: Scope, optimizers: readonly OptimizerInfo[]): Map<string, string[]> {
  const trained = new Map<string, string[]>();
  for (const optimizer of optimizers) {
    const losses = upstream(main, [optimizer.loss.node], (id) => isLoss(main.nodes.get(id)?.kind));
    for (const id of losses) {
      if (!isLoss(main.nodes.get(id)?.kind)) continue;
      trained.set(id, [...new Set([...(trained.get(id) ?? []), ...optimizer.networks])]);
    }
  }
  return trained;
}
