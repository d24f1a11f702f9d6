import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { listDatasets } from '../../../lib/db/datasets';
import { migrate } from '../../../lib/db/migrate';
import { LOCAL_OWNER } from '../../../lib/db/owner';
import { pngBytes } from '../../fixtures/images';
import * as datasetsRoute from '../../../app/api/datasets/route';

/**
 * Small uploads that would decode to gigabytes: each is refused from its
 * headers (array shapes, image sizes, archive directories), against one
 * budget for the whole import, before anything is decoded: through the
 * upload route, within 5 s, and with this process's resident memory (the
 * server's, here) growing by less than 200 MB.
 */
beforeAll(async () => {
  const url = `file:${path.join(await mkdtemp(path.join(tmpdir(), 'netloom-bombs-')), 'test.db')}`;
  process.env.DATABASE_URL = url;
  await migrate(url);
});

/** A zip built as a stream: entries of `size` bytes of `fill`, deflated as they are pushed (nothing that large is ever held). */
function zipOf(entries: { name: string; head?: Uint8Array; size: number; stored?: boolean }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    parts.push(chunk);
  });
  for (const entry of entries) {
    const file = entry.stored ? new ZipPassThrough(entry.name) : new ZipDeflate(entry.name, { level: 1 });
    zip.add(file);
    const head = entry.head ?? new Uint8Array();
    file.push(head, entry.size === head.byteLength);
    const zeros = new Uint8Array(1 << 20);
    for (let left = entry.size - head.byteLength; left > 0; left -= zeros.byteLength) file.push(zeros.subarray(0, Math.min(left, zeros.byteLength)), left <= zeros.byteLength);
  }
  zip.end();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.byteLength), 0);
  return out;
}

/** A .npy header for an array of `dtype` and `shape`, padded as numpy pads it. */
function npyHeader(dtype: string, shape: number[]): Uint8Array {
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')},), }`;
  const header = dict.padEnd(Math.ceil((dict.length + 11) / 64) * 64 - 11, ' ') + '\n';
  return new Uint8Array([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 255, header.length >> 8, ...new TextEncoder().encode(header)]);
}

/** An npz of one u1 array of `images` 1024x1024 images, all zeros: about a kilobyte per megabyte. */
function npz(images: number): Uint8Array {
  const head = npyHeader('|u1', [images, 1024, 1024]);
  return zipOf([{ name: 'x_train.npy', head, size: head.byteLength + images * 1024 * 1024 }]);
}

/** POSTs files to the upload route; the response, how long it took, and how far resident memory rose meanwhile (sampled). */
async function upload(files: { name: string; bytes: Uint8Array }[]) {
  const form = new FormData();
  form.set('name', 'bomb');
  for (const f of files) form.append('files', new File([new Uint8Array(f.bytes)], f.name));
  form.set('paths', JSON.stringify(files.map((f) => f.name)));
  const request = new Request('http://localhost/api/datasets', { method: 'POST', body: form });
  const type = request.headers.get('Content-Type')!;
  const body = await request.arrayBuffer();
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const started = performance.now();
  const response = await datasetsRoute.POST(new Request('http://localhost/api/datasets', { method: 'POST', body, headers: { 'Content-Type': type, 'Content-Length': String(body.byteLength) } }), {});
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { status: response.status, error: ((await response.json()) as { error?: string }).error ?? '', seconds, grewMB: (peak - before) / 2 ** 20 };
}

describe('an upload that would decode to gigabytes', () => {
  it.each([
    // 600 images of 1024x1024 in 0.6 MB: more pixels than a dataset holds, read from the array's header.
    ['a 0.6 MB .npz of a 600 MB array', () => [{ name: 'bomb.npz', bytes: npz(600) }], /bomb\.npz\/x_train\.npy: .*|629145600 bytes of pixels: a dataset holds at most 536870912/],
    // Three of them in one zip: one budget for everything the import unpacks, counted from the directories.
    [
      'a zip of three .npz of 400 MB arrays',
      () => {
        const part = npz(400);
        return [{ name: 'bombs.zip', bytes: zipOf([0, 1, 2].map((i) => ({ name: `part${i}.npz`, head: part, size: part.byteLength, stored: true }))) }];
      },
      /bombs\.zip\/part2\.npz: unpacks to more than 1073741824 bytes, the most an import may hold/,
    ],
    // 1,500 PNGs of 1024x1024 in a small zip: sizes from each PNG's header.
    [
      'a 1.5 MB zip of 1,500 PNGs of 1024x1024',
      () => {
        const png = new Uint8Array(pngBytes(1024, 1024, () => 0));
        return [{ name: 'pngs.zip', bytes: zipOf(Array.from({ length: 1500 }, (_, i) => ({ name: `pngs/${i}.png`, head: png, size: png.byteLength }))) }];
      },
      /1572864000 bytes of pixels: a dataset holds at most 536870912/,
    ],
  ] as const)('%s is refused from its headers, in under 5 s, the server growing by under 200 MB', async (what, make, message) => {
    const files = make();
    const before = (await listDatasets(LOCAL_OWNER)).length;
    const result = await upload(files.map((f) => ({ ...f })));
    console.log(`  ${what}: ${result.status} in ${result.seconds.toFixed(2)} s, resident memory +${result.grewMB.toFixed(0)} MB: ${result.error}`);
    expect(result.status).toBe(400);
    expect(result.error).toMatch(message);
    expect(result.seconds).toBeLessThan(5);
    expect(result.grewMB).toBeLessThan(200);
    expect((await listDatasets(LOCAL_OWNER)).length).toBe(before);
  });
});
