import { getKind } from '../kinds/registry';
import type { Edge, GraphDoc, GraphNode } from './schema';

/**
 * What changed from one saved version of a graph to the next, in a few
 * phrases for the version history: "added Dense "dense_3" in D",
 * "Dense "h" in D: units 128 → 256", "moved 3 nodes", "training:
 * iterations 10,000 → 5,000". Node by node, edge by edge, scope by scope.
 */
export function describeChanges(before: GraphDoc, after: GraphDoc): string[] {
  const changes: string[] = [];
  const networkName = (doc: GraphDoc, id: string) => doc.networks.find((n) => n.id === id)?.name ?? id;
  const beforeNets = new Map(before.networks.map((n) => [n.id, n]));
  const afterNets = new Map(after.networks.map((n) => [n.id, n]));
  for (const [id, n] of afterNets) {
    const old = beforeNets.get(id);
    if (!old) changes.push(`made network ${n.name}`);
    else if (old.name !== n.name) changes.push(`renamed network ${old.name} to ${n.name}`);
  }
  for (const [id, n] of beforeNets) if (!afterNets.has(id)) changes.push(`deleted network ${n.name}`);

  type ScopePair = readonly [string | undefined, readonly GraphNode[], readonly GraphNode[], readonly Edge[], readonly Edge[]];
  const scopes: ScopePair[] = [
    [undefined, before.nodes, after.nodes, before.edges, after.edges],
    ...[...afterNets].flatMap(([id, n]) => {
      const old = beforeNets.get(id);
      return old ? [[networkName(after, id), old.nodes, n.nodes, old.edges, n.edges] as ScopePair] : [];
    }),
  ];
  let moved = 0;
  for (const [scope, oldNodes, newNodes, oldEdges, newEdges] of scopes) {
    const where = scope ? ` in ${scope}` : '';
    const olds = new Map(oldNodes.map((n) => [n.id, n]));
    const news = new Map(newNodes.map((n) => [n.id, n]));
    const added = newNodes.filter((n) => !olds.has(n.id));
    const removed = oldNodes.filter((n) => !news.has(n.id));
    if (added.length) changes.push(added.length === 1 ? `added ${nodeName(added[0]!)}${where}` : `added ${added.length} nodes${where}`);
    if (removed.length) changes.push(removed.length === 1 ? `deleted ${nodeName(removed[0]!)}${where}` : `deleted ${removed.length} nodes${where}`);
    for (const node of newNodes) {
      const old = olds.get(node.id);
      if (!old) continue;
      if ((old.label ?? '') !== (node.label ?? '')) changes.push(`renamed ${nodeName(old)}${where} to "${node.label || node.id}"`);
      const params = changedParams(old.params, node.params);
      if (params.length) changes.push(`${nodeName(node)}${where}: ${params.join(', ')}`);
      if (old.position.x !== node.position.x || old.position.y !== node.position.y) moved += 1;
    }
    const key = (e: Edge) => `${e.source.node}.${e.source.port}>${e.target.node}.${e.target.port}`;
    const oldKeys = new Set(oldEdges.map(key));
    const newKeys = new Set(newEdges.map(key));
    const connected = newEdges.filter((e) => !oldKeys.has(key(e)));
    const cut = oldEdges.filter((e) => !newKeys.has(key(e)));
    const ends = (e: Edge, nodes: Map<string, GraphNode>) => `${label(nodes.get(e.source.node)) ?? e.source.node} → ${label(nodes.get(e.target.node)) ?? e.target.node}`;
    if (connected.length) changes.push(connected.length === 1 ? `connected ${ends(connected[0]!, news)}${where}` : `made ${connected.length} connections${where}`);
    if (cut.length) changes.push(cut.length === 1 ? `disconnected ${ends(cut[0]!, olds)}${where}` : `removed ${cut.length} connections${where}`);
  }
  if (moved) changes.push(moved === 1 ? 'moved a node' : `moved ${moved} nodes`);

  const training = changedParams(before.training as unknown as Record<string, unknown>, after.training as unknown as Record<string, unknown>);
  if (training.length) changes.push(`training: ${training.join(', ')}`);
  if (before.name !== after.name) changes.push(`renamed the graph to "${after.name}"`);
  if ((before.description ?? '') !== (after.description ?? '')) changes.push('edited the description');
  return changes;
}

/** At most `count` phrases, then how many more: one line in the history. */
export function summariseChanges(changes: readonly string[], count = 3): string {
  if (changes.length === 0) return 'no change to the graph';
  const shown = changes.slice(0, count).join('; ');
  return changes.length > count ? `${shown}; and ${changes.length - count} more` : shown;
}

const label = (node: GraphNode | undefined) => node && (node.label || node.id);
const nodeName = (node: GraphNode) => `${getKind(node.kind)?.title ?? node.kind} "${node.label || node.id}"`;

/** "units 128 → 256", a field set or cleared as "(default)". */
function changedParams(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => (structured(before[k]) || structured(after[k]) ? `${k} changed` : `${k} ${shown(before[k])} → ${shown(after[k])}`));
}

/** A list of objects or an object without a name (the schedule, the pictures): said to have changed, not printed. */
const structured = (value: unknown) => typeof value === 'object' && value !== null && !(Array.isArray(value) && value.every((v) => typeof v !== 'object')) && !('name' in value);

function shown(value: unknown): string {
  if (value === undefined) return '(default)';
  if (typeof value === 'number') return value.toLocaleString('en-US', { maximumSignificantDigits: 6 });
  if (typeof value === 'string') return value;
  // A dataset choice and the like: its name says which.
  if (value && typeof value === 'object' && 'name' in value && typeof value.name === 'string') return value.name;
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
