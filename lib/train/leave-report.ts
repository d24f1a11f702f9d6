import { pointBytes, type MetricPoint, type RunStatus } from './protocol';
import type { Diagnosis } from '../runtime/diagnostics';

/**
 * The last report of a page that is going: its progress and the points it
 * logged since its last report, sent with the interrupt as a beacon, which
 * outlives the page. Browsers carry at most 64 KiB of such requests per page,
 * so the report is cut to fit: the oldest unsent points first (the stored
 * chart stays continuous), then the scores and diagnoses if even the bare
 * progress would not fit.
 */
export const MAX_LEAVE_REPORT_BYTES = 60 * 1024;

export interface LeaveProgress {
  iteration: number;
  itPerSec: number;
  seconds: number;
  scores?: MetricPoint;
  diagnoses: Diagnosis[];
  /** How the run ended, when it ended on this page but the page goes before the server has it (Stop, then a reload). */
  status?: RunStatus;
  message?: string;
}

const bytes = (text: string) => new TextEncoder().encode(text).byteLength;

/** The report's JSON (at most `maxBytes`) and how many of `pending` it carries. */
export function leaveReport(progress: LeaveProgress, pending: readonly MetricPoint[], maxBytes = MAX_LEAVE_REPORT_BYTES): { body: string; carried: number } {
  let base = progress;
  if (bytes(JSON.stringify({ ...base, points: [] })) > maxBytes) base = { iteration: progress.iteration, itPerSec: progress.itPerSec, seconds: progress.seconds, diagnoses: [], status: progress.status };
  let size = bytes(JSON.stringify({ ...base, points: [] }));
  let carried = 0;
  for (const point of pending) {
    // A point adds its own JSON and a comma.
    const more = pointBytes([point]) - 2 + (carried > 0 ? 1 : 0);
    if (size + more > maxBytes) break;
    size += more;
    carried += 1;
  }
  return { body: JSON.stringify({ ...base, points: pending.slice(0, carried) }), carried };
}
