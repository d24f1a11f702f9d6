import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '../../../app/api/projects/[id]/export/route';
import { exportProject } from '../../../codegen/export';
import { LOCAL_OWNER } from '../../../lib/db/owner';
import { migrate } from '../../../lib/db/migrate';
import { createProject, getProject, saveGraph } from '../../../lib/db/projects';

/** The export route against a real SQLite database, migrated as `npm start` does. */
beforeAll(async () => {
  const url = `file:${path.join(await mkdtemp(path.join(tmpdir(), 'netloom-db-')), 'test.db')}`;
  process.env.DATABASE_URL = url;
  await migrate(url);
});

const get = (id: string) => GET(new Request(`http://localhost/api/projects/${id}/export`), { params: Promise.resolve({ id }) });

describe('GET /api/projects/:id/export', () => {
  it('downloads the saved graph as a zipped project named after the project', async () => {
    const created = await createProject(LOCAL_OWNER, { name: 'My "ALI" */ ü', template: 'ali' });
    if (!created.ok) throw new Error(created.error.message);
    const response = await get(created.value.id);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/zip');
    expect(response.headers.get('Content-Disposition')).toBe('attachment; filename="my-ali-u.zip"');
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    const saved = await getProject(LOCAL_OWNER, created.value.id);
    const expected = exportProject(saved.ok ? saved.value.graph : (undefined as never));
    if (!expected.ok) throw new Error(expected.error);
    expect(Object.keys(files).sort()).toEqual([...expected.value.files.keys()].map((f) => `my-ali-u/${f}`).sort());
    expect(strFromU8(files['my-ali-u/train.ts']!)).toBe(expected.value.files.get('train.ts'));
  });

  it('answers 400 naming the problems when the saved graph cannot be exported', async () => {
    const created = await createProject(LOCAL_OWNER, { name: 'Broken', template: 'gan' });
    if (!created.ok) throw new Error(created.error.message);
    const project = await getProject(LOCAL_OWNER, created.value.id);
    if (!project.ok) throw new Error(project.error.message);
    const graph = { ...project.value.graph, edges: project.value.graph.edges.filter((e) => e.target.node !== 'D_real') };
    expect((await saveGraph(LOCAL_OWNER, created.value.id, project.value.version, graph)).ok).toBe(true);
    const response = await get(created.value.id);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/node D_real, port x: Call network "D_real": input "x" is not connected/);
  });

  it('answers 404 for a project that does not exist', async () => {
    const response = await get('no-such-project');
    expect(response.status).toBe(404);
    expect((await response.json()).error).toMatch(/does not exist/);
  });
});
