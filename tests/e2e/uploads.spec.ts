import http from 'node:http';
import { expect, test } from '@playwright/test';
import { BODY_LIMITS } from '../../app/_lib/body-limits';
import { PORT, SHARED_PORT } from '../../playwright.config';
import { listeningPid, residentBytes } from '../fixtures/process';

/**
 * Uploads the server refuses from their headers (a body over its route's
 * limit, a body of unknown length, an API write from nobody signed in) are
 * answered while the body is still on its way, as a client on a slow link
 * sends it (1 MiB every 20 ms), within a second, and the server's resident
 * memory (/proc) does not grow by the bodies, however many come at once.
 */
const MiB = 2 ** 20;

interface Answer {
  status: number;
  text: string;
  /** From the first byte sent to the answer. */
  ms: number;
  /** Bytes of the body sent before the answer came. */
  sent: number;
}

/** Sends `total` bytes of body, 1 MiB every 20 ms, until the server answers (chunked: with no Content-Length). */
function upload(port: number, method: string, path: string, headers: Record<string, string>, total: number, chunked = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    let sent = 0;
    let answered = false;
    const request = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, ...(chunked ? { 'Transfer-Encoding': 'chunked' } : { 'Content-Length': String(total) }) } }, (response) => {
      answered = true;
      const ms = Date.now() - start;
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode!, text: Buffer.concat(chunks).toString('utf8'), ms, sent });
      });
    });
    // The server closes a refused upload's connection: writes after its answer fail, as they should.
    request.on('error', (error) => answered || reject(error));
    const chunk = Buffer.alloc(MiB, 0x20);
    const pump = () => {
      if (answered || request.destroyed) return;
      if (sent >= total) return void request.end();
      sent += chunk.length;
      request.write(chunk, () => setTimeout(pump, 20));
    };
    pump();
  });
}

/** The highest resident memory of a process while `work` runs, sampled every 20 ms, above what it was before. */
async function growth<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; grewBy: number }> {
  const before = residentBytes(pid);
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, residentBytes(pid))), 20);
  try {
    const result = await work();
    peak = Math.max(peak, residentBytes(pid));
    return { result, grewBy: peak - before };
  } finally {
    clearInterval(timer);
  }
}

const expectFast = (answers: Answer[], status: number, what: string) => {
  for (const answer of answers) {
    expect({ what, status: answer.status }, answer.text).toEqual({ what, status });
    expect(answer.ms, what).toBeLessThan(1000);
    expect(answer.sent, what).toBeLessThanOrEqual(4 * MiB);
  }
};

test('shared mode: anonymous and oversized uploads are refused from their headers, fast and without the server holding them', async ({ request }) => {
  const pid = listeningPid(SHARED_PORT);
  expect(pid).toBeDefined();
  const form = { 'Content-Type': 'multipart/form-data; boundary=x' };
  const { result, grewBy } = await growth(pid!, () =>
    Promise.all([
      // Five 200 MB reports to a run (the case): over a report's limit.
      ...Array.from({ length: 5 }, () => upload(SHARED_PORT, 'PATCH', '/api/runs/x', { 'Content-Type': 'application/json' }, 200 * MiB)),
      // Five 200 MB dataset uploads, within the upload limit, from nobody signed in.
      ...Array.from({ length: 5 }, () => upload(SHARED_PORT, 'POST', '/api/datasets', form, 200 * MiB)),
      // And one that does not say its length.
      upload(SHARED_PORT, 'POST', '/api/datasets', form, 200 * MiB, true),
    ]),
  );
  expectFast(result.slice(0, 5), 413, 'a 200 MB report');
  expect(JSON.parse(result[0]!.text).error).toContain(`the limit is ${BODY_LIMITS.runReport} bytes`);
  expectFast(result.slice(5, 10), 401, 'an anonymous 200 MB upload');
  expect(JSON.parse(result[5]!.text).kind).toBe('signed-out');
  expectFast(result.slice(10), 411, 'an upload of unknown length');
  console.log(`11 refused uploads: answered in at most ${Math.max(...result.map((a) => a.ms))} ms, the server's memory grew by ${(grewBy / MiB).toFixed(1)} MiB`);
  expect(grewBy).toBeLessThan(64 * MiB);

  // Signed in: the session cookie Better Auth set passes the gate; an upload over the limit is still refused at once.
  const credentials = { name: 'Uploader', email: 'uploader@example.com', password: 'uploader-has-a-long-password' };
  const origin = { Origin: `http://127.0.0.1:${SHARED_PORT}` };
  expect((await request.post(`http://127.0.0.1:${SHARED_PORT}/api/auth/sign-up/email`, { data: credentials, headers: origin })).status()).toBe(200);
  const signIn = await request.post(`http://127.0.0.1:${SHARED_PORT}/api/auth/sign-in/email`, { data: credentials, headers: origin });
  expect(signIn.status()).toBe(200);
  const cookie = signIn.headersArray().find((h) => h.name.toLowerCase() === 'set-cookie' && h.value.includes('session_token'))!.value.split(';')[0]!;
  // The route itself answers (the beacon answers 200 whatever the run), where nobody signed in gets the gate's 401.
  expect((await upload(SHARED_PORT, 'POST', '/api/runs/missing/interrupt', { Cookie: cookie }, 0)).status).toBe(200);
  expect((await upload(SHARED_PORT, 'POST', '/api/runs/missing/interrupt', { Cookie: `${cookie.slice(0, -8)}AAAAAAA=` }, 0)).status).toBe(401);
  const tooLarge = await upload(SHARED_PORT, 'POST', '/api/datasets', { ...form, Cookie: cookie }, 300 * MiB);
  expectFast([tooLarge], 413, 'a signed-in 300 MB upload');
  expect(JSON.parse(tooLarge.text).error).toContain(`the limit is ${BODY_LIMITS.datasetUpload} bytes`);
});

test('local mode: an upload over its limit is refused from its headers, fast', async () => {
  const answers = await Promise.all([
    upload(PORT, 'POST', '/api/datasets', { 'Content-Type': 'multipart/form-data; boundary=x' }, 300 * MiB),
    upload(PORT, 'PUT', '/api/projects/x/graph', { 'Content-Type': 'application/json' }, 40 * MiB),
    upload(PORT, 'POST', '/', { 'Next-Action': '0'.repeat(42), 'Content-Type': 'text/plain;charset=UTF-8' }, 20 * MiB),
  ]);
  expectFast(answers, 413, 'an upload over its limit');
});
