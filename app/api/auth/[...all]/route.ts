import { toNextJsHandler } from 'better-auth/next-js';
import { jsonError } from '@/app/api/_lib/http';
import { beginAttempt, clientOf, type AttemptKind } from '@/lib/auth/attempts';
import { auth } from '@/lib/auth/auth';
import { serverMode } from '@/lib/auth/mode';
import { sessionCookie } from '@/lib/auth/session-cookie';

/** Better Auth's endpoints that check a password, by the limit they count against (lib/auth/attempts.ts). */
const PASSWORD_PATHS: Record<string, AttemptKind> = {
  '/sign-in/email': 'password',
  '/sign-up/email': 'sign-up',
  '/change-password': 'password',
  '/verify-password': 'password',
  '/delete-user': 'password',
  '/reset-password': 'password',
};

/** Whose password an endpoint checks: the email it is sent, else the session it is sent with. */
async function accountOf(request: Request): Promise<string> {
  const body = (await request
    .clone()
    .json()
    .catch(() => undefined)) as { email?: unknown } | undefined;
  return typeof body?.email === 'string' ? body.email : `session:${sessionCookie(request.headers) ?? 'none'}`;
}

/**
 * Better Auth's endpoints (sign-up, sign-in, sign-out, session), in shared
 * mode only. A password check counts against the client's address and the
 * account first (429 past a limit, the password unchecked).
 */
async function handle(request: Request): Promise<Response> {
  if (serverMode() !== 'shared') return jsonError('This server runs in local mode: there are no accounts', 404);
  const kind = request.method === 'POST' ? PASSWORD_PATHS[new URL(request.url).pathname.replace(/^\/api\/auth/, '')] : undefined;
  const attempt = kind && beginAttempt(kind, clientOf(request.headers), await accountOf(request));
  if (attempt && !attempt.ok) return Response.json({ error: attempt.message, code: 'TOO_MANY_ATTEMPTS' }, { status: 429, headers: { 'Retry-After': String(attempt.retryAfterSeconds) } });
  const response = await toNextJsHandler(auth()).POST(request);
  if (attempt) attempt.settle(response.ok);
  return response;
}

export const GET = handle;
export const POST = handle;
