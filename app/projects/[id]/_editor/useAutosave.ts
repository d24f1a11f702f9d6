'use client';

import { useEffect, useRef, useState } from 'react';
import type { DataResult } from '@/lib/db/errors';
import type { ProjectSummary } from '@/lib/db/projects';
import type { GraphDoc } from '@/lib/graph/schema';

export type SaveStatus = 'saved' | 'unsaved' | 'saving' | 'error';

const DELAY_MS = 600;
/** After a save whose reply was lost, try again this soon even without a new edit. */
const RETRY_MS = 3000;

/**
 * PUT /api/projects/:id/graph, its answer as the data layer's result. Throws
 * when no answer came (the network, a restart): the save may have committed.
 */
async function saveGraph(projectId: string, expectedVersion: number, graph: GraphDoc, unconfirmed: GraphDoc | undefined): Promise<DataResult<ProjectSummary>> {
  const response = await fetch(`/api/projects/${encodeURIComponent(projectId)}/graph`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ expectedVersion, graph, unconfirmed }),
  });
  const body = (await response.json().catch(() => undefined)) as { error?: string; kind?: string } | undefined;
  if (response.ok && body) return { ok: true, value: body as unknown as ProjectSummary };
  // An answer that is not the app's (a proxy's error page, a server error) says nothing of whether the save committed.
  if (!body?.error || response.status >= 500) throw new Error(`Saving answered HTTP ${response.status}`);
  const kind = (['not-found', 'invalid', 'stale', 'ended', 'signed-out'] as const).find((k) => k === body.kind) ?? 'invalid';
  return { ok: false, error: { kind, message: body.error } };
}

/**
 * Saves the document shortly after each edit, naming the version it was
 * based on. A refused save (another tab saved first, or the server rejected
 * the graph) stops autosaving and says why: nothing is overwritten, and the
 * user decides (reload, or export their copy). A save whose reply was lost
 * may still have committed: the next attempt names it, so the server can
 * tell the page's own write from a change made elsewhere.
 */
export function useAutosave(projectId: string, initialVersion: number, doc: GraphDoc) {
  const [status, setStatus] = useState<SaveStatus>('saved');
  const [error, setError] = useState<string>();
  const [attempt, setAttempt] = useState(0);
  const version = useRef(initialVersion);
  const saved = useRef(doc);
  const unconfirmed = useRef<GraphDoc>(undefined);
  const blocked = useRef(false);
  const inFlight = useRef<Promise<void> | undefined>(undefined);

  useEffect(() => {
    if (blocked.current) return;
    if (doc === saved.current) {
      // Back to what the server has (an undo, say): nothing to save.
      setStatus((s) => (s === 'unsaved' ? 'saved' : s));
      return;
    }
    setStatus('unsaved');
    const timer = setTimeout(() => {
      const run = async () => {
        await inFlight.current; // one save at a time, in order
        if (blocked.current || doc === saved.current) return;
        setStatus('saving');
        // A save whose reply was lost goes again first, so a newer save never lands on top of an unknown one.
        const sending = unconfirmed.current ?? doc;
        try {
          const result = await saveGraph(projectId, version.current, sending, unconfirmed.current);
          unconfirmed.current = undefined;
          if (result.ok) {
            version.current = result.value.version;
            saved.current = sending;
            setError(undefined);
            if (sending !== doc) setAttempt((a) => a + 1);
            else setStatus((s) => (s === 'saving' ? 'saved' : s));
          } else {
            blocked.current = result.error.kind === 'stale' || result.error.kind === 'not-found';
            setError(result.error.message);
            setStatus('error');
          }
        } catch {
          // The save may have committed with only its reply lost: the next attempt sends it again and says so.
          unconfirmed.current = sending;
          setError('Not saved yet: the server could not be reached. Your changes are kept here and saving is retried.');
          setStatus('error');
          setTimeout(() => setAttempt((a) => a + 1), RETRY_MS);
        }
      };
      inFlight.current = run();
    }, DELAY_MS);
    return () => clearTimeout(timer);
  }, [doc, projectId, attempt]);

  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (saved.current !== doc) e.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [doc]);

  return { status, error, version: version.current };
}
