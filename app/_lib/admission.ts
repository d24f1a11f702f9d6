import { foreignHost } from '@/lib/auth/hosts';
import { serverMode, sharedSettings } from '@/lib/auth/mode';
import { hasSignedSession } from '@/lib/auth/session-cookie';
import { SIGNED_OUT_MESSAGE } from '@/lib/db/errors';
import { bodyLimit } from './body-limits';
import { foreignOrigin, malformedPath } from './protection';

/** A request before its body: what the server may decide from. */
export interface RequestHead {
  method: string;
  pathname: string;
  headers: Headers;
}

export interface Refusal {
  status: number;
  error: string;
  /** As the data layer's refusals name theirs (a signed-out write). */
  kind?: 'signed-out';
}

const READS = new Set(['GET', 'HEAD']);

/** Writes that need an account in shared mode: the API's, but for signing in (which needs none yet). */
const needsAccount = (head: RequestHead) => head.method !== 'OPTIONS' && head.pathname.startsWith('/api/') && !head.pathname.startsWith('/api/auth/');

/**
 * Whether to refuse a request from its headers alone, before a byte of its
 * body is read: a Host that is not one of this server's names (403, DNS
 * rebinding), a path that does not decode (400), a write from another site
 * (403), a write whose length is unknown (411) or over its route's limit
 * (413), and an API write in shared mode without a session cookie this
 * server signed (401). The server (scripts/serve.ts) asks before Next.js
 * sees the request; the proxy asks again for servers started otherwise.
 */
export async function refusal(head: RequestHead): Promise<Refusal | undefined> {
  const host = foreignHost(head.headers.get('Host'));
  if (host) return { status: 403, error: host };
  if (malformedPath(head.pathname)) return { status: 400, error: 'Malformed URL: its path is not valid percent-encoded UTF-8' };
  const foreign = foreignOrigin(head);
  if (foreign) return { status: 403, error: `Refused: a ${head.method} from another site (${foreign})` };
  if (READS.has(head.method)) return undefined;

  const limit = bodyLimit(head.method, head.pathname);
  const length = head.headers.get('Content-Length');
  if (length === null && head.headers.has('Transfer-Encoding')) {
    return { status: 411, error: `Refused: ${limit.what} must say its length (Content-Length), at most ${limit.bytes} bytes` };
  }
  if (length !== null && !/^\d{1,15}$/.test(length.trim())) return { status: 400, error: `Refused: Content-Length "${length.slice(0, 40)}" is not a length` };
  if (length !== null && Number(length) > limit.bytes) {
    return { status: 413, error: `Refused: ${limit.what} of ${Number(length)} bytes; the limit is ${limit.bytes} bytes` };
  }
  if (serverMode() === 'shared' && needsAccount(head) && !(await hasSignedSession(head.headers, sharedSettings().secret))) {
    return { status: 401, error: SIGNED_OUT_MESSAGE, kind: 'signed-out' };
  }
  return undefined;
}
