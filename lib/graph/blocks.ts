import type { SamplerKind } from '../kinds/kind';
import { getKind } from '../kinds/registry';
import type { Problem } from './problems';
import { err, ok, type Result } from '../result';
import { BlockSchema, type BlockParam, type GraphDoc, type GraphNode, type Network } from './schema';

/**
 * Blocks: networks with parameters whose every call is a copy of its own.
 * A residual block with its channel count is drawn once and called at every
 * size a U-Net needs; each call has its own weights, sized by the values it
 * gives the block's parameters.
 *
 * Inside a block, a node's number param (or one entry of a list, as an
 * input's shape) may read `{ "param": "channels" }`. Before analysis each
 * call of a block becomes a network of its own, an *instance*: the block's
 * nodes with the call's values (the block's defaults where the call gives
 * none). Everything past analysis (plans, exports, checkpoints) sees plain
 * networks. The block itself is analysed with its defaults, so the editor
 * shows its shapes; it is a *view*, never lowered: only instances hold
 * weights. An optimizer that trains a network trains the blocks called in
 * it; one that names a block trains every call of it (the analysis reads
 * it so: `Analyser.trainedGroups`).
 */

/** A node param's value taken from a parameter of the block it sits in. */
export interface ParamRef {
  param: string;
}

export const isParamRef = (value: unknown): value is ParamRef =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && typeof (value as ParamRef).param === 'string';

/** One call of a block, as a network of its own. */
export interface BlockInstance {
  block: string;
  /** The scope the call sits in (undefined: the main graph), in the expanded document. */
  owner: string | undefined;
  call: string;
  /** The call's values of the block's parameters, defaults filled in. */
  values: Readonly<Record<string, number>>;
  /** Where its problems are shown: the call in the document as the user edits it. */
  shownAt: { network: string | undefined; node: string };
  /** What the problem says of where it happened: "in ResBlock (channels 64) of down2". */
  where: string;
  /** Inside a block seen on its own (its defaults): never lowered. */
  view: boolean;
}

export interface BlockExpansion {
  /** The document as drawn, its blocks' nodes reading their parameters. */
  source: GraphDoc;
  doc: GraphDoc;
  instances: ReadonlyMap<string, BlockInstance>;
  /** Networks that hold no weights of the program: blocks seen on their own, and the instances inside them. */
  views: ReadonlySet<string>;
  problems: Problem[];
}

/** Instances' nodes at most, past the document's own: a block called in a block called in a block... grows fast. */
export const EXPANDED_NODES = 100_000;
/** Blocks inside blocks, at most. */
const MAX_DEPTH = 16;

const memo = new WeakMap<GraphDoc, BlockExpansion>();

export function expandBlocks(doc: GraphDoc): BlockExpansion {
  let expansion = memo.get(doc);
  if (!expansion) memo.set(doc, (expansion = new Expander(doc).run()));
  return expansion;
}

/** Params with each reference to one of `values` read (others left as they are): a node of a block as a call of it sees it. */
export function withValues(params: Readonly<Record<string, unknown>>, values: Readonly<Record<string, number>>): Record<string, unknown> {
  const read = (value: unknown) => (isParamRef(value) && Object.hasOwn(values, value.param) ? values[value.param] : value);
  return Object.fromEntries(Object.entries(params).map(([field, value]) => [field, Array.isArray(value) ? value.map(read) : read(value)]));
}

/** A block's defaults by parameter name. */
export const defaultValues = (block: NonNullable<Network['block']>): Record<string, number> => Object.fromEntries(block.params.map((p) => [p.name, p.default]));

/** A block's parameters as people type them: "channels=32, size=28". */
export const formatBlockParams = (params: readonly BlockParam[]): string => params.map((p) => `${p.name}=${p.default}`).join(', ');

