import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { auth } from '../../../lib/auth/auth';
import { signedIn } from '../../../lib/auth/owner';
import { migrate } from '../../../lib/db/migrate';
import type { Owner } from '../../../lib/db/owner';
import * as projects from '../../../lib/db/projects';
import * as runs from '../../../lib/db/runs';
import * as datasets from '../../../lib/db/datasets';
import { readInputFiles } from '../../../lib/data/import/read';
import { withDataset } from '../../../lib/graph/datasets';
import { writeImageFolder } from '../../fixtures/images';
import { getTemplate } from '../../../lib/templates';
import { compile } from '../../../lib/compile/program';
import { encodeCheckpoint } from '../../../lib/train/checkpoint';
import { mnistData } from '../../helpers';
import * as checkpointRoute from '../../../app/api/checkpoints/[checkpointId]/route';
import * as exportRoute from '../../../app/api/projects/[id]/export/route';
import * as graphRoute from '../../../app/api/projects/[id]/graph/route';
import * as runsRoute from '../../../app/api/projects/[id]/runs/route';
import * as checkpointsRoute from '../../../app/api/runs/[runId]/checkpoints/route';
import * as interruptRoute from '../../../app/api/runs/[runId]/interrupt/route';
import * as pictureRoute from '../../../app/api/runs/[runId]/pictures/[kind]/[index]/route';
import * as runRoute from '../../../app/api/runs/[runId]/route';
import * as onnxRoute from '../../../app/api/runs/[runId]/onnx/route';
import * as datasetsRoute from '../../../app/api/datasets/route';
import * as datasetFileRoute from '../../../app/api/datasets/[id]/files/[file]/route';

/**
 * Shared mode: two users signed up through Better Auth, real sessions and
 * cookies, a real database. Neither reaches the other's projects, runs,
 * pictures or checkpoints through the data layer, any route or any server
 * action; nobody signed in gets 401 (and actions say so).
 */
const requestHeaders = { current: new Headers() };
vi.mock('next/headers', () => ({ headers: async () => requestHeaders.current }));
vi.mock('next/cache', () => ({ revalidatePath: () => {} }));
vi.mock('next/navigation', () => ({
  redirect: (to: string) => {
    throw new Error(`redirect ${to}`);
  },
}));

beforeAll(async () => {
  const url = `file:${path.join(await mkdtemp(path.join(tmpdir(), 'netloom-isolation-')), 'test.db')}`;
  process.env.DATABASE_URL = url;
  process.env.NETLOOM_MODE = 'shared';
  process.env.BETTER_AUTH_SECRET = 'a-test-secret-of-at-least-32-characters!';
  process.env.BETTER_AUTH_URL = 'http://localhost:3000';
  await migrate(url);
});

interface User {
  cookie: string;
  owner: Owner;
}

async function signUp(name: string): Promise<User> {
  const body = { name, email: `${name}@example.com`, password: `${name}-password-1234` };
  expect((await auth().api.signUpEmail({ body, asResponse: true })).status).toBe(200);
  // Sign-up signs nobody in (it must not tell a registered email from a new one): sign in next.
  const response = await auth().api.signInEmail({ body, asResponse: true });
  expect(response.status).toBe(200);
  const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const who = await signedIn(new Headers({ cookie }));
  expect(who?.user?.email).toBe(`${name}@example.com`);
  return { cookie, owner: who!.owner };
}

const png = () => {
  const image = new PNG({ width: 2, height: 2, colorType: 0, inputColorType: 0 });
  image.data = Buffer.from([0, 255, 255, 0]);
  return new Uint8Array(PNG.sync.write(image, { colorType: 0, inputColorType: 0 }));
};

const unwrap = <T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
};

