import { exportProject } from '@/codegen/export';
import { packageName } from '@/codegen/typescript/project';
import { zipProject } from '@/codegen/zip';
import { errorResponse, jsonError, owned } from '@/app/api/_lib/http';
import { getProject } from '@/lib/db/projects';

/**
 * GET /api/projects/:id/export: the project's saved graph as a standalone
 * TypeScript training project (zip download). 404 for an unknown project,
 * 400 with `{ error }` naming each problem when the graph cannot be exported.
 */
type Context = { params: Promise<{ id: string }> };

export const GET = owned(async (owner, _request, { params }: Context): Promise<Response> => {
  const project = await getProject(owner, (await params).id);
  if (!project.ok) return errorResponse(project.error);
  const exported = exportProject(project.value.graph);
  if (!exported.ok) return jsonError(exported.error);
  // Named after the project, reduced to [a-z0-9-]: safe in a header and as a file and folder name.
  const name = packageName(project.value.name);
  return new Response(new Uint8Array(zipProject(exported.value, name)), {
    headers: {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="${name}.zip"`,
      'Cache-Control': 'no-store',
    },
  });
});
