import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db/client';
import { migrate } from '../../../lib/db/migrate';
import { LOCAL_OWNER } from '../../../lib/db/owner';
import { createProject, getProject, saveGraph } from '../../../lib/db/projects';
import { addPicture, createRun, getRun, MAX_STORED_POINTS, updateRun } from '../../../lib/db/runs';
import { GRAPH_LIMITS } from '../../../lib/graph/schema';
import { getTemplate } from '../../../lib/templates';
import { MAX_PICTURES_PER_RUN, MAX_POINTS_PER_REPORT } from '../../../lib/train/protocol';

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
