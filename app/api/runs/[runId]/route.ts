import { getRun, updateRun } from '@/lib/db/runs';
import { jsonResult, readJson } from '@/lib/http';

type Context = { params: Promise<{ runId: string }> };

export async function GET(_request: Request, { params }: Context) {
  return jsonResult(await getRun((await params).runId));
}

export async function PATCH(request: Request, { params }: Context) {
  return jsonResult(await updateRun((await params).runId, await readJson(request)));
}
