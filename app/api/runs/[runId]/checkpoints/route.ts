import { BODY_LIMITS } from '@/app/_lib/body-limits';
import { addCheckpoint } from '@/lib/db/runs';
import { jsonError, jsonResult, owned, refuseLarge } from '@/app/api/_lib/http';
import { MANIFEST_FILE, WEIGHTS_FILE } from '@/lib/train/checkpoint';

/** A multipart form with the two files of a checkpoint. */
export const POST = owned(async (owner, request, { params }: { params: Promise<{ runId: string }> }) => {
  const refused = refuseLarge(request, BODY_LIMITS.checkpoint);
  if (refused) return refused;
  const form = await request.formData().catch(() => undefined);
  const manifest = form?.get(MANIFEST_FILE);
  const weights = form?.get(WEIGHTS_FILE);
  if (typeof manifest !== 'string' || !(weights instanceof Blob)) return jsonError(`A checkpoint is a form with ${MANIFEST_FILE} (text) and ${WEIGHTS_FILE} (file)`);
  return jsonResult(await addCheckpoint(owner, (await params).runId, manifest, new Uint8Array(await weights.arrayBuffer())), 201);
});
