/**
 * Kahn's topological sort, stable in the order ids are given. Returns the
 * order, or the nodes of one cycle (in edge order) when there is a cycle.
 */
export function toposort(
  ids: readonly string[],
  edges: readonly (readonly [from: string, to: string])[],
): { order: string[]; cycle?: undefined } | { order?: undefined; cycle: string[] } {
  const indegree = new Map(ids.map((id) => [id, 0]));
  const next = new Map<string, string[]>(ids.map((id) => [id, []]));
  const prev = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const [from, to] of edges) {
    next.get(from)!.push(to);
    prev.get(to)!.push(from);
    indegree.set(to, indegree.get(to)! + 1);
  }
  const order = ids.filter((id) => indegree.get(id) === 0);
  for (let i = 0; i < order.length; i++) {
    for (const to of next.get(order[i]!)!) {
      const left = indegree.get(to)! - 1;
      indegree.set(to, left);
      if (left === 0) order.push(to);
    }
  }
  if (order.length === ids.length) return { order };
  return { cycle: findCycle(ids.filter((id) => indegree.get(id)! > 0), prev) };
}

/**
 * Every node left unsorted has a predecessor that is also unsorted, so walking
 * predecessors must revisit a node: the walk between the two visits is a cycle.
 */
function findCycle(stuck: string[], prev: Map<string, string[]>): string[] {
  const remaining = new Set(stuck);
  const path: string[] = [];
  const seenAt = new Map<string, number>();
  let current = stuck[0]!;
  while (!seenAt.has(current)) {
    seenAt.set(current, path.length);
    path.push(current);
    current = prev.get(current)!.find((from) => remaining.has(from))!;
  }
  return path.slice(seenAt.get(current)).reverse();
}
