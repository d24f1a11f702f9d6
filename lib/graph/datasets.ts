import { getKind } from '../kinds/registry';
import type { DatasetChoice } from '../kinds/common';
import type { DatasetRef } from '../runtime/dataset';
import { fitToData, type FitChange } from './fit';
import type { GraphDoc } from './schema';

/** Every dataset a graph's sources read (main graph and networks), valid params only, each id once per split. */
export function datasetsUsed(doc: GraphDoc): DatasetRef[] {
  const refs = new Map<string, DatasetRef>();
  for (const node of [...doc.nodes, ...doc.networks.flatMap((n) => n.nodes)]) {
    const kind = getKind(node.kind);
    if (kind?.role !== 'source') continue;
    const params = kind.params.safeParse(node.params);
    if (params.success) for (const ref of kind.datasets(params.data)) refs.set(`${ref.id}/${ref.split}`, ref);
  }
  return [...refs.values()];
}

/** The graph with every source that reads a library dataset reading `choice` instead; how many it changed. */
export function withDataset(doc: GraphDoc, choice: DatasetChoice): { doc: GraphDoc; changed: number } {
  let changed = 0;
  const swap = (nodes: GraphDoc['nodes']) =>
    nodes.map((node) => {
      const kind = getKind(node.kind);
      if (kind?.role !== 'source' || !kind.withDataset) return node;
      changed++;
      return { ...node, params: kind.withDataset(node.params, choice) };
    });
  const next = { ...doc, nodes: swap(doc.nodes), networks: doc.networks.map((n) => ({ ...n, nodes: swap(n.nodes) })) };
  return { doc: next, changed };
}

/**
 * The graph reading `choice`, fitted to its size (lib/graph/fit.ts): a
 * template drawn for 28x28x1 takes 32x32x3 data without hand surgery. How
 * many sources it changed, and every param the fit changed.
 */
export function withFittedDataset(doc: GraphDoc, choice: DatasetChoice): { doc: GraphDoc; changed: number; changes: FitChange[] } {
  const swapped = withDataset(doc, choice);
  if (swapped.changed === 0) return { ...swapped, changes: [] };
  const fitted = fitToData(swapped.doc, doc);
  return { doc: fitted.doc, changed: swapped.changed, changes: fitted.changes };
}
