'use client';

import type { ScopeId } from '@/lib/graph/edit';
import type { GraphDoc } from '@/lib/graph/schema';
import { networkColor } from './flow';

/** The graph's networks; clicking one opens its body. */
export function NetworkList({ doc, scope, onOpen }: { doc: GraphDoc; scope: ScopeId; onOpen(network: string): void }) {
  return (
    <section className="networks" aria-label="Networks">
      <h3>Networks</h3>
      <ul>
        {doc.networks.map((n) => (
          <li key={n.id}>
            <button onClick={() => onOpen(n.id)} aria-current={scope === n.id ? 'page' : undefined}>
              <span className="swatch" style={{ background: networkColor(doc, n.id) }} /> {n.name}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
