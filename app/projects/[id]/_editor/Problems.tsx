'use client';

import { formatBytes, MEMORY_LIMIT_BYTES, type MemoryEstimate } from '@/lib/graph/memory';
import type { Problem } from '@/lib/graph/problems';
import type { GraphDoc } from '@/lib/graph/schema';

/** Every problem of the graph, clicking one opens its scope and focuses its node; and what training it takes in memory. */
export function Problems({ doc, problems, memory, onFocus }: { doc: GraphDoc; problems: readonly Problem[]; memory: MemoryEstimate; onFocus(problem: Problem): void }) {
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
      <p
        className={`memory${memory.total > MEMORY_LIMIT_BYTES ? ' error' : ''}`}
        aria-label="Estimated memory"
        title={`Weights ${formatBytes(memory.weights)}, optimizer state ${formatBytes(memory.slots)}, a step's values, gradients and temporaries ${formatBytes(memory.step)} at batch ${doc.training.batchSize}; the limit is ${formatBytes(MEMORY_LIMIT_BYTES)}`}
      >
        Estimated memory: {formatBytes(memory.total)}
        <small>
          weights {formatBytes(memory.weights)} · optimizers {formatBytes(memory.slots)} · a step {formatBytes(memory.step)} at batch {doc.training.batchSize}
        </small>
      </p>
    </section>
  );
}
