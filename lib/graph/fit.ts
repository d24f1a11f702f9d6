import type { NodeKind } from '../kinds/kind';
import { formatShape, sameShape, type Shape } from '../kinds/shape';
import { analyse, type Analysis, type NodeInfo, type Scope } from './analyse';
import { isParamRef, type BlockInstance, type ParamRef } from './blocks';
import { scopeGraph, updateNode } from './edit';
import type { GraphDoc, PortRef } from './schema';

/**
 * Fits a graph to the data it reads: after a Dataset node takes data of
 * another size (32x32x3 where the graph was drawn for 28x28x1), the layers
 * whose sizes are tied to the data's take the new sizes, so that the graph
 * trains without hand surgery.
 *
 * Shapes are tied where the analysis says they must agree: a network's input
 * and the values its calls pass it (D takes x and G(z)), and the inputs a
 * kind declares of one shape (a reconstruction loss's prediction and target).
 * Where they differ, each shape among them is tried: the values that do not
 * have it are asked to produce it, walking back through the nodes that feed
 * them (each kind's `refit` says which params and input shapes give an output
 * shape; calls lead into their network, a network's input to its callers).
 * A dataset cannot change, so the data's shape is the one that can be
 * reached; of several that can, the one that changes fewest params. Then
 * analysis runs again on the edited graph (the layers downstream follow by
 * themselves), until every such agreement holds or none can be reached.
 * A node is edited in at most one round, so fitting always ends.
 *
 * Given the graph as it was before its data changed, a node that no longer
 * takes its input is fitted too where its output had the old data's shape
 * (flat or as images): it takes the new data's (a reshape of the flat images
 * into 28x28x1 reshapes them into 32x32x3).
 *
 * A graph that already agrees with its data is returned as it is: fitting a
 * template to MNIST changes nothing.
 */

/** One param the fit changed. */
export interface FitChange {
  /** The network the node is in; undefined: the main graph. */
  network?: string;
  /** The node changed; absent: a training setting (`field` is then `training.<name>`). */
  node?: string;
  field: string;
  from: unknown;
  to: unknown;
}

export interface Fitted {
  doc: GraphDoc;
  changes: FitChange[];
}

type Where = string | undefined;

/** A value in the graph: an output port, in the main graph or a network. */
interface Value {
  where: Where;
  ref: PortRef;
}

/** A call of a network: in which scope, which node. */
interface CallSite {
  where: Where;
  node: string;
}

/** Fits `doc` to the data it reads; `before`: the same graph before its data changed, if known. */
export function fitToData(doc: GraphDoc, before?: GraphDoc): Fitted {
  const changes: FitChange[] = [];
  const frozen = new Set<string>();
  const nodes = doc.nodes.length + doc.networks.reduce((n, network) => n + network.nodes.length, 0);
  const old = before && { analysis: analyse(before), forms: dataForms(analyse(before), analyse(doc)) };
  let current = doc;
  // Every round edits at least one node not edited before.
  for (let round = 0; round <= nodes; round++) {
    const analysis = analyse(current);
    const plan = firstFix(analysis, frozen) ?? (old?.forms.size ? firstStale(analysis, old.analysis, old.forms, frozen) : undefined);
    if (!plan) break;
    for (const { where, info, params } of plan.edits.values()) {
      const was = info.params as Record<string, unknown>;
      for (const [field, to] of Object.entries(params)) changes.push({ ...(where === undefined ? {} : { network: where }), node: info.node.id, field, from: was[field], to });
      // The node as drawn: a call of a block, analysed, calls a copy of it.
      const drawn = scopeGraph(current, where ?? null).nodes.find((n) => n.id === info.node.id)!;
      current = updateNode(current, where ?? null, info.node.id, { params: { ...drawn.params, ...params } });
      frozen.add(nodeKey(where, info.node.id));
    }
  }
  return fitBatch(current, changes);
}

/**
 * Larger data takes more memory per row: where the fitted graph would pass
 * the memory budget at its batch size, the batch halves until it fits.
 */
function fitBatch(doc: GraphDoc, changes: FitChange[]): Fitted {
  const from = doc.training.batchSize;
  let current = doc;
  while (current.training.batchSize > 1 && analyse(current).problems.some((p) => p.code === 'memory-budget')) {
    current = { ...current, training: { ...current.training, batchSize: Math.floor(current.training.batchSize / 2) } };
  }
  if (current.training.batchSize === from) return { doc: current, changes };
  return { doc: current, changes: [...changes, { field: 'training.batchSize', from, to: current.training.batchSize }] };
}

