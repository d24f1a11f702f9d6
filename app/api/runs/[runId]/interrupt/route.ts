import { BODY_LIMITS } from '@/app/_lib/body-limits';
import { interruptRun } from '@/lib/db/runs';
import { jsonResult, owned, readJson, refuseLarge } from '@/app/api/_lib/http';

/**
 * Sent with navigator.sendBeacon as the training tab closes, with the page's
 * last report as its body (JSON, sent as text: a beacon's safe type), or
 * with no body by the page that replaced it.
 */
export const POST = owned(async (owner, request, { params }: { params: Promise<{ runId: string }> }) => {
  const runId = (await params).runId;
  if (!request.body) return jsonResult(await interruptRun(owner, runId));
  const refused = refuseLarge(request, BODY_LIMITS.runLeave);
  if (refused) return refused;
  return jsonResult(await interruptRun(owner, runId, await readJson(request)));
});
