import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { GET } from '../../../app/api/projects/[id]/export/route';
import { exportProject } from '../../../codegen/export';
import { LOCAL_OWNER } from '../../../lib/db/owner';
import { migrate } from '../../../lib/db/migrate';
import { createProject, getProject, saveGraph } from '../../../lib/db/projects';
import { datasetChoice, importDataset } from '../../../lib/db/datasets';
import { datasetsDir } from '../../../lib/db/url';
import { readInputFiles } from '../../../lib/data/import/read';
import { withDataset } from '../../../lib/graph/datasets';
import { writeImageFolder } from '../../fixtures/images';

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
    // The data it trains on, the held-out digits its scores compare with, and the classifier they use.
    const data = ['data/mnist/dataset.json', 'data/mnist/train-images.idx', 'data/mnist/train-labels.idx', 'data/mnist/test-images.idx', 'data/mnist/test-labels.idx', 'quality/model.json', 'quality/weights.bin'];
    expect(Object.keys(files).sort()).toEqual([...expected.value.files.keys(), ...data].map((f) => `my-ali-u/${f}`).sort());
    expect(strFromU8(files['my-ali-u/train.ts']!)).toBe(expected.value.files.get('train.ts'));
  });

  it('downloads a PyTorch project with ?target=pytorch, and refuses an unknown target', async () => {
    const created = await createProject(LOCAL_OWNER, { name: 'Torch GAN', template: 'gan' });
    if (!created.ok) throw new Error(created.error.message);
    const url = (target: string) => new Request(`http://localhost/api/projects/${created.value.id}/export?target=${target}`);
    const response = await GET(url('pytorch'), { params: Promise.resolve({ id: created.value.id }) });
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Disposition')).toBe('attachment; filename="torch-gan-pytorch.zip"');
    const files = Object.keys(unzipSync(new Uint8Array(await response.arrayBuffer())));
    expect(files).toEqual(expect.arrayContaining(['torch-gan-pytorch/train.py', 'torch-gan-pytorch/requirements.txt', 'torch-gan-pytorch/netloom/optim.py', 'torch-gan-pytorch/data/mnist/train-images.idx']));
    const refused = await GET(url('jax'), { params: Promise.resolve({ id: created.value.id }) });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toBe('target must be one of typescript, pytorch, onnx, got "jax"');
  });

  it("carries the owner's library dataset the graph reads, and refuses one that is not the owner's", async () => {
    const root = path.join(await mkdtemp(path.join(tmpdir(), 'netloom-images-')), 'tiny');
    await writeImageFolder(root, { classes: ['a', 'b'], perClass: 3, height: 28, width: 28 });
    const imported = await importDataset(LOCAL_OWNER, { name: 'Tiny', files: await readInputFiles(root) });
    if (!imported.ok) throw new Error(imported.error.message);
    const created = await createProject(LOCAL_OWNER, { name: 'On tiny', template: 'gan' });
    if (!created.ok) throw new Error(created.error.message);
    const project = await getProject(LOCAL_OWNER, created.value.id);
    if (!project.ok) throw new Error(project.error.message);
    const { doc } = withDataset(project.value.graph, datasetChoice(imported.value));
    expect((await saveGraph(LOCAL_OWNER, created.value.id, project.value.version, doc)).ok).toBe(true);
    const response = await get(created.value.id);
    expect(response.status).toBe(200);
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    const folder = `on-tiny/data/${imported.value.id}`;
    expect(Object.keys(files).filter((f) => f.includes('/data/')).sort()).toEqual([`${folder}/dataset.json`, `${folder}/train-images.idx`, `${folder}/train-labels.idx`]);
    expect(Buffer.from(files[`${folder}/train-images.idx`]!).equals(await readFile(path.join(datasetsDir(), imported.value.id, 'train-images.idx')))).toBe(true);

    // A graph naming a dataset id its owner does not have (another user's, or made up) exports nothing.
    const foreign = withDataset(doc, { ...datasetChoice(imported.value), id: 'someoneelses' }).doc;
    expect((await saveGraph(LOCAL_OWNER, created.value.id, project.value.version + 1, foreign)).ok).toBe(true);
    const refused = await get(created.value.id);
    expect(refused.status).toBe(404);
    expect((await refused.json()).error).toMatch(/reads dataset someoneelses, which is not in your library/);

    // A dataset whose files are gone from disk is a clear 400, not a crash.
    expect((await saveGraph(LOCAL_OWNER, created.value.id, project.value.version + 2, doc)).ok).toBe(true);
    await rm(path.join(datasetsDir(), imported.value.id, 'train-images.idx'));
    const gone = await get(created.value.id);
    expect(gone.status).toBe(400);
    expect((await gone.json()).error).toMatch(/^The graph's data cannot be exported: .*train-images\.idx/);
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
