import http from 'node:http';
import { expect, test } from '@playwright/test';
import { BODY_LIMITS } from '../../app/_lib/body-limits';
import { REPLY_LIMITS } from '../../app/_lib/flight';
import { PORT } from '../../playwright.config';
import { builtActions } from '../fixtures/endpoints';
import { craftedBodies, type CraftedBody } from '../fixtures/flight';

/**
 * Crafted requests against the running app, as an outsider would send them:
 * malformed and hostile paths, every method on every route, bodies that are
 * not what the route reads, lying lengths, forged server-action ids, and
 * every server action of the build called with malformed replies (broken
 * encodings, deep nesting, missing parts), arguments of the wrong types,
 * forms posted before hydration with broken action parts, and bodies over
 * the limit. None may answer 5xx; each is a 4xx (or a plain page) with a
 * reason.
 */
const IDS = ['missing', '%C0', '%E0%80', '..%2F..%2Fpackage.json', 'x'.repeat(5000), '%00', "'; DROP TABLE Project; --", '%F0%9F%92%A9', '[object Object]'];
const ROUTES = (id: string) => [
  `/api/projects/${id}/export`,
  `/api/projects/${id}/runs`,
  `/api/runs/${id}`,
  `/api/runs/${id}/interrupt`,
  `/api/runs/${id}/checkpoints`,
  `/api/runs/${id}/onnx`,
  `/api/runs/${id}/onnx?network=${id}&checkpoint=${id}`,
  `/api/runs/${id}/pictures/samples/0`,
  `/api/runs/${id}/pictures/${id}/${id}`,
  `/api/runs/${id}/pictures/samples/-1?step=NaN`,
  `/api/runs/${id}/pictures/samples/1e99?step=1e99`,
  `/api/checkpoints/${id}`,
  `/api/mnist/${id}`,
  `/api/tfjs-wasm/${id}`,
  `/api/onnxruntime-web/${id}`,
  `/api/quality/classifier/${id}`,
  `/api/auth/${id}`,
  `/projects/${id}`,
  `/${id}`,
];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const BODIES: { data?: string | Buffer; headers?: Record<string, string> }[] = [
  {},
  { data: '{', headers: { 'Content-Type': 'application/json' } },
  { data: 'null', headers: { 'Content-Type': 'application/json' } },
  { data: '[1,2,3]', headers: { 'Content-Type': 'application/json' } },
  { data: '{"iteration":1e400,"points":[{"step":-1}]}', headers: { 'Content-Type': 'application/json' } },
  { data: Buffer.from([0xff, 0xfe, 0x00, 0x89, 0x50]), headers: { 'Content-Type': 'multipart/form-data; boundary=x' } },
  { data: '--x\r\nContent-Disposition: form-data; name="checkpoint.json"\r\n\r\n{}\r\n--x--', headers: { 'Content-Type': 'multipart/form-data; boundary=x' } },
];

test('crafted requests never get a 5xx', async ({ request }) => {
  test.setTimeout(600_000);
  const failures: string[] = [];
  let sent = 0;
  const send = async (method: string, url: string, body: (typeof BODIES)[number]) => {
    sent += 1;
    const response = await request.fetch(url, { method, data: body.data, headers: body.headers, maxRedirects: 0, failOnStatusCode: false });
    if (response.status() >= 500) failures.push(`${method} ${url.slice(0, 120)} (${body.headers?.['Content-Type'] ?? 'no body'}): ${response.status()} ${(await response.text()).slice(0, 200)}`);
  };
  for (const id of IDS) {
    for (const url of ROUTES(id)) {
      for (const method of METHODS) await send(method, url, {});
      for (const body of BODIES.slice(1)) await send(url.startsWith('/api/runs') && !url.includes('pictures') ? 'PATCH' : 'POST', url, body);
      await send('PUT', url, BODIES[5]!);
    }
  }
  // Server actions with a forged or malformed action id, and a body that is not what any action reads.
  for (const action of ['0'.repeat(40), 'not-an-action', '%C0', '']) {
    for (const body of BODIES) await send('POST', '/', { data: body.data, headers: { ...body.headers, 'Next-Action': action } });
  }
  const before = sent;
  await sendActions(send);
  console.log(`crafted requests: ${sent} (server actions: ${sent - before}), answered 5xx: ${failures.length}`);
  expect(failures).toEqual([]);
  expect(sent - before).toBeGreaterThan(1000);
});

