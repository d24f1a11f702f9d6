'use client';
import { useEffect, useState } from 'react';
import type { RunSummary } from '@/lib/db/runs';
import { listRuns } from './api';

const when = (date: Date | string) => new Date(date).toLocaleString();

/** The project's runs, newest first: open one, or overlay its losses on the chart. */
export function RunHistory({
  projectId,
  refresh,
  opened,
  overlaid,
  onOpen,
  onOverlay,
}: {
  projectId: string;
  refresh: number;
  opened?: string;
  overlaid?: string;
  onOpen(id: string): void;
  onOverlay(id: string | undefined): void;
}) {
  const [runs, setRuns] = useState<RunSummary[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    listRuns(projectId).then(
      (runs) => live && setRuns(runs),
      (e: Error) => live && setError(`The run history could not be loaded: ${e.message}`),
    );
    return () => {
      live = false;
    };
  }, [projectId, refresh]);

  if (error) return <p className="error">{error}</p>;
  if (!runs) return <p className="muted">Loading runs…</p>;
  if (runs.length === 0) return <p className="muted">No runs yet.</p>;
  return (
    <ul className="run-history" aria-label="Run history">
      {runs.map((run) => (
        <li key={run.id} data-status={run.status} aria-current={opened === run.id ? 'true' : undefined}>
          <span>
            <strong>#{run.number}</strong> <span className={`run-status ${run.status}`}>{run.status}</span> · {run.iteration.toLocaleString()}/
            {run.settings.iterations.toLocaleString()} · {run.backend}
            {run.itPerSec ? ` · ${run.itPerSec.toFixed(1)} it/s` : ''}
          </span>
          <small className="muted" title={run.message ?? undefined}>
            {when(run.createdAt)}
            {run.message ? ` · ${run.message}` : ''}
          </small>
          <span className="row-actions">
            <button onClick={() => onOpen(run.id)}>Open</button>
            <button onClick={() => onOverlay(overlaid === run.id ? undefined : run.id)} aria-pressed={overlaid === run.id}>
              Overlay
            </button>
          </span>
        </li>
      ))}
    </ul>
  );
}