/** Alice's work: a saved project with a run, its points, a picture and a checkpoint. */
async function aliceWork(alice: User) {
  const gan = getTemplate('gan')!.doc;
  const project = unwrap(await projects.createProject(alice.owner, { name: 'Alice GAN', template: 'gan' }));
  const saved = unwrap(await projects.saveGraph(alice.owner, project.id, 1, { ...gan, description: 'mine' }));
  const settings = { batchSize: 4, iterations: 10, seed: 1, sampleEvery: 5 };
  const run = unwrap(await runs.createRun(alice.owner, project.id, { graph: gan, settings, backend: 'cpu', series: ['D_loss'] }));
  unwrap(await runs.updateRun(alice.owner, run.id, { iteration: 1, points: [{ step: 0, values: { D_loss: 1 } }] }));
  unwrap(await runs.addPicture(alice.owner, run.id, { kind: 'samples', index: 0, step: 0 }, png()));
  await tf.setBackend('cpu');
  const program = await compile(gan, { tf, data: mnistData, seed: 1, batchSize: 4 });
  const { manifest, weights } = await encodeCheckpoint(tf, gan.name, program.state());
  program.dispose();
  const checkpoint = unwrap(await runs.addCheckpoint(alice.owner, run.id, JSON.stringify(manifest), weights));
  const folder = path.join(await mkdtemp(path.join(tmpdir(), 'netloom-alice-')), 'alice-data');
  await writeImageFolder(folder, { classes: ['a', 'b'], perClass: 2, height: 28, width: 28 });
  const dataset = unwrap(await datasets.importDataset(alice.owner, { name: 'Alice data', files: await readInputFiles(folder) }));
  return {
    projectId: project.id,
    version: saved.version,
    runId: run.id,
    checkpointId: checkpoint.id,
    checkpoint: { manifest: JSON.stringify(manifest), weights },
    datasetId: dataset.id,
    readsDataset: withDataset(gan, datasets.datasetChoice(dataset)).doc,
  };
}

type Work = Awaited<ReturnType<typeof aliceWork>>;

/** Every data-layer function, called for `owner` on Alice's records. */
function dataCalls(owner: Owner, work: Work): Record<string, () => Promise<{ ok: boolean; error?: { kind: string } }>> {
  const gan = getTemplate('gan')!.doc;
  const { projectId, runId, checkpointId, version, datasetId } = work;
  return {
    getDataset: () => datasets.getDataset(owner, datasetId),
    renameDataset: () => datasets.renameDataset(owner, datasetId, 'taken'),
    deleteDataset: () => datasets.deleteDataset(owner, datasetId),
    datasetFolder: () => datasets.datasetFolder(owner, datasetId),
    datasetFolders: () => datasets.datasetFolders(owner, work.readsDataset),
    loadDataset: () => datasets.loadDataset(owner, { id: datasetId, split: 'train' }),
    getProject: () => projects.getProject(owner, projectId),
    renameProject: () => projects.renameProject(owner, projectId, 'taken'),
    duplicateProject: () => projects.duplicateProject(owner, projectId),
    saveGraph: () => projects.saveGraph(owner, projectId, version, gan),
    listRevisions: () => projects.listRevisions(owner, projectId),
    restoreRevision: () => projects.restoreRevision(owner, projectId, version, 1),
    deleteProject: () => projects.deleteProject(owner, projectId),
    createRun: () => runs.createRun(owner, projectId, { graph: gan, settings: { batchSize: 4, iterations: 10, seed: 1, sampleEvery: 5 }, backend: 'cpu' }),
    listRuns: () => runs.listRuns(owner, projectId),
    getRun: () => runs.getRun(owner, runId),
    updateRun: () => runs.updateRun(owner, runId, { iteration: 9, status: 'stopped', points: [{ step: 1, values: { D_loss: 666 } }] }),
    interruptRun: async () => {
      await runs.interruptRun(owner, runId);
      // Answers ok either way (a beacon): what matters is that Alice's run is untouched, checked below.
      return { ok: false, error: { kind: 'not-found' } };
    },
    addPicture: () => runs.addPicture(owner, runId, { kind: 'samples', index: 0, step: 0 }, png()),
    getPicture: () => runs.getPicture(owner, runId, 'samples', 0),
    addCheckpoint: () => runs.addCheckpoint(owner, runId, work.checkpoint.manifest, work.checkpoint.weights),
    getCheckpoint: () => runs.getCheckpoint(owner, checkpointId),
  };
}

