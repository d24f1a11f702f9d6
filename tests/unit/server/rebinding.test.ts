import { NextRequest } from 'next/server';
import { afterEach, describe, expect, it } from 'vitest';
import { proxy } from '@/proxy';
import { allowedHostNames, foreignHost } from '@/lib/auth/hosts';
import { pages, routes, serverActions } from '../../fixtures/endpoints';

/**
 * DNS rebinding, at the proxy that every request passes (pages, server
 * actions, the API, static files): a Host that is not one of the server's
 * names is refused, in both modes, whatever the method; the server's own
 * names pass. tests/e2e/rebinding.spec.ts sends the same through the real
 * server.
 */
const SHARED = { NETLOOM_MODE: 'shared', BETTER_AUTH_URL: 'https://netloom.example.org', NETLOOM_ALLOWED_HOSTS: 'team.internal, 10.0.0.5:3000', BETTER_AUTH_SECRET: 'a-test-secret-of-at-least-32-characters!' };
const MODES = { local: {}, shared: SHARED } as const;
/** Names a rebinding page may use, and Host headers that only look like an allowed name. */
const FOREIGN = ['evil.example:3000', 'evil.example', 'localhost.evil.example', '127.0.0.1.nip.io:3000', 'localhost:3000@evil.example', 'localhost evil', 'localhost:3000, evil.example', '[::2]:3000', ''];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const saved = { ...process.env };
afterEach(() => {
  for (const key of ['NETLOOM_MODE', 'BETTER_AUTH_URL', 'NETLOOM_ALLOWED_HOSTS', 'BETTER_AUTH_SECRET']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});
const inMode = (mode: keyof typeof MODES) => {
  delete process.env.BETTER_AUTH_URL;
  delete process.env.NETLOOM_ALLOWED_HOSTS;
  process.env.NETLOOM_MODE = mode;
  Object.assign(process.env, MODES[mode]);
};

/** A request as a rebinding page's browser sends it: to the attacker's name, from the attacker's origin. */
function request(method: string, path: string, host: string | null, headers: Record<string, string> = {}, body?: string) {
  const origin = `http://${host || 'evil.example'}`;
  const all: Record<string, string> = { ...(host !== null && { Host: host }), ...(method === 'GET' || method === 'HEAD' ? {} : { Origin: origin }), ...headers };
  return new NextRequest(`http://127.0.0.1:3000${path}`, { method, headers: all, body });
}

/** Every way in: each route with each method (not only those it exports), each page, each page with a server action, the static files. */
function everyRequest(host: string | null): NextRequest[] {
  const action = { 'Next-Action': '0'.repeat(40), 'Content-Type': 'text/plain;charset=UTF-8' };
  return [
    ...routes().flatMap((r) => METHODS.map((m) => request(m, r.path, host))),
    ...pages().flatMap((p) => [request('GET', p, host), request('POST', p, host, action, '[]')]),
    request('GET', '/_next/static/chunks/main.js', host),
    request('GET', '/_next/image?url=%2Fapi%2Fruns%2Fx%2Fpictures%2Fsamples%2F0&w=64&q=75', host),
    request('GET', '/favicon.ico', host),
  ];
}

describe.each(Object.keys(MODES) as (keyof typeof MODES)[])('in %s mode, the proxy', (mode) => {
  it('finds every route, page and server action to check', () => {
    expect(routes().filter((r) => r.methods.some((m) => m !== 'GET')).length).toBeGreaterThanOrEqual(7);
    expect(pages()).toContain('/');
    expect(serverActions().map((a) => a.name)).toEqual(expect.arrayContaining(['createProjectAction', 'renameProjectAction', 'deleteProjectAction', 'deleteDatasetAction', 'signInAction']));
  });

  it('refuses every request to a foreign Host with a 403 that names the host and how to allow it', async () => {
    inMode(mode);
    for (const host of [...FOREIGN, null]) {
      for (const req of everyRequest(host)) {
        const response = await proxy(req);
        const what = `${req.method} ${req.nextUrl.pathname} Host ${JSON.stringify(host)}`;
        expect(response.status, what).toBe(403);
        const { error } = await response.json();
        expect(error, what).toContain(host === null ? 'no Host header' : JSON.stringify(host));
        expect(error, what).toMatch(/DNS rebinding/);
        expect(error, what).toContain('NETLOOM_ALLOWED_HOSTS');
      }
    }
  });

  it("passes the server's own names, with any port", async () => {
    inMode(mode);
    const own = ['localhost:3000', '127.0.0.1:3100', '[::1]:3000', 'LOCALHOST', 'localhost.:3000', ...(mode === 'shared' ? ['netloom.example.org', 'team.internal:8080', '10.0.0.5'] : [])];
    for (const host of own) {
      for (const req of everyRequest(host)) {
        const response = await proxy(req);
        const what = `${req.method} ${req.nextUrl.pathname} Host ${host}: ${response.status}`;
        // An API write from nobody signed in is refused for that in shared mode (tests/unit/server/admission.test.ts), not for its Host.
        if (mode === 'shared' && /^\/api\/(?!auth\/)/.test(req.nextUrl.pathname) && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
          expect({ what, status: response.status, kind: (await response.json()).kind }).toEqual({ what, status: 401, kind: 'signed-out' });
          continue;
        }
        // Passed on (its Origin is the same host, so no cross-site refusal either).
        expect(response.headers.get('x-middleware-next'), what).toBe('1');
      }
    }
  });
});

describe("the server's names", () => {
  it('are its loopback names in local mode, whatever else is configured', () => {
    expect(allowedHostNames({ NETLOOM_MODE: 'local', BETTER_AUTH_URL: 'https://x.example', NETLOOM_ALLOWED_HOSTS: 'y.example' })).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(foreignHost('x.example', { NETLOOM_MODE: 'local', NETLOOM_ALLOWED_HOSTS: 'x.example' })).toMatch(/run in shared mode and list them in NETLOOM_ALLOWED_HOSTS/);
  });

  it("add BETTER_AUTH_URL's host and NETLOOM_ALLOWED_HOSTS in shared mode, and the refusal says which name to add", () => {
    const env = { NETLOOM_MODE: 'shared', BETTER_AUTH_URL: 'https://Netloom.Example.org:8443/app', NETLOOM_ALLOWED_HOSTS: 'https://a.example/, b.example:81 [fd00::1]' };
    expect(allowedHostNames(env)).toEqual(['localhost', '127.0.0.1', '[::1]', 'netloom.example.org', 'a.example', 'b.example', '[fd00::1]']);
    expect(foreignHost('c.example:3000', env)).toMatch(/add c\.example to NETLOOM_ALLOWED_HOSTS/);
    expect(foreignHost('[fd00::1]:3000', env)).toBeUndefined();
  });
});
