import type { NodeInfo, Scope } from './analyse';
import type { PortRef } from './schema';
import { portKey } from './walk';

/**
 * Which weights a value depends on: the networks whose own weights it is
 * computed from, and (inside a network) the network inputs it is computed
 * from. An optimizer can only train weights its loss depends on: with none,
 * there is no gradient to follow (TF1's minimize refuses it too), so the
 * analysis reports it before training fails.
 */
export interface Dependence {
  weights: ReadonlySet<string>;
  /** Ids of the network-input nodes it depends on. */
  inputs: InputSet;
}

export interface InputSet {
  has(id: string): boolean;
  forEach(visit: (id: string) => void): void;
}

/** Per output port of a network (by network-output node id), what it depends on: what calls of it see. */
export type Signature = ReadonlyMap<string, Dependence>;

type Callee = (network: string) => Signature | undefined;

/** Network inputs as bits (a network may have thousands, and a chain of nodes each depending on all of them). */
class InputBits implements InputSet {
  constructor(
    private readonly ids: readonly string[],
    private readonly index: ReadonlyMap<string, number>,
    readonly words: Uint32Array,
  ) {}
  has(id: string): boolean {
    const i = this.index.get(id);
    return i !== undefined && (this.words[i >>> 5]! & (1 << (i & 31))) !== 0;
  }
  forEach(visit: (id: string) => void): void {
    this.words.forEach((word, w) => {
      for (let bit = 0; word !== 0; bit++, word >>>= 1) if (word & 1) visit(this.ids[w * 32 + bit]!);
    });
  }
}

const EMPTY_WEIGHTS: ReadonlySet<string> = new Set();

/**
 * What every port of a scope depends on, each computed once, from the ports
 * that feed it: linear in the scope's nodes and edges (where walking each
 * value's cone anew was quadratic: a network of thousands of outputs on one
 * long chain took minutes). A call passes on only the inputs the callee's
 * output reads; nodes analysis could not infer are dead ends (they are
 * reported already), and so are cycles.
 */
class Dependences {
  private readonly ids: string[];
  private readonly index: Map<string, number>;
  private readonly words: number;
  /** Per node (ops: all outputs alike) or per port (calls), once computed; `null` while being computed (a cycle). */
  private readonly memo = new Map<string, Dependence | null>();

  constructor(
    private readonly scope: Scope,
    private readonly callee: Callee,
  ) {
    this.ids = [...scope.nodes.values()].filter((info) => info.kind?.role === 'network-input').map((info) => info.node.id);
    this.index = new Map(this.ids.map((id, i) => [id, i]));
    this.words = Math.ceil(this.ids.length / 32);
  }

  none(): Dependence {
    return { weights: EMPTY_WEIGHTS, inputs: new InputBits(this.ids, this.index, new Uint32Array(this.words)) };
  }

  /** The union of what `parts` depend on, and `own` weights: one of them reused where it holds all the others. */
  private union(parts: readonly Dependence[], own: readonly string[] = []): Dependence {
    if (parts.length === 1 && own.every((w) => parts[0]!.weights.has(w))) return parts[0]!;
    const words = new Uint32Array(this.words);
    for (const part of parts) {
      const bits = (part.inputs as InputBits).words;
      for (let w = 0; w < words.length; w++) words[w]! |= bits[w]!;
    }
    const largest = parts.reduce<ReadonlySet<string>>((best, p) => (p.weights.size > best.size ? p.weights : best), EMPTY_WEIGHTS);
    const missing = [...parts.flatMap((p) => (p.weights === largest ? [] : [...p.weights])), ...own].filter((w) => !largest.has(w));
    return { weights: missing.length ? new Set([...largest, ...missing]) : largest, inputs: new InputBits(this.ids, this.index, words) };
  }

