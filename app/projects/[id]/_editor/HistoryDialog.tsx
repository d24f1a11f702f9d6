'use client';

import { useEffect, useState } from 'react';
import { summariseChanges } from '@/lib/graph/diff';
import type { RevisionSummary } from '@/lib/db/projects';
import { listRevisionsAction, restoreRevisionAction } from '../../../actions';

/**
 * The project's saved versions, each with what it changed ("Dense "h" in D:
 * units 128 → 256; moved 2 nodes"); restoring one saves it as the newest
 * version (so the restore can be undone too).
 */
export function HistoryDialog({ projectId, version, onClose, onMessage }: { projectId: string; version: number; onClose(): void; onMessage(message: string): void }) {
  const [revisions, setRevisions] = useState<RevisionSummary[]>();
  useEffect(() => {
    void listRevisionsAction(projectId).then((listed) => {
      if (listed.ok) setRevisions(listed.value);
      else {
        onMessage(listed.error.message);
        onClose();
      }
    });
  }, [projectId, onClose, onMessage]);
  const restore = async (revision: number) => {
    const restored = await restoreRevisionAction(projectId, version, revision);
    if (!restored.ok) return onMessage(restored.error.message);
    window.location.reload();
  };
  if (!revisions) return null;
  return (
    <div className="history" role="dialog" aria-label="Version history">
      <h3>History</h3>
      <ul>
        {revisions.map((r) => (
          <li key={r.version} data-version={r.version}>
            <span className="history-when">
              Version {r.version} · {new Date(r.createdAt).toLocaleString()}{' '}
              {r.version === version ? <em>current</em> : <button onClick={() => restore(r.version)}>Restore</button>}
            </span>
            <span className="history-changes" title={r.changes.join('\n')}>
              {summariseChanges(r.changes)}
            </span>
          </li>
        ))}
      </ul>
      <button onClick={onClose}>Close</button>
    </div>
  );
}
