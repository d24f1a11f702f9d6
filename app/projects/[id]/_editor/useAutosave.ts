'use client';

import { useEffect, useRef, useState } from 'react';
import type { GraphDoc } from '@/lib/graph/schema';
import { saveGraphAction } from '../../../actions';

export type SaveStatus = 'saved' | 'unsaved' | 'saving' | 'error';

const DELAY_MS = 600;

/**
 * Saves the document shortly after each edit, naming the version it was
 * based on. A refused save (another tab saved first, or the server rejected
 * the graph) stops autosaving and says why: nothing is overwritten, and the
 * user decides (reload, or export their copy).
 */
export function useAutosave(projectId: string, initialVersion: number, doc: GraphDoc) {
  const [status, setStatus] = useState<SaveStatus>('saved');
  const [error, setError] = useState<string>();
  const version = useRef(initialVersion);
  const saved = useRef(doc);
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
        try {
          const result = await saveGraphAction(projectId, version.current, doc);
          if (result.ok) {
            version.current = result.value.version;
            saved.current = doc;
            setStatus((s) => (s === 'saving' ? 'saved' : s));
          } else {
            blocked.current = result.error.kind === 'stale' || result.error.kind === 'not-found';
            setError(result.error.message);
            setStatus('error');
          }
        } catch {
          setError('Not saved: the server could not be reached. Your changes are kept here; they will be saved with your next edit.');
          setStatus('error');
        }
      };
      inFlight.current = run();
    }, DELAY_MS);
    return () => clearTimeout(timer);
  }, [doc, projectId]);

  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (saved.current !== doc) e.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [doc]);

  return { status, error, version: version.current };
}
