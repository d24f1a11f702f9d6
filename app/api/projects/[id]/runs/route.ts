import { createRun, listRuns } from '@/lib/db/runs';
import { jsonResult, readJson } from '@/lib/http';

type Context = { params: Promise<{ id: string }> };

export async function GET(_request: Request, { params }: Context) {
  return jsonResult(await listRuns((await params).id));
}

export async function POST(request: Request, { params }: Context) {
  return jsonResult(await createRun((await params).id, await readJson(request)), 201);
}
