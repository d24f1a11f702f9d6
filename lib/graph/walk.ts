import type { PortRef } from './schema';

/**
 * Walks over a scope's wiring: the one place that follows edges upstream
 * (analysis, the plan and the editor all ask here).
 */
export interface Wiring {
  /** For each node, which output feeds each of its input ports. */
  incoming: ReadonlyMap<string, ReadonlyMap<string, PortRef>>;
  /** Topological order of the nodes. */
  order: readonly string[];
}

/**
 * `node:port`, a key for one output port: a `:` (or a backslash) in the node id is
 * escaped, so node `a` port `b:y` and node `a:b` port `y` differ.
 */
export const portKey = (ref: PortRef): string => `${/[\\:]/.test(ref.node) ? ref.node.replace(/[\\:]/g, '\\$&') : ref.node}:${ref.port}`;

/**
 * Everything the targets depend on, the targets included, following
 * `inputsOf`. The walk does not go past a node for which `through` says false
 * (that node is still included).
 */
export function reach<T>(targets: Iterable<T>, inputsOf: (node: T) => Iterable<T>, through: (node: T) => boolean = () => true): Set<T> {
  const reached = new Set<T>();
  const stack = [...targets];
  while (stack.length) {
    const node = stack.pop()!;
    if (reached.has(node)) continue;
    reached.add(node);
    if (through(node)) for (const input of inputsOf(node)) stack.push(input);
  }
  return reached;
}

/** The nodes of a scope the targets depend on (see `reach`). */
export function upstream(wiring: Pick<Wiring, 'incoming'>, targets: Iterable<string>, through?: (node: string) => boolean): Set<string> {
  return reach(targets, (id) => [...(wiring.incoming.get(id)?.values() ?? [])].map((ref) => ref.node), through);
}

/** `upstream`, in the scope's topological order. */
export function cone(wiring: Wiring, targets: Iterable<string>, through?: (node: string) => boolean): string[] {
  const reached = upstream(wiring, targets, through);
  return wiring.order.filter((id) => reached.has(id));
}
