import { expect, test } from '@playwright/test';

/**
 * Crafted requests against the running app, as an outsider would send them:
 * malformed and hostile paths, every method on every route, bodies that are
 * not what the route reads, lying lengths, forged server-action ids. None may
 * answer 5xx; each is a 4xx (or a plain page) with a reason.
 */
const IDS = ['missing', '%C0', '%E0%80', '..%2F..%2Fpackage.json', 'x'.repeat(5000), '%00', "'; DROP TABLE Project; --", '%F0%9F%92%A9', '[object Object]'];
const ROUTES = (id: string) => [
  `/api/projects/${id}/export`,
  `/api/projects/${id}/runs`,
  `/api/runs/${id}`,
  `/api/runs/${id}/interrupt`,
  `/api/runs/${id}/checkpoints`,
  `/api/runs/${id}/pictures/samples/0`,
  `/api/runs/${id}/pictures/${id}/${id}`,
  `/api/runs/${id}/pictures/samples/-1?step=NaN`,
  `/api/runs/${id}/pictures/samples/1e99?step=1e99`,
  `/api/checkpoints/${id}`,
  `/api/mnist/${id}`,
  `/api/tfjs-wasm/${id}`,
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
  console.log(`crafted requests: ${sent}, answered 5xx: ${failures.length}`);
  expect(failures).toEqual([]);
  expect(sent).toBeGreaterThan(1000);
});
