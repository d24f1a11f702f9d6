'use client';

import { deleteNetwork, networkDependents, renameNetwork, type ScopeId } from '@/lib/graph/edit';
import type { GraphDoc } from '@/lib/graph/schema';
import { networkColor } from './flow';

/** What deleting a network takes with it, in words for the confirmation. */
export function deletionNotice(doc: GraphDoc, id: string): string {
  const network = doc.networks.find((n) => n.id === id)!;
  const { calls, optimizers } = networkDependents(doc, id);
  const names = (nodes: { label?: string; id: string }[]) => nodes.map((n) => `"${n.label || n.id}"`).join(', ');
  const parts = [`Delete network ${network.name}?`];
  parts.push(calls.length ? `Its ${calls.length} call${calls.length === 1 ? '' : 's'} (${names(calls.map((c) => c.node))}) and their connections are removed too.` : 'Nothing calls it.');
  if (optimizers.length) parts.push(`${names(optimizers)} will no longer update it.`);
  return parts.join(' ');
}

/** The graph's networks: open one, rename it (its calls and optimizers keep pointing at it), or delete it. */
export function NetworkList({ doc, scope, onOpen, onChange, onMessage }: { doc: GraphDoc; scope: ScopeId; onOpen(network: string | null): void; onChange(doc: GraphDoc): void; onMessage(message: string): void }) {
  const rename = (id: string, current: string) => {
    const name = window.prompt('New name of the network', current);
    if (name === null) return;
    const renamed = renameNetwork(doc, id, name);
    if (renamed.ok) onChange(renamed.value);
    else onMessage(renamed.error);
  };
  const remove = (id: string) => {
    if (!window.confirm(deletionNotice(doc, id))) return;
    if (scope === id) onOpen(null);
    onChange(deleteNetwork(doc, id));
  };
  return (
    <section className="networks" aria-label="Networks">
      <h3>Networks</h3>
      <ul>
        {doc.networks.map((n) => (
          <li key={n.id}>
            <button className="open" onClick={() => onOpen(n.id)} aria-current={scope === n.id ? 'page' : undefined}>
              <span className="swatch" style={{ background: networkColor(doc, n.id) }} /> {n.name}
              {n.block && <small className="muted" title="Each call is a copy with weights of its own"> block</small>}
            </button>
            <button className="small" aria-label={`Rename ${n.name}`} title="Rename" onClick={() => rename(n.id, n.name)}>
              ✎
            </button>
            <button className="small" aria-label={`Delete ${n.name}`} title="Delete" onClick={() => remove(n.id)}>
              ✕
            </button>
          </li>
        ))}
        {doc.networks.length === 0 && <li className="muted">None yet: select layers and press G.</li>}
      </ul>
    </section>
  );
}
