import { DATASET_LIMITS } from '@/lib/data/limits';
import { GRAPH_LIMITS } from '@/lib/graph/schema';
import { MAX_REPORT_POINT_BYTES } from '@/lib/train/protocol';

/**
 * The most each write may send, known from its method and path alone: the
 * server refuses a longer body from its Content-Length, before reading any
 * of it (app/_lib/admission.ts), and each route checks the same number
 * again. One table, so that a route's limit is stated once.
 */
const KiB = 1024;
const MiB = 1024 * KiB;

export const BODY_LIMITS = {
  /** POST /api/datasets: the files of one import and the multipart framing around them. */
  datasetUpload: DATASET_LIMITS.uploadBytes + 4 * MiB,
  /** POST /api/runs/:id/checkpoints: a checkpoint's manifest and weights, as a form. */
  checkpoint: 200 * MiB,
  /** POST /api/projects/:id/runs: the graph trained and the run's settings. */
  runCreate: GRAPH_LIMITS.bytes + 64 * KiB,
  /** PATCH /api/runs/:id: a report, whose points are at most MAX_REPORT_POINT_BYTES. */
  runReport: 2 * MAX_REPORT_POINT_BYTES,
  /** PUT /api/runs/:id/pictures/:kind/:index: one PNG grid. */
  picture: 2 * MiB,
  /** PUT /api/projects/:id/graph: the graph saved, and the graph of a save whose reply was lost. */
  graphSave: 2 * GRAPH_LIMITS.bytes + 64 * KiB,
  /** A server action's arguments (names, ids, a sign-in form): far below what React's decoder counts up to (a million values). */
  action: 512 * KiB,
  /** POST /api/runs/:id/interrupt: the closing page's beacon with its last report (browsers carry 64 KiB of those per page). */
  runLeave: 64 * KiB,
  /** Any other write (sign-in and sign-up JSON, a route that takes no body). */
  other: 64 * KiB,
} as const;

/** Which limit each API write has: method and path (segments as `[^/]+`). */
const ROUTES: { method: string; path: RegExp; limit: keyof typeof BODY_LIMITS; what: string }[] = [
  { method: 'POST', path: /^\/api\/datasets$/, limit: 'datasetUpload', what: 'a dataset upload' },
  { method: 'POST', path: /^\/api\/runs\/[^/]+\/checkpoints$/, limit: 'checkpoint', what: 'a checkpoint' },
  { method: 'POST', path: /^\/api\/projects\/[^/]+\/runs$/, limit: 'runCreate', what: 'a new run' },
  { method: 'PATCH', path: /^\/api\/runs\/[^/]+$/, limit: 'runReport', what: 'a run report' },
  { method: 'POST', path: /^\/api\/runs\/[^/]+\/interrupt$/, limit: 'runLeave', what: "a closing page's last report" },
  { method: 'PUT', path: /^\/api\/runs\/[^/]+\/pictures\/[^/]+\/[^/]+$/, limit: 'picture', what: 'a picture' },
  { method: 'PUT', path: /^\/api\/projects\/[^/]+\/graph$/, limit: 'graphSave', what: 'a saved graph' },
];

export interface BodyLimit {
  bytes: number;
  /** What the request is, for the refusal. */
  what: string;
}

/** The limit of a write to `pathname`: a route's own, a server action's (any write to a page), or the small default. */
export function bodyLimit(method: string, pathname: string): BodyLimit {
  const route = ROUTES.find((r) => r.method === method && r.path.test(pathname));
  if (route) return { bytes: BODY_LIMITS[route.limit], what: route.what };
  if (!pathname.startsWith('/api/')) return { bytes: BODY_LIMITS.action, what: 'a server action' };
  return { bytes: BODY_LIMITS.other, what: `a ${method} to ${pathname.length > 100 ? `${pathname.slice(0, 100)}...` : pathname}` };
}

/** The largest body any write may send: Next.js's proxy must pass at least this much on to the route (next.config.js). */
export const LARGEST_BODY = Math.max(...Object.values(BODY_LIMITS));
