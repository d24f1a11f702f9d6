import { toNextJsHandler } from 'better-auth/next-js';
import { jsonError } from '@/app/api/_lib/http';
import { auth } from '@/lib/auth/auth';
import { serverMode } from '@/lib/auth/mode';

/** Better Auth's endpoints (sign-up, sign-in, sign-out, session), in shared mode only. */
const handle = (request: Request) => (serverMode() === 'shared' ? toNextJsHandler(auth()).POST(request) : jsonError('This server runs in local mode: there are no accounts', 404));

export const GET = handle;
export const POST = handle;
