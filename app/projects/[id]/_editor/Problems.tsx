'use client';

import type { Problem } from '@/lib/graph/problems';
import type { GraphDoc } from '@/lib/graph/schema';

/** Every problem of the graph; clicking one opens its scope and focuses its node. */
export function Problems({ doc, problems, onFocus }: { doc: GraphDoc; problems: readonly Problem[]; onFocus(problem: Problem): void }) {
  const where = (p: Problem) =>
    [p.network !== undefined ? (doc.networks.find((n) => n.id === p.network)?.name ?? p.network) : 'main', p.node, p.port && `port ${p.portLabel ?? p.port}`, p.field && `field ${p.field}`]
      .filter(Boolean)
      .join(' / ');
  return (
    <section className="problems" aria-label="Problems">
      <h3>{problems.length === 0 ? 'No problems' : `${problems.length} problem${problems.length === 1 ? '' : 's'}`}</h3>
      <ul>
        {problems.map((p, i) => (
          <li key={i} className={p.severity}>
            <button onClick={() => onFocus(p)} title={p.fix}>
              <span className="where">{where(p)}</span> {p.message}
              <small>{p.fix}</small>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