async function expectUntouched(alice: User, work: Work) {
  const project = unwrap(await projects.getProject(alice.owner, work.projectId));
  expect(project).toMatchObject({ name: 'Alice GAN', version: work.version });
  expect(project.graph.description).toBe('mine');
  const run = unwrap(await runs.getRun(alice.owner, work.runId));
  expect(run).toMatchObject({ status: 'running', iteration: 1 });
  expect(run.points).toEqual([{ step: 0, values: { D_loss: 1 } }]);
  expect(unwrap(await runs.getPicture(alice.owner, work.runId, 'samples', 0))).toEqual(png());
  expect(unwrap(await runs.getCheckpoint(alice.owner, work.checkpointId)).manifest.iteration).toBe(0);
  expect((await projects.listProjects(alice.owner)).map((p) => p.name)).toEqual(['Alice GAN']);
  expect((await datasets.listDatasets(alice.owner)).map((d) => d.name)).toEqual(['Alice data']);
  expect(unwrap(await datasets.loadDataset(alice.owner, { id: work.datasetId, split: 'train' })).count).toBe(4);
}

const params = <T extends Record<string, string>>(values: T) => ({ params: Promise.resolve(values) });

/** Every route that touches a user's records, with a request as `cookie`. */
async function routeCalls(cookie: string | undefined, work: Work) {
  const { projectId: id, runId, checkpointId, datasetId } = work;
  const headers = (extra: Record<string, string> = {}) => ({ ...(cookie ? { cookie } : {}), ...extra });
  const body = (value: unknown) => {
    const text = JSON.stringify(value);
    return { body: text, headers: headers({ 'Content-Type': 'application/json', 'Content-Length': String(text.length) }) };
  };
  const url = 'http://localhost:3000/api';
  const form = new FormData();
  form.set('checkpoint.json', work.checkpoint.manifest);
  form.set('weights.bin', new Blob([new Uint8Array(work.checkpoint.weights)]));
  const formRequest = new Request(url, { method: 'POST', body: form });
  const formBytes = await formRequest.arrayBuffer();
  const picture = png();
  return {
    'projects/[id]/export GET': () => exportRoute.GET(new Request(url, { headers: headers() }), params({ id })),
    'projects/[id]/graph PUT': () => graphRoute.PUT(new Request(url, { method: 'PUT', ...body({ expectedVersion: work.version, graph: getTemplate('vae')!.doc }) }), params({ id })),
    'projects/[id]/runs GET': () => runsRoute.GET(new Request(url, { headers: headers() }), params({ id })),
    'projects/[id]/runs POST': () =>
      runsRoute.POST(new Request(url, { method: 'POST', ...body({ graph: getTemplate('gan')!.doc, settings: { batchSize: 4, iterations: 5, seed: 1, sampleEvery: 5 }, backend: 'cpu' }) }), params({ id })),
    'runs/[runId] GET': () => runRoute.GET(new Request(url, { headers: headers() }), params({ runId })),
    // One network of Alice's run as ONNX, from her checkpoint: not found for Bob.
    'runs/[runId]/onnx GET': () => onnxRoute.GET(new Request(`${url}?network=G&checkpoint=${checkpointId}`, { headers: headers() }), params({ runId })),
    'runs/[runId] PATCH': () => runRoute.PATCH(new Request(url, { method: 'PATCH', ...body({ iteration: 5, status: 'stopped' }) }), params({ runId })),
    'runs/[runId]/interrupt POST': () => interruptRoute.POST(new Request(url, { method: 'POST', headers: headers() }), params({ runId })),
    'runs/[runId]/pictures/[kind]/[index] GET': () =>
      pictureRoute.GET(new Request(url, { headers: headers() }), params({ runId, kind: 'samples', index: '0' })),
    'runs/[runId]/pictures/[kind]/[index] PUT': () =>
      pictureRoute.PUT(
        new Request(`${url}?step=1`, { method: 'PUT', body: picture, headers: headers({ 'Content-Length': String(picture.length) }) }),
        params({ runId, kind: 'samples', index: '0' }),
      ),
    'runs/[runId]/checkpoints POST': () =>
      checkpointsRoute.POST(
        new Request(url, { method: 'POST', body: formBytes, headers: headers({ 'Content-Type': formRequest.headers.get('Content-Type')!, 'Content-Length': String(formBytes.byteLength) }) }),
        params({ runId }),
      ),
    'checkpoints/[checkpointId] GET': () => checkpointRoute.GET(new Request(url, { headers: headers() }), params({ checkpointId })),
    // The library lists only the caller's datasets (Bob: none); an import makes the caller's own (here: refused, no files).
    'datasets GET': () => datasetsRoute.GET(new Request(url, { headers: headers() }), {}),
    'datasets POST': () => {
      const empty = new FormData();
      empty.set('name', 'Bob data');
      const request = new Request(url, { method: 'POST', body: empty });
      return request.arrayBuffer().then((bytes) =>
        datasetsRoute.POST(new Request(url, { method: 'POST', body: bytes, headers: headers({ 'Content-Type': request.headers.get('Content-Type')!, 'Content-Length': String(bytes.byteLength) }) }), {}),
      );
    },
    'datasets/[id]/files/[file] GET': () => datasetFileRoute.GET(new Request(url, { headers: headers() }), params({ id: datasetId, file: 'train-images.idx' })),
  } satisfies Record<string, () => Promise<Response>>;
}

