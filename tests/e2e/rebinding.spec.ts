import { readdirSync } from 'node:fs';
import http from 'node:http';
import { expect, test } from '@playwright/test';
import { PORT, SHARED_PORT } from '../../playwright.config';
import { builtActions, pages, routes, serverActions } from '../fixtures/endpoints';

/**
 * DNS rebinding against the running servers: a page of another site whose
 * name now points at the server sends its requests with that name in Host
 * and a matching Origin. Every route (each method it exports), page, server
 * action (by its id in the build) and static file answers such a request
 * with a 403 naming the host, in local and in shared mode; the same
 * requests under the server's own name go through.
 */
interface Answer {
  status: number;
  text: string;
}

/** A raw HTTP request to 127.0.0.1:port with the Host header given (a browser sends the name it resolved). */
function send(port: number, method: string, path: string, host: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const writes = !['GET', 'HEAD'].includes(method);
    const request = http.request({ host: '127.0.0.1', port, method, path, headers: { Host: host, ...(writes && { Origin: `http://${host}` }), ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** A call of a server action as the browser's fetch sends it: its id in Next-Action, its arguments encoded as a reply. */
const actionCall = (id: string, args: unknown[]) => ({ headers: { 'Next-Action': id, 'Content-Type': 'text/plain;charset=UTF-8', Accept: 'text/x-component' }, body: JSON.stringify(args) });

const expectRefused = (answer: Answer, host: string, what: string) => {
  expect(answer.status, `${what}: ${answer.text.slice(0, 200)}`).toBe(403);
  expect(JSON.parse(answer.text).error, what).toContain(`"${host}"`);
  expect(JSON.parse(answer.text).error, what).toContain('NETLOOM_ALLOWED_HOSTS');
};

for (const [mode, port] of [['local', PORT], ['shared', SHARED_PORT]] as const) {
  test(`${mode} mode: every route, page, server action and static file refuses a foreign Host`, async () => {
    const host = `evil.example:${port}`;
    const actions = builtActions();
    // The build's actions are the source's (an action no page uses is not in the build, and cannot be called).
    const declared = serverActions().map((a) => a.name);
    for (const action of actions) expect(declared).toContain(action.name);
    expect(actions.map((a) => a.name)).toEqual(expect.arrayContaining(['createProjectFormAction', 'renameProjectAction', 'restoreRevisionAction', 'deleteProjectAction', 'deleteDatasetAction', 'signInAction']));
    const chunk = readdirSync('.next/static/chunks').find((f) => f.endsWith('.js'))!;

    let sent = 0;
    for (const route of routes()) {
      for (const method of route.methods) {
        expectRefused(await send(port, method, route.path, host, { 'Content-Type': 'application/json' }, method === 'GET' ? undefined : '{}'), host, `${method} ${route.path}`);
        sent += 1;
      }
    }
    for (const page of pages()) {
      expectRefused(await send(port, 'GET', page, host), host, `GET ${page}`);
      sent += 1;
    }
    for (const action of actions) {
      const call = actionCall(action.id, []);
      expectRefused(await send(port, 'POST', action.page, host, call.headers, call.body), host, `${action.name} on ${action.page}`);
      sent += 1;
    }
    expectRefused(await send(port, 'GET', `/_next/static/chunks/${chunk}`, host), host, 'a static chunk');
    console.log(`${mode} mode: ${sent + 1} requests under Host ${host}, all refused`);

    // Under the server's own name the same requests go through: a static file, a page, an API read.
    expect((await send(port, 'GET', `/_next/static/chunks/${chunk}`, `127.0.0.1:${port}`)).status).toBe(200);
    expect((await send(port, 'GET', mode === 'local' ? '/' : '/sign-in', `localhost:${port}`)).status).toBe(200);
    expect((await send(port, 'GET', '/api/runs/missing', `[::1]:${port}`)).status).toBe(mode === 'local' ? 404 : 401);
  });
}

test('local mode: a rebinding page can neither read, rename, delete nor export a project; the same calls under its own name can', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Project name').fill('Rebinding target');
  await page.getByLabel('Template').selectOption('gan');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/projects\//);
  const id = page.url().split('/').pop()!;
  const actions = new Map(builtActions().map((a) => [a.name, a]));
  const call = (host: string, name: string, args: unknown[]) => {
    const { headers, body } = actionCall(actions.get(name)!.id, args);
    return send(PORT, 'POST', actions.get(name)!.page, host, headers, body);
  };
  const evil = `evil.example:${PORT}`;
  const own = `127.0.0.1:${PORT}`;

  expectRefused(await send(PORT, 'GET', '/', evil), evil, 'the project list');
  expectRefused(await send(PORT, 'GET', `/api/projects/${id}/export`, evil), evil, 'the export');
  expectRefused(await call(evil, 'renameProjectAction', [id, 'Rebound']), evil, 'rename');
  expectRefused(await call(evil, 'deleteProjectAction', [id]), evil, 'delete');
  const list = await send(PORT, 'GET', '/', own);
  expect(list.text).toContain('Rebinding target');
  expect(list.text).not.toContain('Rebound');

  // The calls themselves are well formed: under the server's own name they do what they say.
  expect((await send(PORT, 'GET', `/api/projects/${id}/export`, own)).status).toBe(200);
  expect((await call(own, 'renameProjectAction', [id, 'Renamed here'])).status).toBe(200);
  expect((await send(PORT, 'GET', '/', own)).text).toContain('Renamed here');
  expect((await call(own, 'deleteProjectAction', [id])).status).toBe(200);
  expect((await send(PORT, 'GET', `/projects/${id}`, own)).status).toBe(404);
});
