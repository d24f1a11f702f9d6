import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../../lib/compile/program';
import { LOCAL_OWNER } from '../../../lib/db/owner';
import { db } from '../../../lib/db/client';
import { migrate } from '../../../lib/db/migrate';
import { createProject } from '../../../lib/db/projects';
import { addCheckpoint, addPicture, CHECKPOINTS_KEPT, createRun, getCheckpoint, getPicture, getRun, interruptRun, listRuns, STALE_SECONDS, updateRun } from '../../../lib/db/runs';
import { getTemplate } from '../../../lib/templates';
import { encodeCheckpoint } from '../../../lib/train/checkpoint';
import { mnistData, wasm } from '../../helpers';

/** Runs, metrics, pictures and checkpoints against a real SQLite database. */
beforeAll(async () => {
  const url = `file:${path.join(await mkdtemp(path.join(tmpdir(), 'netloom-runs-')), 'test.db')}`;
  process.env.DATABASE_URL = url;
  await migrate(url);
  await wasm();
});

const gan = getTemplate('gan')!.doc;
const settings = { batchSize: 64, iterations: 100, seed: 1, sampleEvery: 10 };

async function newRun() {
  const project = await createProject(LOCAL_OWNER, { name: 'runs', template: 'gan' });
  if (!project.ok) throw new Error(project.error.message);
  const run = await createRun(LOCAL_OWNER, project.value.id, { graph: gan, settings, backend: 'wasm', series: ['D_loss', 'G_loss'] });
  if (!run.ok) throw new Error(run.error.message);
  return { projectId: project.value.id, run: run.value };
}

const png = () => {
  const image = new PNG({ width: 2, height: 2, colorType: 0, inputColorType: 0 });
  image.data = Buffer.from([0, 255, 255, 0]);
  return new Uint8Array(PNG.sync.write(image, { colorType: 0, inputColorType: 0 }));
};