/** Route files with user data: every one of them is in routeCalls (a new route must be added there). The others serve files everyone has (MNIST, tfjs's and onnxruntime-web's wasm, the quality classifier). */
const PUBLIC_ROUTES = ['auth/[...all]', 'mnist/[file]', 'tfjs-wasm/[file]', 'onnxruntime-web/[file]', 'quality/classifier/[file]'];

describe('two users on a shared server', () => {
  let alice: User;
  let bob: User;
  let work: Work;

  beforeAll(async () => {
    alice = await signUp('alice');
    bob = await signUp('bob');
    work = await aliceWork(alice);
  });

  it('keeps every data-layer call of one user away from the other user\'s records', async () => {
    const calls = dataCalls(bob.owner, work);
    const exported = [...Object.entries(projects), ...Object.entries(runs), ...Object.entries(datasets)].filter(([, v]) => typeof v === 'function').map(([name]) => name);
    const ownOnly = ['listProjects', 'createProject', 'listDatasets', 'datasetsNamed', 'importDataset', 'datasetChoice'];
    expect(Object.keys(calls).sort()).toEqual([...exported.filter((n) => !ownOnly.includes(n))].sort());
    let reads = 0;
    for (const [name, call] of Object.entries(calls)) {
      const result = await call();
      expect({ name, ok: result.ok, kind: result.error?.kind }).toEqual({ name, ok: false, kind: 'not-found' });
      reads += 1;
    }
    expect(reads).toBe(22);
    expect(await projects.listProjects(bob.owner)).toEqual([]);
    expect(await datasets.listDatasets(bob.owner)).toEqual([]);
    // Looking a dataset up by its name finds only one's own (npm run train -- --dataset NAME).
    expect(await datasets.datasetsNamed(bob.owner, 'Alice data')).toEqual([]);
    expect((await datasets.datasetsNamed(alice.owner, 'Alice data')).map((d) => d.name)).toEqual(['Alice data']);
    await expectUntouched(alice, work);
  });

  it('answers 404 to the other user and 401 to nobody on every route, and leaves the records as they were', async () => {
    const routeFiles = readdirSync('app/api', { recursive: true, encoding: 'utf8' })
      .filter((f) => path.basename(f) === 'route.ts')
      .map((f) => path.dirname(f).split(path.sep).join('/'));
    const asBob = await routeCalls(bob.cookie, work);
    const covered = new Set(Object.keys(asBob).map((k) => k.split(' ')[0]));
    expect(routeFiles.filter((f) => !PUBLIC_ROUTES.includes(f)).sort()).toEqual([...covered].sort());
    for (const [name, call] of Object.entries(asBob)) {
      const response = await call();
      // The beacon answers 200 either way; it must still change nothing (checked below). Bob's library is his own: empty.
      const expected = name === 'runs/[runId]/interrupt POST' || name === 'datasets GET' ? 200 : name === 'datasets POST' ? 400 : 404;
      expect({ name, status: response.status }).toEqual({ name, status: expected });
      if (name === 'datasets GET') expect(await response.json()).toEqual([]);
    }
    for (const [name, call] of Object.entries(await routeCalls(undefined, work))) {
      const response = await call();
      expect({ name, status: response.status, kind: ((await response.json()) as { kind?: string }).kind }).toEqual({ name, status: 401, kind: 'signed-out' });
    }
    await expectUntouched(alice, work);
  });

  it('keeps server actions to the signed-in user, and tells a signed-out page so instead of redirecting', async () => {
    const actions = await import('../../../app/actions');
    const { projectId, version } = work;
    const calls = {
      renameProjectAction: () => actions.renameProjectAction(projectId, 'taken'),
      duplicateProjectAction: () => actions.duplicateProjectAction(projectId),
      deleteProjectAction: () => actions.deleteProjectAction(projectId),
      listRevisionsAction: () => actions.listRevisionsAction(projectId),
      restoreRevisionAction: () => actions.restoreRevisionAction(projectId, version, 1),
    };
    const ownActions = Object.keys(actions).filter((n) => !n.startsWith('create'));
    expect(Object.keys(calls).sort()).toEqual(ownActions.sort());
    requestHeaders.current = new Headers({ cookie: bob.cookie });
    for (const [name, call] of Object.entries(calls)) expect({ name, result: await call() }).toMatchObject({ name, result: { ok: false, error: { kind: 'not-found' } } });
    // Bob's new project is his: Alice does not see it.
    const bobs = await actions.createProjectAction({ name: 'Bob VAE', template: 'vae' });
    expect(bobs.ok).toBe(true);
    expect((await projects.listProjects(alice.owner)).map((p) => p.name)).toEqual(['Alice GAN']);
    requestHeaders.current = new Headers();
    for (const [name, call] of Object.entries(calls)) expect({ name, result: await call() }).toMatchObject({ name, result: { ok: false, error: { kind: 'signed-out' } } });
    await expect(actions.createProjectFormAction({}, new FormData())).rejects.toThrow('redirect /sign-in');

    const datasetActions = await import('../../../app/datasets/actions');
    const onAliceData = {
      renameDatasetAction: () => datasetActions.renameDatasetAction(work.datasetId, 'taken'),
      deleteDatasetAction: () => datasetActions.deleteDatasetAction(work.datasetId),
    };
    expect(Object.keys(onAliceData).sort()).toEqual(Object.keys(datasetActions).sort());
    for (const [cookie, kind] of [[bob.cookie, 'not-found'], [undefined, 'signed-out']] as const) {
      requestHeaders.current = new Headers(cookie ? { cookie } : {});
      for (const [name, call] of Object.entries(onAliceData)) expect({ name, result: await call() }).toMatchObject({ name, result: { ok: false, error: { kind } } });
    }
    await expectUntouched(alice, work);
  });
});
