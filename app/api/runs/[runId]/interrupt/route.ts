import { interruptRun } from '@/lib/db/runs';
import { jsonResult, owned } from '@/app/api/_lib/http';

/** Sent with navigator.sendBeacon as the training tab closes. */
export const POST = owned(async (owner, _request, { params }: { params: Promise<{ runId: string }> }) => jsonResult(await interruptRun(owner, (await params).runId)));
