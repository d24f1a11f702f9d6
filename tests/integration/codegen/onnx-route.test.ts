import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '../../../app/api/runs/[runId]/onnx/route';
import { exportNetworkOnnx } from '../../../codegen/onnx/export';
import { runOnnx } from '../../../codegen/onnx/check';
import { compile } from '../../../lib/compile/program';
import { migrate } from '../../../lib/db/migrate';
import { LOCAL_OWNER } from '../../../lib/db/owner';
import { createProject } from '../../../lib/db/projects';
import { addCheckpoint, createRun } from '../../../lib/db/runs';
import { encodeCheckpoint } from '../../../lib/runtime/checkpoint';
import { getTemplate } from '../../../lib/templates';
import { syntheticData } from '../../fixtures/fuzz';
import { tensor } from '../../fixtures/onnx';
import { cpu } from '../../helpers';

/** The run history's "Download G as ONNX" route against a real SQLite database. */
beforeAll(async () => {
  const url = `file:${path.join(await mkdtemp(path.join(tmpdir(), 'netloom-db-')), 'test.db')}`;
  process.env.DATABASE_URL = url;
  await migrate(url);
  await cpu();
});

const get = (runId: string, query: string) => GET(new Request(`http://localhost/api/runs/${runId}/onnx?${query}`), { params: Promise.resolve({ runId }) });

describe('GET /api/runs/:runId/onnx', () => {
  it("writes the network with the run's newest checkpoint, and refuses a run without one, a missing network or checkpoint with the reason", async () => {
    const gan = getTemplate('gan')!.doc;
    const project = await createProject(LOCAL_OWNER, { name: 'My GAN', template: 'gan' });
    if (!project.ok) throw new Error(project.error.message);
    const run = await createRun(LOCAL_OWNER, project.value.id, { graph: gan, settings: { batchSize: 4, iterations: 10, seed: 1, sampleEvery: 5 }, backend: 'cpu', series: ['D_loss'] });
    if (!run.ok) throw new Error(run.error.message);
    const runId = run.value.id;

    const none = await get(runId, 'network=G');
    expect(none.status).toBe(404);
    expect((await none.json()).error).toMatch(/no checkpoint yet/);

    const program = await compile(gan, { tf, data: syntheticData(64), batchSize: 4 });
    program.step(false);
    const encoded = await encodeCheckpoint(tf, gan.name, program.state());
    program.dispose();
    const added = await addCheckpoint(LOCAL_OWNER, runId, JSON.stringify(encoded.manifest), encoded.weights);
    if (!added.ok) throw new Error(added.error.message);

    const response = await get(runId, 'network=G');
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Disposition')).toBe(`attachment; filename="my-gan-run${run.value.number}-g.onnx"`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const expected = exportNetworkOnnx(gan, 'G', encoded);
    if (!expected.ok) throw expected.error;
    expect(Buffer.from(bytes).equals(Buffer.from(expected.value.bytes))).toBe(true);
    const outputs = await runOnnx(bytes, { z: tensor([2, 100], 3) });
    expect(Object.values(outputs)[0]!.shape).toEqual([2, 784]);

    const missing = await get(runId, 'network=Nope');
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toBe('this graph has no network "Nope": it has "G", "D"');
    expect((await get(runId, '')).status).toBe(404);
    expect((await get(runId, 'network=G&checkpoint=other')).status).toBe(404);
    expect((await get('no-such-run', 'network=G')).status).toBe(404);
  });
});
