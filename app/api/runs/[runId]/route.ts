import { getRun, updateRun } from '@/lib/db/runs';
import { jsonResult, readJson, refuseLarge } from '@/app/api/_lib/http';

type Context = { params: Promise<{ runId: string }> };

export async function GET(_request: Request, { params }: Context) {
  return jsonResult(await getRun((await params).runId));
}

export async function PATCH(request: Request, { params }: Context) {
  const refused = refuseLarge(request, 32 * 1024 * 1024);
  if (refused) return refused;
  return jsonResult(await updateRun((await params).runId, await readJson(request)));
}
