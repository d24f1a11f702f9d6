import type { RunDetail, RunSummary } from '@/lib/db/runs';
import { MANIFEST_FILE, unzipCheckpoint, WEIGHTS_FILE, type EncodedCheckpoint } from '@/lib/train/checkpoint';

/** The runs API as the page (and the training worker) uses it. A failed request throws the server's message (which names the field). */
async function request(url: string, init?: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `${init?.method ?? 'GET'} ${url}: HTTP ${response.status}`);
  }
  return response;
}

export async function requestJson<T>(url: string, init?: RequestInit): Promise<T> {
  return (await (await request(url, init)).json()) as T;
}

export const jsonBody = (method: string, body: unknown): RequestInit => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

export const listRuns = (projectId: string) => requestJson<RunSummary[]>(`/api/projects/${projectId}/runs`);

export const loadRun = (runId: string) => requestJson<RunDetail>(`/api/runs/${runId}`);

export async function loadCheckpoint(checkpointId: string): Promise<EncodedCheckpoint> {
  const zip = unzipCheckpoint(new Uint8Array(await (await request(`/api/checkpoints/${checkpointId}`)).arrayBuffer()));
  if (!zip.ok) throw new Error(zip.error);
  return zip.value;
}

/** Stores a checkpoint with its run: a form of its two files. */
export function saveCheckpoint(runId: string, checkpoint: EncodedCheckpoint): Promise<{ id: string; iteration: number }> {
  const form = new FormData();
  form.set(MANIFEST_FILE, JSON.stringify(checkpoint.manifest));
  form.set(WEIGHTS_FILE, new Blob([new Uint8Array(checkpoint.weights)]), WEIGHTS_FILE);
  return requestJson(`/api/runs/${encodeURIComponent(runId)}/checkpoints`, { method: 'POST', body: form });
}

/** Marks a run interrupted now (its page is gone): what the closing tab's beacon does, sent by the page that replaced it. */
export async function interruptRun(runId: string): Promise<void> {
  await request(`/api/runs/${encodeURIComponent(runId)}/interrupt`, { method: 'POST' });
}