  /** What the value at `target` depends on: computed with every port it needs first, on an explicit stack (a chain may be thousands long). */
  of(target: PortRef): Dependence {
    const stack: PortRef[] = [target];
    while (stack.length) {
      const ref = stack[stack.length - 1]!;
      const key = this.key(ref);
      if (this.memo.get(key)) {
        stack.pop();
        continue;
      }
      const needed = this.sources(ref).filter((source) => !this.memo.has(this.key(source)));
      if (needed.length && !this.memo.has(key)) {
        this.memo.set(key, null); // in progress: met again, it is a cycle
        stack.push(...needed);
        continue;
      }
      this.memo.set(key, this.evaluate(ref));
      stack.pop();
    }
    return this.memo.get(this.key(target)) ?? this.none();
  }

  /** Ops depend on all their inputs, whatever the output: one entry per node. */
  private key(ref: PortRef): string {
    return this.scope.nodes.get(ref.node)?.kind?.role === 'call' ? portKey(ref) : ref.node;
  }

  private live(ref: PortRef): NodeInfo | undefined {
    const info = this.scope.nodes.get(ref.node);
    return info?.kind && info.params !== undefined ? info : undefined;
  }

  /** The ports whose dependences `ref`'s is made of. */
  private sources(ref: PortRef): PortRef[] {
    const info = this.live(ref);
    const incoming = this.scope.incoming.get(ref.node);
    if (!info || !incoming) return [];
    const kind = info.kind!;
    if (kind.role === 'op') return info.inputs.flatMap((port) => incoming.get(port.id) ?? []);
    if (kind.role !== 'call' || ref.port === kind.inputGradient(info.params)) return [];
    const inner = this.callee(kind.network(info.params))?.get(ref.port);
    const ports: string[] = [];
    inner?.inputs.forEach((port) => ports.push(port));
    return ports.flatMap((port) => incoming.get(port) ?? []);
  }

  private evaluate(ref: PortRef): Dependence {
    const info = this.live(ref);
    if (!info) return this.none();
    const kind = info.kind!;
    const parts = this.sources(ref).map((source) => this.memo.get(this.key(source)) ?? this.none());
    switch (kind.role) {
      case 'network-input': {
        const words = new Uint32Array(this.words);
        const i = this.index.get(ref.node)!;
        words[i >>> 5] = 1 << (i & 31);
        return { weights: EMPTY_WEIGHTS, inputs: new InputBits(this.ids, this.index, words) };
      }
      case 'op': {
        const owns = this.scope.network !== undefined && Object.keys(info.outShapes).length > 0 && (kind.weights?.(info.params, info.inShapes).length ?? 0) > 0;
        return parts.length || owns ? this.union(parts.length ? parts : [this.none()], owns ? [this.scope.network!] : []) : this.none();
      }
      case 'call': {
        const signature = this.callee(kind.network(info.params));
        // The input gradient depends on the weights the network's first output depends on; on the input itself only
        // where the network is not linear in it, which is not known here: counted as not (training upstream through
        // a gradient is then refused with a clear error rather than attempted where it may carry nothing).
        const gradient = ref.port === kind.inputGradient(info.params);
        const port = gradient ? [...(signature?.keys() ?? [])][0] : ref.port;
        const inner = port === undefined ? undefined : signature?.get(port);
        return this.union(parts.length ? parts : [this.none()], [...(inner?.weights ?? [])]);
      }
      default:
        return this.none();
    }
  }
}

const evaluators = new WeakMap<Scope, Dependences>();
const evaluator = (scope: Scope, callee: Callee) => {
  let found = evaluators.get(scope);
  if (!found) evaluators.set(scope, (found = new Dependences(scope, callee)));
  return found;
};

/** What the value at `target` depends on. `callee` gives the signature of each network called. */
export function dependenceOf(scope: Scope, target: PortRef, callee: Callee): Dependence {
  return evaluator(scope, callee).of(target);
}

/** What each output of a network body depends on. */
export function signatureOf(scope: Scope, callee: Callee): Signature {
  const outputs = new Map<string, Dependence>();
  const dependences = evaluator(scope, callee);
  for (const info of scope.nodes.values()) {
    if (info.kind?.role !== 'network-output') continue;
    const source = scope.incoming.get(info.node.id)?.get(info.kind.port);
    outputs.set(info.node.id, source ? dependences.of(source) : dependences.none());
  }
  return outputs;
}
