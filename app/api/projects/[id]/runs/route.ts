import { createRun, listRuns } from '@/lib/db/runs';
import { jsonResult, readJson, refuseLarge } from '@/app/api/_lib/http';

type Context = { params: Promise<{ id: string }> };

export async function GET(_request: Request, { params }: Context) {
  return jsonResult(await listRuns((await params).id));
}

export async function POST(request: Request, { params }: Context) {
  const refused = refuseLarge(request, 32 * 1024 * 1024);
  if (refused) return refused;
  return jsonResult(await createRun((await params).id, await readJson(request)), 201);
}
