import { BODY_LIMITS } from '@/app/_lib/body-limits';
import { getRun, updateRun } from '@/lib/db/runs';
import { jsonResult, owned, readJson, refuseLarge } from '@/app/api/_lib/http';

type Context = { params: Promise<{ runId: string }> };

export const GET = owned(async (owner, _request, { params }: Context) => jsonResult(await getRun(owner, (await params).runId)));

export const PATCH = owned(async (owner, request, { params }: Context) => {
  const refused = refuseLarge(request, BODY_LIMITS.runReport);
  if (refused) return refused;
  return jsonResult(await updateRun(owner, (await params).runId, await readJson(request)));
});
