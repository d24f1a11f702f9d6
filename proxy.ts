import { NextResponse, type NextRequest } from 'next/server';
import { refusal } from '@/app/_lib/admission';
import { contentSecurityPolicy, malformedAction } from '@/app/_lib/protection';

/** The build's static files: immutable, with the headers of next.config.js, no page policy. */
const STATIC = /^\/(?:_next\/static|_next\/image|favicon\.ico)(?:\/|$)/;

/**
 * Runs before every request (pages, server actions, the API and static
 * files): refuses what its headers show is not to be served (a foreign
 * Host, a malformed URL, a cross-site write, a body of unknown length or
 * over its route's limit, an API write from nobody signed in:
 * app/_lib/admission.ts, which scripts/serve.ts asks before any body is
 * read), then a server action whose body Next.js could not decode (400),
 * and gives each page a fresh CSP nonce (Next.js puts it on its own scripts).
 */
export async function proxy(request: NextRequest) {
  const refused = await refusal({ method: request.method, pathname: request.nextUrl.pathname, headers: request.headers });
  if (refused) return Response.json({ error: refused.error, ...(refused.kind && { kind: refused.kind }) }, { status: refused.status });
  if (request.nextUrl.pathname.startsWith('/api/') || STATIC.test(request.nextUrl.pathname)) return NextResponse.next();
  const malformed = await malformedAction(request);
  if (malformed) return Response.json({ error: malformed }, { status: 400 });

  const nonce = btoa(crypto.randomUUID());
  const policy = contentSecurityPolicy(nonce, process.env.NODE_ENV === 'development');
  const headers = new Headers(request.headers);
  headers.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

// No matcher: every request, the build's static files included (a rebinding page may read anything the server answers).
