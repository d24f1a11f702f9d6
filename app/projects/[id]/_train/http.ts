import type { RunSummary } from '@/lib/db/runs';

/**
 * The runs API's plain JSON calls, without the checkpoint code (the editor
 * loads these when a project opens; the training panel loads the rest).
 * A failed request throws the server's message (which names the field).
 */
export async function request(url: string, init?: RequestInit): Promise<Response> {
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

/** Marks a run interrupted now (its page is gone): what the closing tab's beacon does, sent by the page that replaced it. */
export async function interruptRun(runId: string): Promise<void> {
  await request(`/api/runs/${encodeURIComponent(runId)}/interrupt`, { method: 'POST' });
}
