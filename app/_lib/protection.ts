import { malformedFormAction, malformedReply } from './flight';

/** What the proxy checks on every request, as pure functions of the request. */

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A path that does not decode (`/%C0`): Next.js would fail on it further in. */
export function malformedPath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

/** What a form action answers when what it was sent decodes to something other than a form. */
export const MALFORMED_FORM = 'Malformed request: this action takes a form';

/**
 * A server action's body that Next.js would answer with a 500: a call by
 * fetch (the Next-Action header) whose arguments React cannot decode, or a
 * form posted to a page (an action before hydration) that does not parse or
 * whose action parts do not (app/_lib/flight.ts). Read from a copy; the page
 * still reads the original. Its size was checked from its headers first.
 */
export async function malformedAction(request: Request): Promise<string | undefined> {
  if (request.method !== 'POST') return undefined;
  const multipart = request.headers.get('Content-Type')?.startsWith('multipart/form-data') ?? false;
  const fetched = request.headers.has('Next-Action');
  if (!fetched && !multipart) return undefined;
  let body: string | FormData;
  try {
    body = multipart ? await request.clone().formData() : await request.clone().text();
  } catch {
    return 'Malformed form: the body is not valid multipart/form-data';
  }
  const problem = fetched ? malformedReply(body) : malformedFormAction(body as FormData);
  return problem && `Malformed server action: ${problem}`;
}

/**
 * The foreign origin of a state-changing request from another site, if it is
 * one (cross-site request forgery). Browsers send Origin (and Sec-Fetch-Site)
 * on every such request; a client without them (curl, scripts) is not a
 * browser that a page could drive, and passes. (A page of another site
 * under a name rebound to this server sends a matching Origin and Host:
 * lib/auth/hosts.ts refuses its Host.)
 */
export function foreignOrigin(request: { method: string; headers: Headers }): string | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const site = request.headers.get('Sec-Fetch-Site');
  const origin = request.headers.get('Origin');
  if (site === 'cross-site' || site === 'same-site') return origin ?? site;
  if (origin === null) return undefined;
  const host = request.headers.get('Host');
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return origin;
  }
  // Host names are case-insensitive; URL lower-cases the origin's.
  return originHost === host?.toLowerCase() ? undefined : origin;
}

/**
 * The pages' policy: scripts only from this server and with this request's
 * nonce ('strict-dynamic' lets them load their chunks and the training
 * worker), WebAssembly compiled (tfjs's WASM backend), no plugins, no
 * framing, forms and requests to this server only. Inline styles stay
 * allowed: React Flow and the charts position elements with style attributes.
 */
export function contentSecurityPolicy(nonce: string, development: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' 'wasm-unsafe-eval'${development ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    // blob: reads back the object URLs the page makes (sample grids, downloads).
    "connect-src 'self' blob:",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
