import type { RunSummary } from '@/lib/db/runs';
import { interruptRun, listRuns } from './http';

/**
 * A run outlives its page. While this tab trains a run, sessionStorage (kept
 * across a reload of the same tab) names it; the page that opens next in
 * this tab knows that nothing trains that run any more and marks it
 * interrupted at once, whether or not the closing page's beacon arrived (on
 * a reload, the new page is requested before the old one sends it).
 */
const KEY = 'netloom.training-run';

interface Marker {
  projectId: string;
  runId: string;
}

function session(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

export function rememberTraining(marker: Marker) {
  try {
    session()?.setItem(KEY, JSON.stringify(marker));
  } catch {
    // Without storage, the beacon and the server's heartbeat check still mark the run.
  }
}

export function forgetTraining(runId: string) {
  const marker = read();
  if (marker?.runId === runId) session()?.removeItem(KEY);
}

function read(): Marker | undefined {
  try {
    const value = JSON.parse(session()?.getItem(KEY) ?? 'null') as Partial<Marker> | null;
    return typeof value?.projectId === 'string' && typeof value.runId === 'string' ? { projectId: value.projectId, runId: value.runId } : undefined;
  } catch {
    return undefined;
  }
}

/** The project's last run, after marking interrupted the run this tab was training when it was reloaded or left. */
export async function lastRun(projectId: string): Promise<RunSummary | undefined> {
  const marker = read();
  if (marker?.projectId === projectId) {
    await interruptRun(marker.runId).catch(() => undefined);
    session()?.removeItem(KEY);
  }
  return (await listRuns(projectId))[0];
}
