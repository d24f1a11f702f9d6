'use client';

import { useMemo, useState } from 'react';
import { CATEGORIES } from '@/lib/kinds/registry';
import { kinds } from '@/lib/kinds/registry';

export const KIND_MIME = 'application/x-netloom-kind';

/** Every registered kind, grouped by category and searchable; drag onto the canvas, or press Enter to add. */
export function Palette({ onAdd }: { onAdd(kind: string): void }) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const match = (k: (typeof kinds)[number]) => !q || `${k.kind} ${k.title} ${k.doc} ${k.category}`.toLowerCase().includes(q);
    return CATEGORIES.map((category) => ({ category, kinds: kinds.filter((k) => k.category === category && match(k)) })).filter((g) => g.kinds.length);
  }, [query]);
  return (
    <aside className="palette" aria-label="Palette">
      <input type="search" placeholder="Search kinds…" value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search kinds" />
      {groups.map(({ category, kinds: list }) => (
        <section key={category}>
          <h3>{category}</h3>
          <ul>
            {list.map((k) => (
              <li
                key={k.kind}
                className="palette-item"
                data-kind={k.kind}
                draggable
                tabIndex={0}
                title={k.doc}
                onDragStart={(e) => {
                  e.dataTransfer.setData(KIND_MIME, k.kind);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') onAdd(k.kind);
                }}
                onDoubleClick={() => onAdd(k.kind)}
              >
                <strong>{k.title}</strong>
                <small>{k.doc}</small>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </aside>
  );
}
