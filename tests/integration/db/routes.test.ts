import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as checkpointRoute from '../../../app/api/checkpoints/[checkpointId]/route';
import * as runsRoute from '../../../app/api/projects/[id]/runs/route';
import * as pictureRoute from '../../../app/api/runs/[runId]/pictures/[kind]/[index]/route';
import * as runRoute from '../../../app/api/runs/[runId]/route';
import { LOCAL_OWNER } from '../../../lib/db/owner';
import { migrate } from '../../../lib/db/migrate';
import { createProject } from '../../../lib/db/projects';
import { getTemplate } from '../../../lib/templates';

/** Every refusal's status comes from its kind: not-found 404, invalid 400, stale and ended 409 (real SQLite database). */
beforeAll(async () => {
  const url = `file:${path.join(await mkdtemp(path.join(tmpdir(), 'netloom-routes-')), 'test.db')}`;
  process.env.DATABASE_URL = url;
  await migrate(url);
});

const json = (method: string, body: unknown) => {
  const text = JSON.stringify(body);
  return new Request('http://localhost/api', { method, body: text, headers: { 'Content-Type': 'application/json', 'Content-Length': String(text.length) } });
};
const params = <T extends Record<string, string>>(values: T) => ({ params: Promise.resolve(values) });
const settings = { batchSize: 8, iterations: 10, seed: 1, sampleEvery: 5 };

async function answer(response: Response) {
  return { status: response.status, body: (await response.json()) as { error?: string; kind?: string; id?: string } };
}

describe('run routes', () => {
  it('answer 404, 400 and 409 by the kind of refusal', async () => {
    const project = await createProject(LOCAL_OWNER, { name: 'routes', template: 'gan' });
    if (!project.ok) throw new Error(project.error.message);
    const id = project.value.id;

    expect(await answer(await runsRoute.POST(json('POST', { graph: getTemplate('gan')!.doc, settings, backend: 'wasm' }), params({ id: 'missing' })))).toMatchObject({
      status: 404,
      body: { kind: 'not-found', error: expect.stringMatching(/does not exist/) },
    });
    expect(await answer(await runsRoute.POST(json('POST', { graph: {}, settings, backend: 'wasm' }), params({ id })))).toMatchObject({ status: 400, body: { kind: 'invalid' } });
    const created = await answer(await runsRoute.POST(json('POST', { graph: getTemplate('gan')!.doc, settings, backend: 'wasm' }), params({ id })));
    expect(created.status).toBe(201);
    const runId = created.body.id!;

    expect(await answer(await runRoute.GET(new Request('http://localhost/api'), params({ runId: 'missing' })))).toMatchObject({ status: 404, body: { kind: 'not-found' } });
    expect(await answer(await runRoute.PATCH(json('PATCH', { iteration: -1 }), params({ runId })))).toMatchObject({ status: 400, body: { kind: 'invalid', error: expect.stringMatching(/^iteration: /) } });
    expect((await runRoute.PATCH(json('PATCH', { iteration: 10, status: 'completed' }), params({ runId }))).status).toBe(200);
    // An ended run takes nothing more: a late report or picture is a conflict, not a bad request.
    expect(await answer(await runRoute.PATCH(json('PATCH', { iteration: 11 }), params({ runId })))).toMatchObject({ status: 409, body: { kind: 'ended' } });
    const image = new PNG({ width: 1, height: 1, colorType: 0, inputColorType: 0 });
    image.data = Buffer.from([128]);
    const png = new Uint8Array(PNG.sync.write(image, { colorType: 0, inputColorType: 0 }));
    const put = new Request('http://localhost/api?step=10', { method: 'PUT', body: png, headers: { 'Content-Length': String(png.length) } });
    expect(await answer(await pictureRoute.PUT(put, params({ runId, kind: 'samples', index: '2' })))).toMatchObject({ status: 409, body: { kind: 'ended' } });
    expect(await answer(await pictureRoute.GET(new Request('http://localhost/api'), params({ runId, kind: 'samples', index: '7' })))).toMatchObject({ status: 404, body: { kind: 'not-found' } });
    expect(await answer(await checkpointRoute.GET(new Request('http://localhost/api'), params({ checkpointId: 'gone' })))).toMatchObject({ status: 404, body: { kind: 'not-found' } });
  });
});
