import { exportZip } from '@/app/_lib/export-thread';
import { errorResponse, jsonError, owned } from '@/app/api/_lib/http';
import { DEFAULT_TARGET, download, findTarget, TARGET_IDS } from '@/codegen/targets/catalog';
import { datasetFolders } from '@/lib/db/datasets';
import { getProject } from '@/lib/db/projects';

/**
 * GET /api/projects/:id/export[?target=ID][&network=G]: the project's saved graph as one
 * of the export targets (codegen/targets/catalog.ts; the first by default):
 * a standalone training project with its data (zip download), or the one
 * file the target writes (ONNX: the network G with its initial weights); made in an export thread (one running per user at
 * a time, a time limit per export: app/_lib/export-thread.ts).
 * 404 for an unknown project, 400 with `{ error }` naming each problem when
 * the graph cannot be exported (or its export ran past the time limit), 429
 * while this user has exports waiting already.
 */
type Context = { params: Promise<{ id: string }> };

export const GET = owned(async (owner, request, { params }: Context): Promise<Response> => {
  const query = new URL(request.url).searchParams;
  const id = query.get('target') ?? DEFAULT_TARGET;
  // A target that writes one network (ONNX) writes this one, with the initial weights.
  const network = query.get('network') ?? undefined;
  const target = findTarget(id);
  if (!target) return jsonError(`target must be one of ${TARGET_IDS}, got "${id}"`);
  const project = await getProject(owner, (await params).id);
  if (!project.ok) return errorResponse(project.error);
  const folders = await datasetFolders(owner, project.value.graph);
  if (!folders.ok) return errorResponse(folders.error);
  const zip = await exportZip(owner.userId ?? 'local', project.value.graph, project.value.name, folders.value, target.id, network);
  if (!zip.ok && zip.error.busy) return Response.json({ error: zip.error.message }, { status: 429, headers: { 'Retry-After': '10' } });
  if (!zip.ok) return jsonError(zip.error.message, zip.error.crashed ? 500 : 400);
  // Named after the project, reduced to [a-z0-9-] (and the target's suffix): safe in a header and as a file and folder name.
  const { file, type } = download(target, project.value.name, target.network ? network : undefined);
  return new Response(new Uint8Array(zip.value), {
    headers: {
      'Content-Type': type,
      'Content-Disposition': `attachment; filename="${file}"`,
      'Cache-Control': 'no-store',
    },
  });
});
