import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, foreignOrigin, malformedForm, malformedPath } from '@/app/_lib/protection';
import { foreignHost } from '@/lib/auth/hosts';

/** The build's static files: immutable, with the headers of next.config.js, no page policy. */
const STATIC = /^\/(?:_next\/static|_next\/image|favicon\.ico)(?:\/|$)/;

/**
 * Runs before every request (pages, server actions, the API and static
 * files): refuses a Host that is not one of this server's names (403: DNS
 * rebinding), malformed URLs (400) and cross-site writes (403), and gives
 * each page a fresh CSP nonce (Next.js puts it on its own scripts).
 */
export async function proxy(request: NextRequest) {
  const host = foreignHost(request.headers.get('Host'));
  if (host) return Response.json({ error: host }, { status: 403 });
  if (malformedPath(request.nextUrl.pathname)) return Response.json({ error: 'Malformed URL: its path is not valid percent-encoded UTF-8' }, { status: 400 });
  const foreign = foreignOrigin(request);
  if (foreign) return Response.json({ error: `Refused: a ${request.method} from another site (${foreign})` }, { status: 403 });
  if (request.nextUrl.pathname.startsWith('/api/') || STATIC.test(request.nextUrl.pathname)) return NextResponse.next();
  if (await malformedForm(request)) return Response.json({ error: 'Malformed form: the body is not valid multipart/form-data' }, { status: 400 });

  const nonce = btoa(crypto.randomUUID());
  const policy = contentSecurityPolicy(nonce, process.env.NODE_ENV === 'development');
  const headers = new Headers(request.headers);
  headers.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

// No matcher: every request, the build's static files included (a rebinding page may read anything the server answers).
