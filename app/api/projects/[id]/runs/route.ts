import { BODY_LIMITS } from '@/app/_lib/body-limits';
import { createRun, listRuns } from '@/lib/db/runs';
import { jsonResult, owned, readJson, refuseLarge } from '@/app/api/_lib/http';

type Context = { params: Promise<{ id: string }> };

export const GET = owned(async (owner, _request, { params }: Context) => jsonResult(await listRuns(owner, (await params).id)));

export const POST = owned(async (owner, request, { params }: Context) => {
  const refused = refuseLarge(request, BODY_LIMITS.runCreate);
  if (refused) return refused;
  return jsonResult(await createRun(owner, (await params).id, await readJson(request)), 201);
});