/** "channels=32, size=28" read back, or what is wrong with it, in words. */
export function parseBlockParams(text: string): Result<BlockParam[]> {
  const params: BlockParam[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([^=\s]+)\s*=\s*(\S+)$/.exec(part);
    if (!match) return err(`"${part}" is not name=number (for example channels=32)`);
    const value = Number(match[2]);
    if (!Number.isFinite(value)) return err(`"${match[2]}" in "${part}" is not a number`);
    params.push({ name: match[1]!, default: value });
  }
  const checked = BlockSchema.safeParse({ params });
  return checked.success ? ok(checked.data.params) : err(checked.error.issues[0]!.message);
}

/** A param value in words: "channels 64, size 14". */
export const valuesInWords = (values: Readonly<Record<string, number>>): string =>
  Object.entries(values)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');

interface Pending {
  network: Network;
  /** The blocks whose calls led here: a block inside itself is left to the analysis, which reports the loop. */
  chain: readonly string[];
  /** The original call its problems go to; undefined for the document's own scopes. */
  shownAt?: BlockInstance['shownAt'];
  view: boolean;
}

class Expander {
  private problems: Problem[] = [];
  private blocks: Map<string, Network & { block: NonNullable<Network['block']> }>;
  private instances = new Map<string, BlockInstance>();
  private views = new Set<string>();
  private taken: Set<string>;
  private nodes = 0;

  constructor(private doc: GraphDoc) {
    this.blocks = new Map(doc.networks.filter((n): n is Network & { block: NonNullable<Network['block']> } => n.block !== undefined).map((n) => [n.id, n]));
    this.taken = new Set(doc.networks.map((n) => n.id));
  }

  run(): BlockExpansion {
    if (this.blocks.size === 0 && !this.anyReference()) return { source: this.doc, doc: this.doc, instances: this.instances, views: this.views, problems: [] };
    const queue: Pending[] = [];
    const networks: Network[] = [];
    const main = this.scope(this.doc.nodes, undefined, undefined, [], undefined, false, queue);
    for (const network of this.doc.networks) {
      const block = this.blocks.get(network.id);
      if (block) this.views.add(network.id);
      networks.push({ ...network, nodes: this.scope(network.nodes, network.id, block ? this.defaults(block) : undefined, block ? [block.id] : [], undefined, block !== undefined, queue) });
    }
    // Calls found in the instances made so far queue theirs: read in order, never shifted (a queue of thousands).
    for (let i = 0; i < queue.length; i++) {
      const next = queue[i]!;
      const instance = this.instances.get(next.network.id)!;
      networks.push({ ...next.network, nodes: this.scope(next.network.nodes, next.network.id, instance.values, next.chain, next.shownAt, next.view, queue) });
    }
    return { source: this.doc, doc: { ...this.doc, nodes: main, networks }, instances: this.instances, views: this.views, problems: this.problems };
  }

  private anyReference(): boolean {
    return [this.doc.nodes, ...this.doc.networks.map((n) => n.nodes)].some((nodes) => nodes.some((node) => Object.values(node.params).some((v) => isParamRef(v) || (Array.isArray(v) && v.some(isParamRef)))));
  }

  private defaults(block: Network & { block: NonNullable<Network['block']> }): Record<string, number> {
    return defaultValues(block.block);
  }

