import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db/client';
import { createClient } from '@libsql/client';
import { migrate, MIGRATIONS_DIR } from '../../../lib/db/migrate';
import { LOCAL_OWNER } from '../../../lib/db/owner';
import { createProject, getProject, saveGraph } from '../../../lib/db/projects';
import { addPicture, createRun, getRun, MAX_RUN_POINT_BYTES, MAX_STORED_POINTS, updateRun } from '../../../lib/db/runs';
import { GRAPH_LIMITS } from '../../../lib/graph/schema';
import { getTemplate } from '../../../lib/templates';
import { MAX_PICTURES_PER_RUN, MAX_POINT_VALUES, MAX_POINTS_PER_REPORT, MAX_REPORT_POINT_BYTES, MAX_VALUE_NAME_LENGTH, pointBytes, reportChunk, storablePoint } from '../../../lib/train/protocol';
import * as runRoute from '../../../app/api/runs/[runId]/route';

/** Every write is bounded, and each refusal names its limit (real SQLite database). */
beforeAll(async () => {
  const url = `file:${path.join(await mkdtemp(path.join(tmpdir(), 'netloom-limits-')), 'test.db')}`;
  process.env.DATABASE_URL = url;
  await migrate(url);
});

const gan = getTemplate('gan')!.doc;

async function newRun() {
  const project = await createProject(LOCAL_OWNER, { name: 'limits', template: 'gan' });
  if (!project.ok) throw new Error(project.error.message);
  const run = await createRun(LOCAL_OWNER, project.value.id, { graph: gan, settings: { batchSize: 4, iterations: 10, seed: 1, sampleEvery: 5 }, backend: 'cpu', series: ['D_loss'] });
  if (!run.ok) throw new Error(run.error.message);
  return { projectId: project.value.id, runId: run.value.id };
}

const points = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ step: from + i, values: { D_loss: from + i } }));

