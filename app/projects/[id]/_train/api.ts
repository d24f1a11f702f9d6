import type { RunDetail } from '@/lib/db/runs';
import { MANIFEST_FILE, unzipCheckpoint, WEIGHTS_FILE, type EncodedCheckpoint } from '@/lib/train/checkpoint';
import { request, requestJson } from './http';

/** The runs API as the page (and the training worker) uses it. */
export { interruptRun, jsonBody, listRuns, requestJson } from './http';

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
