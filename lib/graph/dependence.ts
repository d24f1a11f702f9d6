import type { Scope } from './analyse';
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
  inputs: ReadonlySet<string>;
}

/** Per output port of a network (by network-output node id), what it depends on: what calls of it see. */
export type Signature = ReadonlyMap<string, Dependence>;

/**
 * What the value at `target` depends on, walking its wiring upstream (only
 * the cone of that one value, port by port: a call passes on only the
 * inputs the callee's output reads). `callee` gives the signature of each
 * network called. Nodes analysis could not infer are dead ends (they are
 * reported already).
 */
export function dependenceOf(scope: Scope, target: PortRef, callee: (network: string) => Signature | undefined): Dependence {
  const weights = new Set<string>();
  const inputs = new Set<string>();
  const seen = new Set<string>();
  const stack = [target];
  while (stack.length) {
    const ref = stack.pop()!;
    const key = portKey(ref);
    if (seen.has(key)) continue;
    seen.add(key);
    const info = scope.nodes.get(ref.node);
    const kind = info?.kind;
    if (!info || !kind || info.params === undefined) continue;
    const incoming = scope.incoming.get(ref.node);
    const follow = (port: string) => {
      const from = incoming?.get(port);
      if (from) stack.push(from);
    };
    switch (kind.role) {
      case 'network-input':
        inputs.add(ref.node);
        break;
      case 'op':
        if (scope.network !== undefined && Object.keys(info.outShapes).length > 0 && (kind.weights?.(info.params, info.inShapes).length ?? 0) > 0) weights.add(scope.network);
        for (const port of info.inputs) follow(port.id);
        break;
      case 'call': {
        const signature = callee(kind.network(info.params));
        const gradient = ref.port === kind.inputGradient(info.params);
        // The input gradient depends on the weights the network's first output depends on; on the input itself only
        // where the network is not linear in it, which is not known here: counted as not (training upstream through
        // a gradient is then refused with a clear error rather than attempted where it may carry nothing).
        const port = gradient ? [...(signature?.keys() ?? [])][0] : ref.port;
        const inner = port === undefined ? undefined : signature?.get(port);
        inner?.weights.forEach((network) => weights.add(network));
        // The callee's inputs are this call's input ports.
        if (!gradient) inner?.inputs.forEach(follow);
        break;
      }
      default:
        break;
    }
  }
  return { weights, inputs };
}

/** What each output of a network body depends on. */
export function signatureOf(scope: Scope, callee: (network: string) => Signature | undefined): Signature {
  const outputs = new Map<string, Dependence>();
  for (const info of scope.nodes.values()) {
    if (info.kind?.role !== 'network-output') continue;
    const source = scope.incoming.get(info.node.id)?.get(info.kind.port);
    outputs.set(info.node.id, source ? dependenceOf(scope, source, callee) : { weights: new Set(), inputs: new Set() });
  }
  return outputs;
}
