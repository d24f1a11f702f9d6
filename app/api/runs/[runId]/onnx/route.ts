import { errorResponse, jsonError, owned } from '@/app/api/_lib/http';
import { exportNetworkOnnx } from '@/codegen/onnx/export';
import { onnxAbout } from '@/codegen/onnx/about';
import { download } from '@/codegen/targets/catalog';
import { getCheckpoint, getRun } from '@/lib/db/runs';

/**
 * GET /api/runs/:runId/onnx?network=G[&checkpoint=ID]: one network of the
 * run's graph as an ONNX file with the weights of one of its checkpoints
 * (the newest by default): the run history's "Download G as ONNX". Owner
 * checked as every run route (another user's run is not found). 404 for a
 * run, checkpoint or network that is not there; 400 naming the kind and the
 * reason for a network that cannot be written as ONNX.
 */
type Context = { params: Promise<{ runId: string }> };

export const GET = owned(async (owner, request, { params }: Context): Promise<Response> => {
  const query = new URL(request.url).searchParams;
  const run = await getRun(owner, (await params).runId);
  if (!run.ok) return errorResponse(run.error);
  const wanted = query.get('checkpoint') ?? run.value.checkpoints.at(-1)?.id;
  if (!wanted) return jsonError('This run has no checkpoint yet: its networks are written with a checkpoint\'s weights', 404);
  if (!run.value.checkpoints.some((c) => c.id === wanted)) return jsonError('This run has no such checkpoint (only the newest few of each run are kept)', 404);
  const checkpoint = await getCheckpoint(owner, wanted);
  if (!checkpoint.ok) return errorResponse(checkpoint.error);
  const file = exportNetworkOnnx(run.value.graph, query.get('network') ?? undefined, checkpoint.value);
  if (!file.ok) return jsonError(file.error.message, file.error.kind === 'network' ? 404 : 400);
  const name = download(onnxAbout, `${checkpoint.value.projectName} run${run.value.number}`, file.value.network).file;
  return new Response(new Uint8Array(file.value.bytes), {
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'no-store' },
  });
});