/** A crafted reply as a fetch action sends it (text, or multipart when it has several parts). */
function actionRequest(id: string, body: CraftedBody): { data: string | Buffer; headers: Record<string, string> } {
  const headers = { 'Next-Action': id, Accept: 'text/x-component' };
  if ('text' in body) return { data: body.text, headers: { ...headers, 'Content-Type': 'text/plain;charset=UTF-8' } };
  return { data: multipart(body.form), headers: { ...headers, 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` } };
}

const BOUNDARY = 'netloom-crafted';
const multipart = (entries: [string, string][]) =>
  Buffer.from(entries.map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('') + `--${BOUNDARY}--\r\n`);

/** Arguments of the wrong types for any action (each action is called with each). */
const WRONG_ARGUMENTS = [[], [null], [{}], [1, 2, 3], ['x', 'y', 'z', 'w'], [[['deep']]], ['$$', { name: 1e308 }], ['x', -1, 1.5], ['x', '$K1']];

async function sendActions(send: (method: string, url: string, body: (typeof BODIES)[number]) => Promise<void>) {
  const actions = builtActions();
  expect(actions.length).toBeGreaterThanOrEqual(10);
  // Every body to some action in turn, and the shapes that break decoders to every action.
  const crafted = craftedBodies(700);
  for (const [i, body] of crafted.entries()) {
    const action = actions[i % actions.length]!;
    await send('POST', action.page, actionRequest(action.id, body));
  }
  for (const action of actions) {
    for (const body of crafted.slice(0, 15)) await send('POST', action.page, actionRequest(action.id, body));
    for (const args of WRONG_ARGUMENTS) await send('POST', action.page, actionRequest(action.id, { text: JSON.stringify(args) }));
    // A form for a form action, or anything else, as multipart with a field per argument.
    await send('POST', action.page, actionRequest(action.id, { form: [['0', '[{},"$K1"]'], ['_1_name', 'x'], ['_1_intent', 'sign-up']] }));
  }
  // Forms posted before hydration: the action's id in a field, useActionState's parts, each broken.
  const ref = (id: string, zero: string, one?: string): [string, string][] => [['$ACTION_REF_1', ''], ['$ACTION_1:0', zero.replace('ID', id)], ...(one === undefined ? [] : [['$ACTION_1:1', one] as [string, string]]), ['$ACTION_KEY', 'k0']];
  for (const action of actions) {
    for (const form of [
      [['$ACTION_ID_' + action.id, ''], ['name', 'x']],
      [['$ACTION_ID_' + '0'.repeat(42), '']],
      ref(action.id, '{"id":"ID","bound":"$@1"}', '[{}]'),
      ref(action.id, '{"id":"ID","bound":"$@1"}'),
      ref(action.id, '{"id":"ID","bound":"$@1"}', '['),
      ref(action.id, '{"id":"ID","bound":"$@1"}', '["$T"]'),
      ref(action.id, '{'),
      ref(action.id, '[]'),
      ref(action.id, '{"id":5}'),
      ref(action.id, '{"id":"ID","bound":"$Q9"}'),
    ] as [string, string][][]) {
      await send('POST', action.page, { data: multipart(form), headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` } });
    }
  }
  // Bodies over the limit, with their length and without (chunked): refused by their headers.
  const action = actions[0]!;
  const large = Buffer.alloc(20.5 * 2 ** 20, 0x20);
  await send('POST', action.page, { data: large, headers: { 'Next-Action': action.id, 'Content-Type': 'text/plain;charset=UTF-8' } });
  await send('POST', action.page, { data: large, headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` } });
  await send('PUT', '/api/projects/missing/graph', { data: large, headers: { 'Content-Type': 'application/json' } });
}

/** A raw request (Playwright always sends a length): `length` undefined sends the body chunked. */
function raw(path: string, method: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: PORT, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode!, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

test('a body over its limit, or of unknown length, is refused with the limit named', async ({ request }) => {
  const action = builtActions().find((a) => a.name === 'renameProjectAction')!;
  const large = Buffer.alloc(20.5 * 2 ** 20, 0x20);
  const save = await request.put('/api/projects/missing/graph', { data: large, headers: { 'Content-Type': 'application/json' } });
  expect(save.status()).toBe(413);
  expect((await save.json()).error).toMatch(`a saved graph of ${large.length} bytes; the limit is ${BODY_LIMITS.graphSave} bytes`);
  const call = await request.post(action.page, { data: large, headers: { 'Next-Action': action.id, 'Content-Type': 'text/plain;charset=UTF-8' } });
  expect(call.status()).toBe(413);
  expect((await call.json()).error).toMatch(`a server action of ${large.length} bytes; the limit is ${BODY_LIMITS.action} bytes`);
  const chunked = await raw(action.page, 'POST', { 'Next-Action': action.id, 'Content-Type': 'text/plain;charset=UTF-8', 'Transfer-Encoding': 'chunked' }, Buffer.from('["x","y"]'));
  expect(chunked.status).toBe(411);
  expect(JSON.parse(chunked.text).error).toMatch('must say its length (Content-Length)');
  // Deep nesting, as the crafted requests found it (a RangeError in the decoder): a 400 naming the limit.
  const deep = await request.post(action.page, { data: `[${'['.repeat(5000)}${']'.repeat(5000)}]`, headers: { 'Next-Action': action.id, 'Content-Type': 'text/plain;charset=UTF-8' } });
  expect(deep.status()).toBe(400);
  expect((await deep.json()).error).toMatch(`more than ${REPLY_LIMITS.depth} deep`);
});
