import { BODY_LIMITS } from '@/app/_lib/body-limits';
import { jsonError, jsonResult, owned, readJson, refuseLarge } from '@/app/api/_lib/http';
import { saveGraph } from '@/lib/db/projects';

type Context = { params: Promise<{ id: string }> };

/**
 * PUT /api/projects/:id/graph: the editor's autosave, `{ expectedVersion,
 * graph, unconfirmed? }` (see saveGraph); the project's new version, or 409
 * when it was changed elsewhere. A route, not a server action: its body (two
 * graphs of up to 8 MiB) is bounded from its headers and read as plain JSON,
 * where a server action's would go through React's decoder.
 */
export const PUT = owned(async (owner, request, { params }: Context) => {
  const refused = refuseLarge(request, BODY_LIMITS.graphSave);
  if (refused) return refused;
  const body = await readJson(request);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return jsonError('A save is a JSON object: { "expectedVersion": number, "graph": {...}, "unconfirmed"?: {...} }');
  const { expectedVersion, graph, unconfirmed } = body as Record<string, unknown>;
  return jsonResult(await saveGraph(owner, (await params).id, expectedVersion, graph, unconfirmed));
});
