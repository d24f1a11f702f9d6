import type { IncomingHttpHeaders, IncomingMessage, RequestListener } from 'node:http';
import { clientAddress, trustedProxies } from '@/lib/auth/client-address';
import type { Env } from '@/lib/auth/mode';
import { refusal, type Refusal, type RequestHead } from './admission';

/**
 * In front of Next.js (scripts/serve.ts), for every request: X-Forwarded-For
 * becomes the client's address (lib/auth/client-address.ts), and a request
 * its headers refuse (app/_lib/admission.ts: a foreign Host, a cross-site
 * write, a body over its route's limit or of unknown length, an API write
 * from nobody signed in) is answered at once, its body dropped as it comes
 * (never held). Next.js's proxy comes too late for that: Next.js reads a
 * request's whole body into memory before its proxy runs, and answers only
 * once the body has arrived.
 */
export function gate(next: RequestListener, env: Env = process.env): RequestListener {
  const proxies = trustedProxies(env);
  return (request, response) => {
    request.headers['x-forwarded-for'] = clientAddress(request.socket.remoteAddress ?? '', request.headers['x-forwarded-for'], proxies);
    const head = requestHead(request.method, request.url, request.headers);
    void (head ? refusal(head) : Promise.resolve<Refusal>({ status: 400, error: 'Malformed request: its headers cannot be read' })).then((refused) => {
      if (!refused) return next(request, response);
      const body = JSON.stringify({ error: refused.error, ...(refused.kind && { kind: refused.kind }) });
      response.writeHead(refused.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff' });
      response.end(body);
      discard(request);
    });
  };
}

/** How long a refused request's body is read (and dropped) before its connection is cut. */
export const DISCARD_MS = 10_000;

/**
 * Reads what is left of a refused request's body and drops it: a client
 * that sends its whole body before it reads (most do) then gets the answer
 * instead of a broken connection, and nothing is kept. One that is still
 * sending after DISCARD_MS is cut off.
 */
function discard(request: IncomingMessage) {
  if (request.complete) return;
  const timer = setTimeout(() => request.socket.destroy(), DISCARD_MS);
  timer.unref();
  request.once('close', () => clearTimeout(timer));
  request.resume();
}

/** The method, path and headers of a request as Node.js parsed them (undefined: they do not make a request). */
export function requestHead(method: string | undefined, url: string | undefined, raw: IncomingHttpHeaders): RequestHead | undefined {
  try {
    const headers = new Headers();
    for (const [name, value] of Object.entries(raw)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
    }
    // Origin-form (/path?query), or absolute-form (http://host/path) as a proxy may send it.
    const target = url ?? '/';
    const pathname = /^[a-z]+:\/\//i.test(target) ? new URL(target).pathname : target.split('?')[0]!;
    return { method: method ?? 'GET', pathname, headers };
  } catch {
    return undefined;
  }
}
