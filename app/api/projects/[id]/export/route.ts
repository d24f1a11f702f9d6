import { exportZip } from '@/app/_lib/export-thread';
import { errorResponse, jsonError, owned } from '@/app/api/_lib/http';
import { EXPORT_TARGETS, type ExportTarget } from '@/codegen/export';
import { packageName } from '@/codegen/typescript/project';
import { datasetFolders } from '@/lib/db/datasets';
import { getProject } from '@/lib/db/projects';

/**
 * GET /api/projects/:id/export[?target=typescript|pytorch]: the project's
 * saved graph as a standalone training project with its data (zip download),
 * made in an export thread (one running per user at a time, a time limit per
 * export: app/_lib/export-thread.ts).
 * 404 for an unknown project, 400 with `{ error }` naming each problem when
 * the graph cannot be exported (or its export ran past the time limit), 429
 * while this user has exports waiting already.
 */
type Context = { params: Promise<{ id: string }> };

export const GET = owned(async (owner, request, { params }: Context): Promise<Response> => {
  const target = new URL(request.url).searchParams.get('target') ?? 'typescript';
  if (!EXPORT_TARGETS.includes(target as ExportTarget)) return jsonError(`target must be one of ${EXPORT_TARGETS.join(', ')}, got "${target}"`);
  const project = await getProject(owner, (await params).id);
  if (!project.ok) return errorResponse(project.error);
  const folders = await datasetFolders(owner, project.value.graph);
  if (!folders.ok) return errorResponse(folders.error);
  const zip = await exportZip(owner.userId ?? 'local', project.value.graph, project.value.name, folders.value, target as ExportTarget);
  if (!zip.ok && zip.error.busy) return Response.json({ error: zip.error.message }, { status: 429, headers: { 'Retry-After': '10' } });
  if (!zip.ok) return jsonError(zip.error.message, zip.error.crashed ? 500 : 400);
  // Named after the project, reduced to [a-z0-9-]: safe in a header and as a file and folder name.
  const name = `${packageName(project.value.name)}${target === 'pytorch' ? '-pytorch' : ''}`;
  return new Response(new Uint8Array(zip.value), {
    headers: {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="${name}.zip"`,
      'Cache-Control': 'no-store',
    },
  });
});
