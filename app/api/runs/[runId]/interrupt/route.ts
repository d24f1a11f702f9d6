import { interruptRun } from '@/lib/db/runs';
import { jsonResult } from '@/app/api/_lib/http';

/** Sent with navigator.sendBeacon as the training tab closes. */
export async function POST(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  return jsonResult(await interruptRun((await params).runId));
}