describe('limits on writes', () => {
  it('keeps at most MAX_STORED_POINTS per run, thinning evenly and keeping the first and the latest', async () => {
    const { runId } = await newRun();
    const total = 3 * MAX_STORED_POINTS;
    for (let from = 0; from < total; from += MAX_POINTS_PER_REPORT) {
      const report = await updateRun(LOCAL_OWNER, runId, { iteration: from + MAX_POINTS_PER_REPORT, points: points(from, MAX_POINTS_PER_REPORT) });
      expect(report.ok).toBe(true);
    }
    const run = await getRun(LOCAL_OWNER, runId);
    if (!run.ok) throw new Error(run.error.message);
    expect(run.value.points.length).toBeLessThanOrEqual(MAX_STORED_POINTS);
    expect(run.value.points.length).toBeGreaterThanOrEqual(MAX_STORED_POINTS / 4);
    expect(run.value.points[0]!.step).toBe(0);
    expect(run.value.points.at(-1)!.step).toBe(total - 1);
    const steps = run.value.points.map((p) => p.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(await db().runMetrics.count({ where: { runId } })).toBeLessThanOrEqual(3);
  });

  it('refuses a report, a picture and a graph past their limits, naming the limit', async () => {
    const { projectId, runId } = await newRun();
    expect(await updateRun(LOCAL_OWNER, runId, { iteration: 1, points: points(0, MAX_POINTS_PER_REPORT + 1) })).toMatchObject({
      ok: false,
      error: { kind: 'invalid', message: `points: A report carries at most ${MAX_POINTS_PER_REPORT} points` },
    });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(await addPicture(LOCAL_OWNER, runId, { kind: 'samples', index: MAX_PICTURES_PER_RUN, step: 1 }, png)).toMatchObject({
      ok: false,
      error: { kind: 'invalid', message: expect.stringContaining(`at most ${MAX_PICTURES_PER_RUN} grids`) },
    });

    const huge = { ...gan, description: 'x'.repeat(9000), nodes: [...gan.nodes, ...Array.from({ length: 1100 }, (_, i) => ({ id: `pad${i}`, kind: 'dense', label: 'y'.repeat(200), params: { note: 'z'.repeat(8000) }, position: { x: 0, y: 0 } }))] };
    expect(await saveGraph(LOCAL_OWNER, projectId, 1, huge)).toMatchObject({ ok: false, error: { kind: 'invalid', message: expect.stringMatching(/^The graph is \d+\.\d MiB as JSON; the limit is 8 MiB$/) } });
    const many = { ...gan, nodes: Array.from({ length: GRAPH_LIMITS.nodes + 1 }, (_, i) => ({ id: `n${i}`, kind: 'dense' })) };
    expect(await saveGraph(LOCAL_OWNER, projectId, 1, many)).toMatchObject({ ok: false, error: { kind: 'invalid', message: expect.stringContaining(`a graph has at most ${GRAPH_LIMITS.nodes}`) } });
    // Nothing was written.
    const project = await getProject(LOCAL_OWNER, projectId);
    expect(project.ok && project.value.version).toBe(1);
  });
});

/** Points of `count` values each, named `name(k)`: about `count` x 30 bytes a point. */
const widePoints = (from: number, points: number, count: number, name = (k: number) => `monitor-${String(k).padStart(8, '0')}`) =>
  Array.from({ length: points }, (_, i) => ({ step: from + i, values: Object.fromEntries(Array.from({ length: count }, (_, k) => [name(k), from + i + k / 1000])) }));

describe('limits on the bytes a run stores', () => {
  it('refuses a point with too many values or too long a name, and a report of too many bytes, in one line naming the limit', async () => {
    const { runId } = await newRun();
    expect(await updateRun(LOCAL_OWNER, runId, { iteration: 1, points: widePoints(0, 1, MAX_POINT_VALUES + 1) })).toEqual({
      ok: false,
      error: { kind: 'invalid', message: `points.0.values: A point carries at most ${MAX_POINT_VALUES} values; this one has ${MAX_POINT_VALUES + 1}` },
    });
    // A name of a megabyte is refused without being echoed back.
    for (const length of [MAX_VALUE_NAME_LENGTH + 1, 2 ** 20]) {
      const refused = await updateRun(LOCAL_OWNER, runId, { iteration: 1, points: [{ step: 0, values: { ['n'.repeat(length)]: 1 } }] });
      expect(refused).toEqual({ ok: false, error: { kind: 'invalid', message: `points.0.values: A value's name is 1 to ${MAX_VALUE_NAME_LENGTH} characters; one here has ${length}` } });
    }
    const badValue = await updateRun(LOCAL_OWNER, runId, { iteration: 1, points: [{ step: 0, values: { ['n'.repeat(2 ** 20)]: 'x' } }] });
    expect(!badValue.ok && badValue.error.message.length).toBeLessThan(200);
    const heavy = widePoints(0, 1200, MAX_POINT_VALUES);
    expect(pointBytes(heavy)).toBeGreaterThan(MAX_REPORT_POINT_BYTES);
    expect(await updateRun(LOCAL_OWNER, runId, { iteration: 1, points: heavy })).toEqual({
      ok: false,
      error: { kind: 'invalid', message: `points: ${pointBytes(heavy)} bytes of points in one report; a report carries at most ${MAX_REPORT_POINT_BYTES}` },
    });
    // The route answers 400 with the same message; the training tab sends such points in chunks that fit.
    const body = JSON.stringify({ iteration: 1, points: widePoints(0, 1, MAX_POINT_VALUES + 1) });
    const response = await runRoute.PATCH(new Request('http://localhost/api', { method: 'PATCH', body, headers: { 'Content-Type': 'application/json', 'Content-Length': String(body.length) } }), { params: Promise.resolve({ runId }) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(`at most ${MAX_POINT_VALUES} values`);
    const chunk = reportChunk(heavy);
    expect(chunk.length).toBeLessThan(heavy.length);
    expect(pointBytes(chunk)).toBeLessThanOrEqual(MAX_REPORT_POINT_BYTES);
    expect((await updateRun(LOCAL_OWNER, runId, { iteration: chunk.length, points: chunk })).ok).toBe(true);
    // And a point past the limits is cut to fit before it is sent, so a graph with hundreds of losses still has its runs stored.
    const wide = storablePoint(widePoints(0, 1, MAX_POINT_VALUES + 20, (k) => `${'x'.repeat(MAX_VALUE_NAME_LENGTH)}${k}`)[0]!);
    expect(Object.keys(wide.values)).toHaveLength(MAX_POINT_VALUES);
    expect((await updateRun(LOCAL_OWNER, runId, { iteration: chunk.length + 1, points: [wide] })).ok).toBe(true);
    expect((await getRun(LOCAL_OWNER, runId)).ok).toBe(true);
  });

  it('keeps at most MAX_RUN_POINT_BYTES of points per run however wide they are, so reading a run stays fast', async () => {
    const { runId } = await newRun();
    // 25 reports of nearly the most bytes one may carry: 50 MB unbounded.
    let step = 0;
    let sent = 0;
    for (let report = 0; report < 25; report++) {
      const points = reportChunk(widePoints(step, 1000, MAX_POINT_VALUES));
      sent += pointBytes(points);
      expect((await updateRun(LOCAL_OWNER, runId, { iteration: step + points.length, points })).ok).toBe(true);
      step += points.length;
    }
    expect(sent).toBeGreaterThan(3 * MAX_RUN_POINT_BYTES);
    const stored = await db().$queryRawUnsafe<{ bytes: number }[]>('SELECT SUM(LENGTH(CAST(points AS BLOB))) AS bytes FROM RunMetrics WHERE runId = ?', runId);
    expect(Number(stored[0]!.bytes)).toBeLessThanOrEqual(MAX_RUN_POINT_BYTES);
    const started = performance.now();
    const run = await getRun(LOCAL_OWNER, runId);
    const seconds = (performance.now() - started) / 1000;
    if (!run.ok) throw new Error(run.error.message);
    expect(seconds).toBeLessThan(5);
    // Thinned evenly: the first and the latest point kept, in order.
    expect(run.value.points[0]!.step).toBe(0);
    expect(run.value.points.at(-1)!.step).toBe(step - 1);
    expect(run.value.points.length).toBeGreaterThan(1000);
  });

  it('counts the bytes of the runs stored before the limit when the database is upgraded, keeping their points', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'netloom-upgrade-'));
    const before = path.join(dir, 'migrations');
    await cp(MIGRATIONS_DIR, before, { recursive: true });
    await rm(path.join(before, '20261205130539_run_point_bytes'), { recursive: true });
    const url = `file:${path.join(dir, 'old.db')}`;
    await migrate(url, before);
    const client = createClient({ url });
    const points = JSON.stringify([{ step: 0, values: { 'mean σ(D_real)': 0.5 } }]);
    await client.executeMultiple(`INSERT INTO Project (id, name, graph, version, updatedAt) VALUES ('p', 'p', '{}', 1, 0);
INSERT INTO Run (id, projectId, number, graph, settings, backend, status, updatedAt) VALUES ('r', 'p', 1, '{}', '{}', 'cpu', 'running', 0);
INSERT INTO RunMetrics (id, runId, seq, points) VALUES ('m0', 'r', 0, '${points}'), ('m1', 'r', 1, '${points}');`);
    await migrate(url);
    expect((await client.execute("SELECT pointBytes FROM Run WHERE id = 'r'")).rows[0]!.pointBytes).toBe(2 * Buffer.byteLength(points));
    expect((await client.execute('SELECT count(*) AS n FROM RunMetrics')).rows[0]!.n).toBe(2);
    client.close();
  });
});
