import { getCheckpoint } from '@/lib/db/runs';
import { jsonResult, owned } from '@/app/api/_lib/http';
import { zipCheckpoint } from '@/lib/train/checkpoint';

/** The checkpoint as a zip (checkpoint.json + weights.bin): the download, and what the editor loads back. */
export const GET = owned(async (owner, _request, { params }: { params: Promise<{ checkpointId: string }> }) => {
  const checkpoint = await getCheckpoint(owner, (await params).checkpointId);
  if (!checkpoint.ok) return jsonResult(checkpoint);
  const { projectName, runNumber, manifest } = checkpoint.value;
  const file = `${projectName.replace(/[^\w.-]+/g, '_') || 'project'}-run${runNumber}-iter${manifest.iteration}.zip`;
  return new Response(new Uint8Array(zipCheckpoint(checkpoint.value)), {
    headers: { 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="${file}"`, 'Cache-Control': 'no-store' },
  });
});