  /**
   * One scope's nodes with its values read in (`values` undefined: not a
   * block, where a reference is a problem), and each call of a block turned
   * into a call of a new instance, queued.
   */
  private scope(nodes: readonly GraphNode[], network: string | undefined, values: Readonly<Record<string, number>> | undefined, chain: readonly string[], shownAt: BlockInstance['shownAt'] | undefined, view: boolean, queue: Pending[]): GraphNode[] {
    return nodes.map((node) => {
      const bound = this.bind(node, network, values, shownAt);
      const kind = getKind(node.kind);
      if (kind?.role === 'sampler') this.checkSampler(bound, kind, network);
      if (kind?.role !== 'call') return bound;
      const parsed = kind.params.safeParse(bound.params);
      if (!parsed.success) return bound;
      const block = this.blocks.get(kind.network(parsed.data));
      if (!block || chain.includes(block.id)) return bound;
      const at = shownAt ?? { network, node: node.id };
      const args = kind.args(parsed.data);
      const unknown = Object.keys(args).filter((name) => !block.block.params.some((p) => p.name === name));
      if (unknown.length) {
        this.report(at, `gives ${block.name} ${unknown.map((n) => `"${n}"`).join(', ')}, which it has no parameter${unknown.length === 1 ? '' : 's'} for`, `Use ${block.name}'s parameters (${block.block.params.map((p) => p.name).join(', ') || 'it has none'}).`, 'args');
      }
      if (chain.length >= MAX_DEPTH) {
        this.report(at, `calls blocks inside blocks ${MAX_DEPTH} deep`, `Call blocks at most ${MAX_DEPTH} deep.`);
        return bound;
      }
      if (this.nodes + block.nodes.length > EXPANDED_NODES) {
        this.report(at, `its blocks would make more than ${EXPANDED_NODES} nodes`, 'Call fewer blocks, or use a shared network where calls may share weights.');
        return bound;
      }
      this.nodes += block.nodes.length;
      const callValues = { ...this.defaults(block), ...Object.fromEntries(Object.entries(args).filter(([name]) => !unknown.includes(name))) };
      const id = this.freeId(`${block.id}@${network ?? ''}/${node.id}`);
      const label = node.label || node.id;
      const where = `in ${block.name} (${valuesInWords(callValues) || 'no parameters'}) called as ${label}`;
      const outer = shownAt ? this.instances.get(network!) : undefined;
      this.instances.set(id, { block: block.id, owner: network, call: node.id, values: callValues, shownAt: at, where: outer ? `${where}, ${outer.where}` : where, view });
      if (view) this.views.add(id);
      const { block: _params, ...plain } = block;
      queue.push({ network: { ...plain, id, name: `${block.name} ${label}` }, chain: [...chain, block.id], shownAt: at, view });
      return { ...bound, params: kind.withNetwork(bound.params, id) };
    });
  }

  /** The node with its references read: each replaced by its value, or reported and left for the kind to refuse. */
  private bind(node: GraphNode, network: string | undefined, values: Readonly<Record<string, number>> | undefined, shownAt: BlockInstance['shownAt'] | undefined): GraphNode {
    const refs = Object.entries(node.params).flatMap(([field, value]) => (Array.isArray(value) ? value : [value]).filter(isParamRef).map((ref) => ({ field, ref })));
    if (refs.length === 0) return node;
    // Reported where the block is seen on its own; its instances leave an unknown one unread and say no more.
    for (const { field, ref } of shownAt ? [] : refs) {
      if (values && Object.hasOwn(values, ref.param)) continue;
      const where = { network, node: node.id };
      if (values) this.report(where, `reads parameter "${ref.param}", which this block does not have`, 'Add the parameter to the block, or choose one it has.', field);
      else this.report(where, `reads parameter "${ref.param}", but only the nodes of a block have parameters`, 'Make this network a block with that parameter, or give the field a number.', field);
    }
    return { ...node, params: withValues(node.params, values ?? {}) };
  }

  /** A sampler runs a network with its own weights: a block has none of its own until a call gives it values. */
  private checkSampler(node: GraphNode, kind: SamplerKind, network: string | undefined) {
    const parsed = kind.params.safeParse(node.params);
    const block = parsed.success ? this.blocks.get(kind.network(parsed.data)) : undefined;
    if (block) this.report({ network, node: node.id }, `runs block ${block.name}, whose every call has weights of its own`, `Sample with a network that calls ${block.name}.`, 'network');
  }

  private freeId(wanted: string): string {
    let id = wanted;
    for (let k = 2; this.taken.has(id); k++) id = `${wanted}#${k}`;
    this.taken.add(id);
    return id;
  }

  private report(where: { network: string | undefined; node: string }, message: string, fix: string, field?: string) {
    this.problems.push({ code: 'block-parameter', severity: 'error', message, fix, ...(where.network !== undefined ? { network: where.network } : {}), node: where.node, ...(field ? { field } : {}) });
  }
}
