import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { exportPool } from '@/app/_lib/export-thread';
import type { GraphDoc } from '@/lib/graph/schema';

/**
 * The export threads as the server runs them, with a stand-in exporter that
 * takes as long as each request says (busy, as a real export is, or
 * forever): one user's exports never hold up another's, and an export past
 * the time limit is stopped without stopping the next.
 */
const EXPORTER = `
  const { parentPort } = require('node:worker_threads');
  parentPort.on('message', ({ id, graph }) => {
    const end = graph.ms < 0 ? Infinity : Date.now() + graph.ms;
    while (Date.now() < end) {}
    parentPort.postMessage({ id, ok: true, zip: new Uint8Array([graph.tag]) });
  });`;
const start = () => new Worker(EXPORTER, { eval: true });
/** A request that takes `ms` (negative: forever) and answers `tag`. */
const graph = (ms: number, tag: number) => ({ ms, tag }) as unknown as GraphDoc;

describe('export threads', () => {
  it("run an owner's exports one at a time, and the next owner's before that owner's second", async () => {
    const pool = exportPool({ threads: 1, timeoutMs: 10_000, waitingPerOwner: 2, start });
    const done: string[] = [];
    const track = (name: string, promise: Promise<unknown>) => promise.then(() => done.push(name));
    await Promise.all([track('alice 1', pool.exportZip('alice', graph(200, 1), 'a', {})), track('alice 2', pool.exportZip('alice', graph(200, 2), 'a', {})), track('bob 1', pool.exportZip('bob', graph(10, 3), 'b', {}))]);
    expect(done).toEqual(['alice 1', 'bob 1', 'alice 2']);
  });

  it("answer another owner at once while one owner's long export runs", async () => {
    const pool = exportPool({ threads: 2, timeoutMs: 10_000, waitingPerOwner: 2, start });
    const long = pool.exportZip('alice', graph(1000, 1), 'a', {});
    const began = performance.now();
    const quick = await pool.exportZip('bob', graph(10, 2), 'b', {});
    expect(quick).toEqual({ ok: true, value: new Uint8Array([2]) });
    expect(performance.now() - began).toBeLessThan(600);
    expect(await long).toEqual({ ok: true, value: new Uint8Array([1]) });
  });

  it('stop an export past the time limit, saying so, and go on with the next', async () => {
    const pool = exportPool({ threads: 1, timeoutMs: 300, waitingPerOwner: 2, start });
    const [stuck, next] = await Promise.all([pool.exportZip('alice', graph(-1, 1), 'a', {}), pool.exportZip('alice', graph(10, 2), 'a', {})]);
    expect(stuck).toEqual({ ok: false, error: { message: expect.stringContaining('took longer than 0.3 s and was stopped'), crashed: false } });
    expect(next).toEqual({ ok: true, value: new Uint8Array([2]) });
  });

  it('refuse an owner a new export while too many of theirs wait', async () => {
    const pool = exportPool({ threads: 1, timeoutMs: 10_000, waitingPerOwner: 2, start });
    const running = [pool.exportZip('alice', graph(300, 1), 'a', {}), pool.exportZip('alice', graph(10, 2), 'a', {}), pool.exportZip('alice', graph(10, 3), 'a', {})];
    expect(await pool.exportZip('alice', graph(10, 4), 'a', {})).toEqual({ ok: false, error: { message: expect.stringContaining('exports are under way already'), crashed: false, busy: true } });
    expect((await Promise.all(running)).map((r) => r.ok)).toEqual([true, true, true]);
  });
});
