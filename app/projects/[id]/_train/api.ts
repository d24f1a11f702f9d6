import type { RunDetail, RunSummary } from '@/lib/db/runs';
import { unzipCheckpoint, type EncodedCheckpoint } from '@/lib/train/checkpoint';

/** The runs API as the page uses it. A failed request throws the server's message (which names the field). */
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
