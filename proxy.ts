import { NextResponse, type NextRequest } from 'next/server';
import { contentSecurityPolicy, foreignOrigin, malformedForm, malformedPath } from '@/app/_lib/protection';

/**
 * Runs before every page and API request: refuses malformed URLs (400) and
 * cross-site writes (403), and gives each page a fresh CSP nonce (Next.js
 * puts it on its own scripts).
 */
export async function proxy(request: NextRequest) {
  if (malformedPath(request.nextUrl.pathname)) return Response.json({ error: 'Malformed URL: its path is not valid percent-encoded UTF-8' }, { status: 400 });
  const foreign = foreignOrigin(request);
  if (foreign) return Response.json({ error: `Refused: a ${request.method} from another site (${foreign})` }, { status: 403 });
  if (request.nextUrl.pathname.startsWith('/api/')) return NextResponse.next();
  if (await malformedForm(request)) return Response.json({ error: 'Malformed form: the body is not valid multipart/form-data' }, { status: 400 });

  const nonce = btoa(crypto.randomUUID());
  const policy = contentSecurityPolicy(nonce, process.env.NODE_ENV === 'development');
  const headers = new Headers(request.headers);
  headers.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  // Not the build's static files: they are immutable and carry the static headers of next.config.js.
  matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'],
};
