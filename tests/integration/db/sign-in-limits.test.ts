import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gate } from '../../../app/_lib/gate';
import { POST as authPost } from '../../../app/api/auth/[...all]/route';
import { signInAction } from '../../../app/sign-in/actions';
import { ATTEMPT_LIMITS } from '../../../lib/auth/attempts';
import { auth } from '../../../lib/auth/auth';
import { clientAddress, trustedProxies } from '../../../lib/auth/client-address';
import { migrate } from '../../../lib/db/migrate';

/**
 * Every path to a password check is rate-limited by the client's real
 * address and by the account (real SQLite database, Better Auth as shared
 * mode runs it): the sign-in page's action, which calls Better Auth on the
 * server where its own limit does not apply, and Better Auth's endpoint
 * behind the gate, where X-Forwarded-For is what the connection says unless
 * a trusted proxy says otherwise.
 */
const requestHeaders = { current: new Headers() };
vi.mock('next/headers', () => ({ headers: async () => requestHeaders.current }));
vi.mock('next/navigation', () => ({
  redirect: (to: string) => {
    throw new Error(`redirect ${to}`);
  },
}));

const PASSWORD = 'alice-password-1234';
const LIMITS = ATTEMPT_LIMITS.password;

beforeAll(async () => {
  const url = `file:${path.join(await mkdtemp(path.join(tmpdir(), 'netloom-sign-in-limits-')), 'test.db')}`;
  Object.assign(process.env, { DATABASE_URL: url, NETLOOM_MODE: 'shared', BETTER_AUTH_SECRET: 'a-test-secret-of-at-least-32-characters!', BETTER_AUTH_URL: 'http://localhost:3000' });
  await migrate(url);
  for (const email of ['alice@example.com', 'carol@example.com']) await auth().api.signUpEmail({ body: { name: 'User', email, password: PASSWORD } });
});

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
};
/** The sign-in page's action from a client at `address` (as the gate writes it). */
async function signInByPage(address: string, email: string, password: string) {
  requestHeaders.current = new Headers({ 'X-Forwarded-For': address });
  return signInAction({}, form({ email, password })).catch((error: Error) => ({ redirected: error.message }));
}

/** Better Auth's endpoint behind the gate, as scripts/serve.ts serves it (env: the gate's settings). */
async function gatedEndpoint(env: Record<string, string>) {
  const server = http.createServer(
    gate(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      const response = await authPost(new Request(`http://localhost:3000${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined }));
      res.writeHead(response.status, { 'Content-Type': 'application/json' });
      res.end(Buffer.from(await response.arrayBuffer()));
    }, env),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const signIn = (email: string, forwardedFor: string) =>
    new Promise<{ status: number; body: { message?: string; error?: string } }>((resolve, reject) => {
      const body = JSON.stringify({ email, password: 'a-wrong-password' });
      const request = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: '/api/auth/sign-in/email', headers: { Host: 'localhost:3000', Origin: 'http://localhost:3000', 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'X-Forwarded-For': forwardedFor } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (c: Buffer) => chunks.push(c));
          response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  return { signIn, close: () => new Promise((resolve) => server.close(resolve)) };
}

const servers: { close: () => Promise<unknown> }[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
});

describe('the sign-in page', () => {
  it('refuses an account past its limit, from whatever address, without checking the password (even the right one)', async () => {
    for (let i = 0; i < LIMITS.account.max; i++) {
      expect(await signInByPage(`10.0.0.${i + 1}`, 'alice@example.com', `guess-number-${i}`)).toMatchObject({ error: expect.stringMatching(/invalid email or password/i) });
    }
    const refused = await signInByPage('10.0.0.200', 'alice@example.com', PASSWORD);
    expect(refused).toMatchObject({ error: expect.stringContaining(`Too many password attempts at this account (${LIMITS.account.max} in 15 minutes)`) });
    // The refusal reads the same for an email with no account: it tells nobody who has one.
    for (let i = 0; i < LIMITS.account.max; i++) await signInByPage(`10.0.1.${i + 1}`, 'nobody@example.com', 'x');
    expect(await signInByPage('10.0.1.200', 'nobody@example.com', 'x')).toMatchObject({ error: refused && 'error' in refused ? refused.error : '' });
  });

  it('refuses an address past its limit, whatever account it tries; a right password gives its attempt back', async () => {
    expect(await signInByPage('10.0.2.1', 'carol@example.com', PASSWORD)).toEqual({ redirected: 'redirect /' });
    for (let i = 0; i < LIMITS.address.max; i++) await signInByPage('10.0.2.1', `user${i}@example.com`, 'x');
    expect(await signInByPage('10.0.2.1', 'carol@example.com', PASSWORD)).toMatchObject({ error: expect.stringContaining('Too many password attempts from this address') });
    expect(await signInByPage('10.0.2.2', 'carol@example.com', PASSWORD)).toEqual({ redirected: 'redirect /' });
  });
});

describe("Better Auth's sign-in endpoint behind the gate", () => {
  it('counts every request from one connection as one client, whatever X-Forwarded-For it claims', async () => {
    const endpoint = await gatedEndpoint({});
    servers.push(endpoint);
    for (let i = 0; i < LIMITS.address.max; i++) expect((await endpoint.signIn(`spray${i}@example.com`, `203.0.113.${i + 1}`)).status).toBe(401);
    const refused = await endpoint.signIn('spray-last@example.com', '203.0.113.250');
    expect(refused.status).toBe(429);
    expect(refused.body.error).toContain('Too many password attempts from this address');
  });

  it("believes a trusted proxy's X-Forwarded-For: its clients are counted apart", async () => {
    const endpoint = await gatedEndpoint({ NETLOOM_TRUSTED_PROXIES: '127.0.0.0/8' });
    servers.push(endpoint);
    for (let i = 0; i < LIMITS.address.max + 5; i++) expect((await endpoint.signIn(`proxied${i}@example.com`, `198.51.100.${i + 1}`)).status).toBe(401);
    // One client behind the proxy is still one client, and shares the account's limit with the sign-in page.
    for (let i = 0; i < LIMITS.address.max; i++) await endpoint.signIn(`one${i}@example.com`, '198.51.100.77');
    expect((await endpoint.signIn('one-more@example.com', '198.51.100.77')).status).toBe(429);
  });
});

describe("the client's address", () => {
  it('is the connection\'s peer, unless a trusted proxy forwarded the request', () => {
    const none = trustedProxies({});
    expect(clientAddress('127.0.0.1', '1.2.3.4', none)).toBe('127.0.0.1');
    expect(clientAddress('::ffff:10.0.0.9', undefined, none)).toBe('10.0.0.9');
    const proxies = trustedProxies({ NETLOOM_TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8 192.0.2.7' });
    expect(clientAddress('10.0.0.2', '1.2.3.4', proxies)).toBe('1.2.3.4');
    // Read from the right: what the client itself put first is not believed past the first untrusted hop.
    expect(clientAddress('10.0.0.2', '6.6.6.6, 1.2.3.4, 192.0.2.7', proxies)).toBe('1.2.3.4');
    expect(clientAddress('fd00::1', ['5.6.7.8', '10.1.1.1'], proxies)).toBe('5.6.7.8');
    expect(clientAddress('10.0.0.2', 'not-an-address', proxies)).toBe('10.0.0.2');
    expect(() => trustedProxies({ NETLOOM_TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/NETLOOM_TRUSTED_PROXIES: "10.0.0.0\/33" is not an address or a CIDR range/);
  });
});
