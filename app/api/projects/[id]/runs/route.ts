import { GRAPH_LIMITS } from '@/lib/graph/schema';
import { createRun, listRuns } from '@/lib/db/runs';
import { jsonResult, owned, readJson, refuseLarge } from '@/app/api/_lib/http';

type Context = { params: Promise<{ id: string }> };

export const GET = owned(async (owner, _request, { params }: Context) => jsonResult(await listRuns(owner, (await params).id)));

export const POST = owned(async (owner, request, { params }: Context) => {
  const refused = refuseLarge(request, GRAPH_LIMITS.bytes + 64 * 1024);
  if (refused) return refused;
  return jsonResult(await createRun(owner, (await params).id, await readJson(request)), 201);
});