/** "D / x: shape [784] -> [3072]": a change as people read it, by network name and node label. */
export function formatFitChange(doc: GraphDoc, change: FitChange): string {
  const network = change.network === undefined ? undefined : doc.networks.find((n) => n.id === change.network);
  const nodes = network ? network.nodes : doc.nodes;
  if (change.node === undefined) return `${change.field} ${formatValue(change.from)} -> ${formatValue(change.to)}`;
  const node = nodes.find((n) => n.id === change.node);
  const where = `${network ? `${network.name} / ` : ''}${node?.label || change.node}`;
  return `${where}: ${change.field} ${formatValue(change.from)} -> ${formatValue(change.to)}`;
}

const formatValue = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.join(', ')}]`
    : typeof value === 'object' && value !== null
      ? `(${Object.entries(value)
          .map(([key, v]) => `${key} ${formatValue(v)}`)
          .join(', ')})`
      : String(value);

/** The cheapest way to make the first unmet agreement hold (in analysis order), or undefined when none can be. */
function firstFix(analysis: Analysis, frozen: ReadonlySet<string>): Planner | undefined {
  const calls = callSites(analysis);
  for (const values of agreements(analysis, calls)) {
    const shapes = values.map((v) => shapeOf(analysis, v));
    // A value without a shape has problems upstream: those come first.
    if (!shapes.every((s): s is Shape => s !== undefined)) continue;
    const candidates = shapes.filter((s, i) => shapes.findIndex((t) => sameShape(s, t)) === i);
    if (candidates.length < 2) continue;
    let best: Planner | undefined;
    for (const wanted of candidates) {
      const planner = new Planner(analysis, calls, frozen);
      if (values.every((v) => planner.want(v, wanted)) && planner.cost > 0 && (!best || planner.cost < best.cost)) best = planner;
    }
    if (best) return best;
  }
  return undefined;
}

/** A node that no longer takes its inputs, whose output had the old data's shape: it takes the new data's. */
function firstStale(analysis: Analysis, before: Analysis, forms: ReadonlyMap<string, Shape>, frozen: ReadonlySet<string>): Planner | undefined {
  const calls = callSites(analysis);
  for (const scope of scopes(analysis)) {
    for (const id of scope.order) {
      const info = scope.nodes.get(id)!;
      const known = info.params !== undefined && Object.keys(info.outShapes).length === 0 && info.inputs.every((p) => Object.hasOwn(info.inShapes, p.id));
      const was = known ? scopeOf(before, scope.network)?.nodes.get(id) : undefined;
      if (!was || was.kind !== info.kind) continue;
      for (const [port, shape] of Object.entries(was.outShapes)) {
        const wanted = forms.get(formatShape(shape));
        if (!wanted) continue;
        const planner = new Planner(analysis, calls, frozen);
        if (planner.want({ where: scope.network, ref: { node: id, port } }, wanted) && planner.cost > 0) return planner;
      }
    }
  }
  return undefined;
}

/** The data's old shapes, flat and as images, each with the new one of the same layout, for every source that reads other data now. */
function dataForms(before: Analysis, after: Analysis): Map<string, Shape> {
  const forms = new Map<string, Shape>();
  for (const scope of scopes(after)) {
    for (const info of scope.nodes.values()) {
      const { kind, params } = info;
      const was = scopeOf(before, scope.network)?.nodes.get(info.node.id);
      if (kind?.role !== 'source' || !kind.imageShape || params === undefined || was?.kind !== kind || was.params === undefined) continue;
      const [from, to] = [kind.imageShape(was.params), kind.imageShape(params)];
      if (from.height === to.height && from.width === to.width && from.channels === to.channels) continue;
      forms.set(formatShape([null, from.height * from.width * from.channels]), [null, to.height * to.width * to.channels]);
      forms.set(formatShape([null, from.height, from.width, from.channels]), [null, to.height, to.width, to.channels]);
    }
  }
  return forms;
}

/** Groups of values that must have one shape: each network input with what its calls pass it; each kind's inputs declared of one shape. */
function* agreements(analysis: Analysis, calls: ReadonlyMap<string, CallSite[]>): Generator<Value[]> {
  for (const [network, scope] of analysis.networks) {
    for (const id of scope.order) {
      const info = scope.nodes.get(id)!;
      if (info.kind?.role !== 'network-input' || info.params === undefined) continue;
      const passed = (calls.get(network) ?? []).flatMap((site) => {
        const ref = scopeOf(analysis, site.where)?.incoming.get(site.node)?.get(id);
        return ref ? [{ where: site.where, ref }] : [];
      });
      if (passed.length) yield [...passed, { where: network, ref: { node: id, port: info.kind.port } }];
    }
  }
  for (const scope of scopes(analysis)) {
    for (const id of scope.order) {
      const { kind, params } = scope.nodes.get(id)!;
      if (kind?.role !== 'op' || !kind.sameShape || params === undefined) continue;
      for (const group of kind.sameShape) {
        const values = group.flatMap((port) => {
          const ref = scope.incoming.get(id)?.get(port);
          return ref ? [{ where: scope.network, ref }] : [];
        });
        if (values.length > 1) yield values;
      }
    }
  }
}

/**
 * One way of giving values a shape: the params it sets, node by node. It
 * refuses (want answers false) a node asked for two different things, a node
 * an earlier round edited, params the kind's schema refuses, and values no
 * params can reshape (a dataset, noise).
 */
class Planner {
  readonly edits = new Map<string, { where: Where; info: NodeInfo; params: Record<string, unknown> }>();
  /** What each value was asked for: asked again, the answer is whether it is the same. */
  private asked = new Map<string, Shape>();

  constructor(
    private analysis: Analysis,
    private calls: ReadonlyMap<string, CallSite[]>,
    private frozen: ReadonlySet<string>,
  ) {}

  /** Params changed in all. */
  get cost(): number {
    let n = 0;
    for (const edit of this.edits.values()) n += Object.keys(edit.params).length;
    return n;
  }

  want(value: Value, wanted: Shape): boolean {
    const { where, ref } = value;
    const scope = scopeOf(this.analysis, where);
    const info = scope?.nodes.get(ref.node);
    if (!scope || !info?.kind || info.params === undefined) return false;
    const key = `${nodeKey(where, ref.node)}\u0000${ref.port}`;
    const asked = this.asked.get(key);
    if (asked) return sameShape(asked, wanted);
    this.asked.set(key, wanted);
    const now = shapeOf(this.analysis, value);
    if (now && sameShape(now, wanted)) return true;
    return this.reshape(scope, info, info.kind, ref.port, wanted);
  }

  private reshape(scope: Scope, info: NodeInfo, kind: NodeKind, port: string, wanted: Shape): boolean {
    const where = scope.network;
    const feeder = (input: string) => scope.incoming.get(info.node.id)?.get(input);
    switch (kind.role) {
      case 'op':
      case 'source':
      case 'sampler': {
        const refit = kind.refit?.(info.params, info.inShapes, port, wanted);
        if (!refit || !this.set(where, info, kind, refit.params)) return false;
        return Object.entries(refit.inputs).every(([input, shape]) => {
          const ref = feeder(input);
          return ref !== undefined && this.want({ where, ref }, shape);
        });
      }
      case 'call': {
        const network = kind.network(info.params);
        const signature = this.analysis.networks.get(network)?.signature;
        // The input gradient has the shape of the first input.
        if (port === kind.inputGradient(info.params)) {
          const ref = signature?.inputs[0] && feeder(signature.inputs[0].port);
          return ref !== undefined && this.want({ where, ref }, wanted);
        }
        const body = this.analysis.networks.get(network);
        const output = body?.nodes.get(port);
        if (!body || output?.kind?.role !== 'network-output') return false;
        const ref = body.incoming.get(port)?.get(output.kind.port);
        return ref !== undefined && this.want({ where: network, ref }, wanted);
      }
      case 'network-input': {
        // The network takes the new shape, so every call of it must pass it.
        const item = wanted.slice(1);
        if (where === undefined || wanted[0] !== null || !item.every((d): d is number => typeof d === 'number')) return false;
        if (!this.set(where, info, kind, kind.create(item))) return false;
        return (this.calls.get(where) ?? []).every((site) => {
          const ref = scopeOf(this.analysis, site.where)?.incoming.get(site.node)?.get(info.node.id);
          return ref !== undefined && this.want({ where: site.where, ref }, wanted);
        });
      }
      default:
        return false;
    }
  }

  /** Plans params of a node, keeping only those that change. */
  private set(where: Where, info: NodeInfo, kind: NodeKind, params: Record<string, unknown>): boolean {
    if (where !== undefined) {
      // A block seen on its own changes with its calls; a node inside a call, through the call's values.
      if (this.analysis.blocks.views.has(where)) return false;
      const instance = this.analysis.blocks.instances.get(where);
      if (instance) return this.setThroughCall(instance, info, params);
    }
    const key = nodeKey(where, info.node.id);
    const current = info.params as Record<string, unknown>;
    const planned = this.edits.get(key)?.params ?? {};
    const changed: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(params)) {
      if (Object.hasOwn(planned, field)) {
        // A record of values (a call's) may grow by entries planned for other nodes inside it.
        if (!same(planned[field], value) && !extendsRecord(planned[field], value)) return false;
        if (!same(planned[field], value)) changed[field] = value;
      } else if (!same(current[field], value)) changed[field] = value;
    }
    if (Object.keys(changed).length === 0) return true;
    if (this.frozen.has(key)) return false;
    const next = { ...planned, ...changed };
    if (!kind.params.safeParse({ ...info.node.params, ...next }).success) return false;
    this.edits.set(key, { where, info, params: next });
    return true;
  }

  /**
   * A node inside a call of a block takes other params only where they read
   * the block's parameters: the call gives those other values. A number the
   * block holds itself is the same for every call, so it cannot change here.
   */
  private setThroughCall(instance: BlockInstance, info: NodeInfo, params: Record<string, unknown>): boolean {
    const { source, instances } = this.analysis.blocks;
    // Blocks inside blocks: the outer block's call would change; not fitted.
    if (instance.owner !== undefined && instances.has(instance.owner)) return false;
    const drawn = source.networks.find((n) => n.id === instance.block)?.nodes.find((n) => n.id === info.node.id)?.params;
    if (!drawn) return false;
    const args: Record<string, number> = {};
    const give = (ref: ParamRef, value: unknown): boolean => {
      if (typeof value !== 'number' || (Object.hasOwn(args, ref.param) && args[ref.param] !== value)) return false;
      args[ref.param] = value;
      return true;
    };
    for (const [field, value] of Object.entries(params)) {
      const was = drawn[field];
      if (isParamRef(was)) {
        if (!give(was, value)) return false;
      } else if (Array.isArray(was) && Array.isArray(value) && was.length === value.length && was.some(isParamRef)) {
        if (!was.every((w, i) => (isParamRef(w) ? give(w, value[i]) : same(w, value[i])))) return false;
      } else if (!same(was, value)) return false;
    }
    const call = scopeOf(this.analysis, instance.owner)?.nodes.get(instance.call);
    if (call?.kind?.role !== 'call' || call.params === undefined) return false;
    const planned = this.edits.get(nodeKey(instance.owner, instance.call))?.params.args as Record<string, number> | undefined;
    const given = { ...call.kind.args(call.params), ...planned };
    // Values already planned for this call by another node inside it must agree.
    if (planned && Object.entries(args).some(([name, value]) => Object.hasOwn(planned, name) && planned[name] !== value)) return false;
    return this.set(instance.owner, call, call.kind, { args: { ...given, ...args } });
  }
}

/** Whether `next` is the record `planned` with entries added (none changed). */
function extendsRecord(planned: unknown, next: unknown): boolean {
  const record = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  return record(planned) && record(next) && Object.entries(planned).every(([key, value]) => same(value, next[key]));
}

/** Every call of each network, by network id. */
function callSites(analysis: Analysis): Map<string, CallSite[]> {
  const sites = new Map<string, CallSite[]>();
  for (const scope of scopes(analysis)) {
    for (const id of scope.order) {
      const { kind, params } = scope.nodes.get(id)!;
      if (kind?.role !== 'call' || params === undefined) continue;
      const network = kind.network(params);
      const list = sites.get(network) ?? [];
      list.push({ where: scope.network, node: id });
      sites.set(network, list);
    }
  }
  return sites;
}

const scopes = (analysis: Analysis): Scope[] => [analysis.main, ...analysis.networks.values()];

const scopeOf = (analysis: Analysis, where: Where): Scope | undefined => (where === undefined ? analysis.main : analysis.networks.get(where));

function shapeOf(analysis: Analysis, { where, ref }: Value): Shape | undefined {
  const shapes = scopeOf(analysis, where)?.nodes.get(ref.node)?.outShapes;
  return shapes && Object.hasOwn(shapes, ref.port) ? shapes[ref.port] : undefined;
}

const nodeKey = (where: Where, node: string) => `${where ?? ''}\u0000${node}`;

/** Params are JSON: equal when they print the same. */
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
