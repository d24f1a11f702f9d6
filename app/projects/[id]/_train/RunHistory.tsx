'use client';
import { useEffect, useState } from 'react';
import type { RunSummary } from '@/lib/db/runs';
import { listRuns } from './api';
import { SCORE_NAMES } from '@/lib/runtime/scores';
import { speedLabel } from '@/lib/train/speed';

const when = (date: Date | string) => new Date(date).toLocaleString();

/** `FD 368 · 2.74 bits · at 5,000`: the scores that compare runs at a glance. */
function scoreSummary(values: Record<string, number>, step: number): string {
  const fd = values[SCORE_NAMES.frechet];
  const bits = values[SCORE_NAMES.entropy];
  return [fd !== undefined && `FD ${fd.toFixed(0)}`, bits !== undefined && `${bits.toFixed(2)} bits`, `at ${step.toLocaleString()}`].filter(Boolean).join(' · ');
}

/** The run this page is training, as it goes (the list's rows show what the server last heard). */
export interface LiveProgress {
  id: string;
  status: string;
  iteration: number;
  total: number;
  /** Its speed as the panel shows it (lib/train/speed.ts): the two never disagree. */
  speed: string;
}

/** The project's runs, newest first, with their progress and average speed: open one, or overlay its losses on the chart. */
export function RunHistory({
  projectId,
  refresh,
  opened,
  overlaid,
  live,
  onOpen,
  onOverlay,
}: {
  projectId: string;
  refresh: number;
  opened?: string;
  overlaid?: string;
  live?: LiveProgress;
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
      {runs.map((run) => {
        const now = live?.id === run.id ? live : undefined;
        const iteration = now?.iteration ?? run.iteration;
        const total = now?.total ?? run.settings.iterations;
        const status = now?.status ?? run.status;
        return (
        <li key={run.id} data-status={status} data-run={run.number} aria-current={opened === run.id ? 'true' : undefined}>
          <span>
            <strong>#{run.number}</strong> <span className={`run-status ${status}`}>{status}</span> · {iteration.toLocaleString()}/{total.toLocaleString()} ·{' '}
            {run.backend}
            {now ? ` · ${now.speed}` : run.averageItPerSec !== null ? ` · ${speedLabel({ ...run, active: false })}` : ''}
          </span>
          <progress max={total} value={iteration} aria-label={`Run #${run.number}: ${iteration} of ${total} iterations`} />
          {(run.scores || run.diagnoses.length > 0) && (
            <small className="run-scores" data-testid="run-scores">
              {run.scores && scoreSummary(run.scores.values, run.scores.step)}
              {run.diagnoses.map((d) => (
                <span key={d.id} className="run-diagnosis" title={`${d.evidence}. ${d.meaning}`}>
                  {' '}
                  · {d.title}
                </span>
              ))}
            </small>
          )}
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
        );
      })}
    </ul>
  );
}
