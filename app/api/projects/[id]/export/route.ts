import { exportProject } from '@/codegen/export';
import { packageName } from '@/codegen/typescript/project';
import { zipProject } from '@/codegen/zip';
import { getProject } from '@/lib/db/projects';

/**
 * GET /api/projects/:id/export: the project's saved graph as a standalone
 * TypeScript training project (zip download). 404 for an unknown project,
 * 400 with `{ error }` naming each problem when the graph cannot be exported.
 */
type Context = { params: Promise<{ id: string }> };

export async function GET(_request: Request, { params }: Context): Promise<Response> {
  const project = await getProject((await params).id);
  if (!project.ok) {
    const missing = /does not exist|Not a project id/.test(project.error);
    return Response.json({ error: project.error }, { status: missing ? 404 : 400 });
  }
  const exported = exportProject(project.value.graph);
  if (!exported.ok) return Response.json({ error: exported.error }, { status: 400 });
  // Named after the project, reduced to [a-z0-9-]: safe in a header and as a file and folder name.
  const name = packageName(project.value.name);
  return new Response(new Uint8Array(zipProject(exported.value, name)), {
    headers: {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="${name}.zip"`,
      'Cache-Control': 'no-store',
    },
  });
}