describe('runs', () => {
  it('numbers runs per project and stores the graph they trained', async () => {
    const { projectId, run } = await newRun();
    expect(run).toMatchObject({ number: 1, status: 'running', settings, backend: 'wasm' });
    const second = await createRun(LOCAL_OWNER, projectId, { graph: gan, settings, backend: 'webgpu' });
    expect(second.ok && second.value.number).toBe(2);
    const list = await listRuns(LOCAL_OWNER, projectId);
    expect(list.ok && list.value.map((r) => r.number)).toEqual([2, 1]);
    const detail = await getRun(LOCAL_OWNER, run.id);
    expect(detail.ok && detail.value.graph).toEqual(gan);
  });

  it('appends points in order and refuses writes once the run has ended', async () => {
    const { run } = await newRun();
    expect((await updateRun(LOCAL_OWNER, run.id, { iteration: 2, points: [{ step: 0, values: { D_loss: 1.4 } }, { step: 1, values: { D_loss: 1.3 } }] })).ok).toBe(true);
    expect((await updateRun(LOCAL_OWNER, run.id, { iteration: 3, itPerSec: 12.5, points: [{ step: 2, values: { D_loss: 1.2, 'mean σ(D_real)': 0.6 } }] })).ok).toBe(true);
    const done = await updateRun(LOCAL_OWNER, run.id, { iteration: 3, status: 'completed' });
    expect(done.ok && done.value.status).toBe('completed');
    const late = await updateRun(LOCAL_OWNER, run.id, { iteration: 4, status: 'running', points: [{ step: 3, values: { D_loss: 9 } }] });
    expect(late).toEqual({ ok: false, error: { kind: 'ended', message: 'Run already completed: nothing more is recorded' } });
    expect(await addPicture(LOCAL_OWNER, run.id, { kind: 'samples', index: 9, step: 90 }, png())).toEqual({ ok: false, error: { kind: 'ended', message: 'Run already completed: nothing more is recorded' } });
    const detail = await getRun(LOCAL_OWNER, run.id);
    if (!detail.ok) throw new Error(detail.error.message);
    expect(detail.value.points.map((p) => p.step)).toEqual([0, 1, 2]);
    expect(detail.value).toMatchObject({ iteration: 3, itPerSec: 12.5, status: 'completed' });
  });

  it('names the field of a bad update', async () => {
    const { run } = await newRun();
    expect(await updateRun(LOCAL_OWNER, run.id, { iteration: -1 })).toEqual({ ok: false, error: { kind: 'invalid', message: expect.stringMatching(/^iteration: /) } });
    expect(await updateRun(LOCAL_OWNER, run.id, { iteration: 1, points: [{ step: 0, values: { D_loss: 'x' } }] })).toEqual({
      ok: false,
      error: { kind: 'invalid', message: expect.stringMatching(/^points\.0\.values\.D_loss: /) },
    });
    expect(await createRun(LOCAL_OWNER, 'nope', { graph: gan, settings, backend: 'wasm' })).toEqual({ ok: false, error: { kind: 'not-found', message: expect.stringMatching(/does not exist/) } });
    expect(await createRun(LOCAL_OWNER, (await newRun()).projectId, { graph: gan, settings: { ...settings, batchSize: 0 }, backend: 'wasm' })).toEqual({
      ok: false,
      error: { kind: 'invalid', message: expect.stringMatching(/^settings\.batchSize: /) },
    });
  });

  it('marks a run interrupted when its tab closes or goes quiet, never leaving it running', async () => {
    const { projectId, run } = await newRun();
    expect((await interruptRun(LOCAL_OWNER, run.id)).ok).toBe(true);
    expect((await getRun(LOCAL_OWNER, run.id)).ok && ((await getRun(LOCAL_OWNER, run.id)) as { value: { status: string } }).value.status).toBe('interrupted');

    const quiet = await createRun(LOCAL_OWNER, projectId, { graph: gan, settings, backend: 'wasm' });
    if (!quiet.ok) throw new Error(quiet.error.message);
    await db().run.update({ where: { id: quiet.value.id }, data: { heartbeatAt: new Date(Date.now() - (STALE_SECONDS + 5) * 1000) } });
    const list = await listRuns(LOCAL_OWNER, projectId);
    expect(list.ok && list.value.find((r) => r.id === quiet.value.id)?.status).toBe('interrupted');
    // A tab that was only slow comes back: its next report revives the run.
    const back = await updateRun(LOCAL_OWNER, quiet.value.id, { iteration: 5, status: 'running' });
    expect(back.ok && back.value.status).toBe('running');
  });

  it("records the closing page's last report with the interrupt: its points, its progress, never a live status", async () => {
    const { run } = await newRun();
    await updateRun(LOCAL_OWNER, run.id, { iteration: 2, seconds: 1, points: [0, 1].map((step) => ({ step, values: { D_loss: 1, G_loss: 2 } })) });
    const last = { iteration: 4, itPerSec: 2, seconds: 2, status: 'running', points: [2, 3].map((step) => ({ step, values: { D_loss: 1, G_loss: 2 } })), diagnoses: [] };
    expect(await interruptRun(LOCAL_OWNER, run.id, last)).toEqual({ ok: true, value: true });
    const after = await getRun(LOCAL_OWNER, run.id);
    if (!after.ok) throw new Error(after.error.message);
    expect(after.value).toMatchObject({ status: 'interrupted', iteration: 4, seconds: 2, averageItPerSec: 2 });
    expect(after.value.points.map((p) => p.step)).toEqual([0, 1, 2, 3]);

    // A report that cannot be recorded still lets the run be marked, and says why.
    const { run: other } = await newRun();
    const refused = await interruptRun(LOCAL_OWNER, other.id, { iteration: -1 });
    expect(refused.ok).toBe(false);
    const marked = await getRun(LOCAL_OWNER, other.id);
    expect(marked.ok && marked.value.status).toBe('interrupted');
  });

  it('a run stopped on its page just before the page went ends stopped, whichever of the beacon and the next page comes first', async () => {
    for (const order of ['beacon first', 'next page first'] as const) {
      const { run } = await newRun();
      await updateRun(LOCAL_OWNER, run.id, { iteration: 2, seconds: 1 });
      const beacon = () => interruptRun(LOCAL_OWNER, run.id, { iteration: 7, itPerSec: 3, seconds: 2, status: 'stopped', points: [], diagnoses: [] });
      // The page that replaced it marks the run it was training (no body).
      const nextPage = () => interruptRun(LOCAL_OWNER, run.id);
      for (const send of order === 'beacon first' ? [beacon, nextPage] : [nextPage, beacon]) expect(await send()).toEqual({ ok: true, value: true });
      const after = await getRun(LOCAL_OWNER, run.id);
      expect(after.ok && { status: after.value.status, iteration: after.value.iteration }, order).toEqual({ status: 'stopped', iteration: 7 });
    }
  });

  it('stores PNG pictures and refuses anything else', async () => {
    const { run } = await newRun();
    expect(await addPicture(LOCAL_OWNER, run.id, { kind: 'samples', index: 0, step: 0 }, png())).toEqual({ ok: true, value: true });
    expect(await addPicture(LOCAL_OWNER, run.id, { kind: 'samples', index: 1, step: 10 }, new Uint8Array([1, 2, 3]))).toEqual({ ok: false, error: { kind: 'invalid', message: expect.stringMatching(/^picture: not a valid PNG file/) } });
    // A PNG signature on something else (HTML that a browser might sniff) is refused: stored pictures decode as PNGs.
    const disguised = new Uint8Array([...png().subarray(0, 8), ...new TextEncoder().encode('<script>alert(1)</script>')]);
    expect(await addPicture(LOCAL_OWNER, run.id, { kind: 'samples', index: 1, step: 10 }, disguised)).toEqual({ ok: false, error: { kind: 'invalid', message: expect.stringMatching(/^picture: not a valid PNG file/) } });
    // A header claiming a huge picture is refused before anything is inflated.
    const huge = png().slice();
    new DataView(huge.buffer).setUint32(16, 100_000);
    expect(await addPicture(LOCAL_OWNER, run.id, { kind: 'samples', index: 1, step: 10 }, huge)).toEqual({ ok: false, error: { kind: 'invalid', message: 'picture: 100000x2 is larger than 2048x2048' } });
    expect(await addPicture(LOCAL_OWNER, run.id, { kind: 'movies', index: 1, step: 10 }, png())).toEqual({ ok: false, error: { kind: 'invalid', message: expect.stringMatching(/^kind: /) } });
    const stored = await getPicture(LOCAL_OWNER, run.id, 'samples', 0);
    expect(stored.ok && Buffer.from(stored.value).equals(Buffer.from(png()))).toBe(true);
    const detail = await getRun(LOCAL_OWNER, run.id);
    expect(detail.ok && detail.value.pictures).toEqual([{ kind: 'samples', index: 0, step: 0 }]);
  });

  it('keeps the newest checkpoints, valid and complete', async () => {
    const { run } = await newRun();
    const program = await compile(gan, { tf, data: mnistData, batchSize: 8 });
    const ids: string[] = [];
    for (let i = 0; i < CHECKPOINTS_KEPT + 2; i++) {
      program.step();
      const { manifest, weights } = await encodeCheckpoint(tf, gan.name, program.state());
      const added = await addCheckpoint(LOCAL_OWNER, run.id, JSON.stringify(manifest), weights);
      if (!added.ok) throw new Error(added.error.message);
      ids.push(added.value.id);
    }
    const detail = await getRun(LOCAL_OWNER, run.id);
    expect(detail.ok && detail.value.checkpoints.map((c) => c.iteration)).toEqual([3, 4, 5]);
    const loaded = await getCheckpoint(LOCAL_OWNER, ids.at(-1));
    expect(loaded.ok && loaded.value.manifest.iteration).toBe(5);
    expect((await getCheckpoint(LOCAL_OWNER, ids[0])).ok).toBe(false);
    const { manifest, weights } = await encodeCheckpoint(tf, gan.name, program.state());
    expect(await addCheckpoint(LOCAL_OWNER, run.id, manifest, weights.subarray(4))).toEqual({ ok: false, error: { kind: 'invalid', message: expect.stringMatching(/weights\.bin has \d+ bytes/) } });
    expect(await addCheckpoint(LOCAL_OWNER, run.id, '{"format":"other"}', weights)).toEqual({ ok: false, error: { kind: 'invalid', message: expect.stringMatching(/^checkpoint\.json: format: /) } });
    await updateRun(LOCAL_OWNER, run.id, { iteration: 5, status: 'stopped' });
    expect(await addCheckpoint(LOCAL_OWNER, run.id, manifest, weights)).toEqual({ ok: false, error: { kind: 'ended', message: 'Run already stopped: nothing more is recorded' } });
    program.dispose();
  });
});
