import { createRequire } from 'node:module';
import { NextRequest } from 'next/server';
import { afterEach, describe, expect, it } from 'vitest';
import { BODY_LIMITS, bodyLimit, LARGEST_BODY } from '@/app/_lib/body-limits';
import { proxy } from '@/proxy';

/**
 * What the server refuses from a request's headers alone (app/_lib/admission.ts,
 * asked by the proxy and, before any body is read, by scripts/serve.ts): a
 * body over its route's limit (413) or of unknown length (411), and in shared
 * mode an API write without a session cookie this server signed (401). Each
 * request here has a body that fails the test if anything reads it.
 */
const SECRET = 'a-test-secret-of-at-least-32-characters!';
const saved = { ...process.env };
afterEach(() => {
  for (const key of ['NETLOOM_MODE', 'BETTER_AUTH_SECRET', 'BETTER_AUTH_URL']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});
const shared = () => Object.assign(process.env, { NETLOOM_MODE: 'shared', BETTER_AUTH_SECRET: SECRET, BETTER_AUTH_URL: 'http://localhost:3000' });

let reads = 0;
/** A body that counts any attempt to read it, and fails it. */
const untouchable = () =>
  new ReadableStream<Uint8Array>({
    pull(controller) {
      reads += 1;
      controller.error(new Error('the body was read'));
    },
  }, { highWaterMark: 0 });

function request(method: string, path: string, headers: Record<string, string>) {
  return new NextRequest(`http://localhost:3000${path}`, { method, headers: { Host: 'localhost:3000', ...headers }, body: untouchable(), duplex: 'half' } as unknown as ConstructorParameters<typeof NextRequest>[1]);
}

/** Each write the table names, at a path it matches. */
const WRITES: [string, string, keyof typeof BODY_LIMITS][] = [
  ['POST', '/api/datasets', 'datasetUpload'],
  ['POST', '/api/runs/r1/checkpoints', 'checkpoint'],
  ['POST', '/api/projects/p1/runs', 'runCreate'],
  ['PATCH', '/api/runs/r1', 'runReport'],
  ['PUT', '/api/runs/r1/pictures/samples/3', 'picture'],
  ['PUT', '/api/projects/p1/graph', 'graphSave'],
  ['POST', '/', 'action'],
  ['POST', '/projects/p1', 'action'],
  ['POST', '/api/auth/sign-in/email', 'other'],
  ['POST', '/api/runs/r1/interrupt', 'other'],
];

/** The session cookie Better Auth sets: the token, a dot, base64 of its HMAC-SHA256 under the secret; URI-encoded. */
async function sessionCookie(token: string, secret = SECRET) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const signature = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(token)))));
  return `better-auth.session_token=${encodeURIComponent(`${token}.${signature}`)}`;
}

describe('from its headers alone, the server', () => {
  it('refuses a body over its route\'s limit with a 413 naming the limit', async () => {
    reads = 0;
    for (const [method, path, limit] of WRITES) {
      expect(bodyLimit(method, path).bytes, path).toBe(BODY_LIMITS[limit]);
      const response = await proxy(request(method, path, { 'Content-Length': String(BODY_LIMITS[limit] + 1) }));
      expect({ path, status: response.status }).toEqual({ path, status: 413 });
      expect((await response.json()).error).toMatch(`of ${BODY_LIMITS[limit] + 1} bytes; the limit is ${BODY_LIMITS[limit]} bytes`);
    }
    expect(reads).toBe(0);
  });

  it('refuses a write that does not say its length with a 411', async () => {
    reads = 0;
    for (const [method, path] of WRITES) {
      const response = await proxy(request(method, path, { 'Transfer-Encoding': 'chunked' }));
      expect({ path, status: response.status }).toEqual({ path, status: 411 });
    }
    expect(reads).toBe(0);
  });

  it('lets an API write within its limit through without reading it', async () => {
    reads = 0;
    for (const [method, path, limit] of WRITES.filter(([, path]) => path.startsWith('/api/'))) {
      const response = await proxy(request(method, path, { 'Content-Length': String(BODY_LIMITS[limit]) }));
      expect({ path, passed: response.headers.get('x-middleware-next') }).toEqual({ path, passed: '1' });
    }
    expect(reads).toBe(0);
  });

  it('refuses an API write in shared mode without a session cookie this server signed, and lets one with it through', async () => {
    shared();
    reads = 0;
    const cookies = { none: undefined, forged: await sessionCookie('stolen-token', 'another-secret-of-at-least-32-characters'), truncated: (await sessionCookie('t')).slice(0, -6) };
    for (const [method, path] of WRITES.filter(([, path]) => path.startsWith('/api/') && !path.startsWith('/api/auth/'))) {
      for (const [name, cookie] of Object.entries(cookies)) {
        const response = await proxy(request(method, path, { 'Content-Length': '10', ...(cookie && { Cookie: cookie }) }));
        expect({ path, name, status: response.status }).toEqual({ path, name, status: 401 });
        expect((await response.json()).kind).toBe('signed-out');
      }
      const signed = await proxy(request(method, path, { 'Content-Length': '10', Cookie: `theme=dark; ${await sessionCookie('a-session-token')}` }));
      expect({ path, passed: signed.headers.get('x-middleware-next') }).toEqual({ path, passed: '1' });
    }
    // Signing in needs no account yet.
    expect((await proxy(request('POST', '/api/auth/sign-in/email', { 'Content-Length': '10' }))).headers.get('x-middleware-next')).toBe('1');
    expect(reads).toBe(0);
  });
});

describe("Next.js's own limits (next.config.js)", () => {
  it('stay above every write\'s, so that a body is refused by the app with its limit named, never cut short or failed by Next.js', () => {
    const config = createRequire(import.meta.url)('../../../next.config.js') as { experimental: { serverActions: { bodySizeLimit: string }; proxyClientMaxBodySize: string } };
    const bytes = createRequire(import.meta.url)('next/dist/compiled/bytes') as { parse: (size: string) => number };
    expect(bytes.parse(config.experimental.proxyClientMaxBodySize)).toBeGreaterThanOrEqual(LARGEST_BODY);
    expect(bytes.parse(config.experimental.serverActions.bodySizeLimit)).toBeGreaterThan(BODY_LIMITS.action);
  });
});
