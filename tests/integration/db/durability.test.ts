import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db/client';
import { importDataset, listDatasets, loadDataset, deleteDataset } from '../../../lib/db/datasets';
import { folderOf, recoverDatasets } from '../../../lib/db/dataset-files';
import { datasetsDir } from '../../../lib/db/url';
import { readInputFiles } from '../../../lib/data/import/read';
import { writeImageFolder } from '../../fixtures/images';
import { migrate } from '../../../lib/db/migrate';
import { LOCAL_OWNER } from '../../../lib/db/owner';
import { createProject, getProject, HISTORY_LENGTH, listRevisions, saveGraph } from '../../../lib/db/projects';
import { loadGraphDoc } from '../../../lib/graph/migrations';
import { getTemplate } from '../../../lib/templates';

/**
 * Saves under pressure on a real SQLite file: many at once on the same
 * version (exactly one wins, the others are told they are stale), and a
 * writer killed hard mid-save, again and again (the database stays whole and
 * every saved version is readable).
 */
let url: string;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'netloom-durability-'));
  url = `file:${path.join(dir, 'test.db')}`;
  process.env.DATABASE_URL = url;
  await migrate(url);
});

const gan = getTemplate('gan')!.doc;

describe('saves', () => {
  it('200 concurrent saves of one version: exactly one is kept, every other is refused as stale', async () => {
    const created = await createProject(LOCAL_OWNER, { name: 'race', template: 'gan' });
    if (!created.ok) throw new Error(created.error.message);
    const id = created.value.id;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => saveGraph(LOCAL_OWNER, id, 1, { ...gan, description: `writer ${i}` })));
    const won = results.filter((r) => r.ok);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.error.kind === 'stale')).toHaveLength(199);
    const project = await getProject(LOCAL_OWNER, id);
    if (!project.ok) throw new Error(project.error.message);
    expect(project.value.version).toBe(2);
    const winner = results.findIndex((r) => r.ok);
    expect(project.value.graph.description).toBe(`writer ${winner}`);
  });

  it('survives a writer killed hard mid-save five times: the database is whole, versions and history agree', async () => {
    const created = await createProject(LOCAL_OWNER, { name: 'killed', template: 'gan' });
    if (!created.ok) throw new Error(created.error.message);
    const id = created.value.id;
    // A writer that saves as fast as it can, each save on top of the last, until it is killed.
    const script = path.join(dir, 'writer.ts');
    const root = process.cwd();
    await writeFile(
      script,
      `import { saveGraph, getProject } from '${root}/lib/db/projects';
import { LOCAL_OWNER } from '${root}/lib/db/owner';
import { getTemplate } from '${root}/lib/templates';
const doc = getTemplate('gan')!.doc;
(async () => {
  const start = await getProject(LOCAL_OWNER, process.argv[2]);
  if (!start.ok) throw new Error(start.error.message);
  let version = start.value.version;
  for (let i = 0; ; i++) {
    const saved = await saveGraph(LOCAL_OWNER, process.argv[2], version, { ...doc, description: 'save ' + i + ' ' + 'x'.repeat(i % 5000) });
    if (!saved.ok) throw new Error(saved.error.message);
    version = saved.value.version;
    if (i === 3) console.log('saving');
  }
})();
`,
    );
    for (let kill = 0; kill < 5; kill++) {
      // node itself runs the writer (tsx as a loader), so the kill reaches the process that writes.
      const child = spawn(process.execPath, ['--import', 'tsx', script, id], { env: { ...process.env, DATABASE_URL: url }, stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => setTimeout(resolve, 150 + 100 * kill));
        child.on('exit', (code) => reject(new Error(`the writer exited (${code}) before it was killed`)));
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    const integrity = await db().$queryRawUnsafe<{ integrity_check: string }[]>('PRAGMA integrity_check');
    expect(integrity).toEqual([{ integrity_check: 'ok' }]);
    const project = await getProject(LOCAL_OWNER, id);
    if (!project.ok) throw new Error(project.error.message);
    expect(project.value.version).toBeGreaterThan(5 * 4);
    const history = await listRevisions(LOCAL_OWNER, id);
    if (!history.ok) throw new Error(history.error.message);
    // The newest revision is the project's version, the history is whole and every revision reads.
    expect(history.value[0]!.version).toBe(project.value.version);
    expect(history.value.map((r) => r.version)).toEqual(Array.from({ length: HISTORY_LENGTH }, (_, i) => project.value.version - i));
    const rows = await db().revision.findMany({ where: { projectId: id } });
    for (const row of rows) expect(loadGraphDoc(row.graph).ok).toBe(true);
    const latest = rows.find((r) => r.version === project.value.version)!;
    expect(JSON.parse(latest.graph)).toEqual(project.value.graph);
    // And it still takes saves.
    expect((await saveGraph(LOCAL_OWNER, id, project.value.version, gan)).ok).toBe(true);
  });
});

/** The library and the disk agree: every listed dataset reads, every folder has its row, nothing half-written is left. */
async function libraryWhole() {
  const listed = await listDatasets(LOCAL_OWNER);
  for (const d of listed) {
    const train = await loadDataset(LOCAL_OWNER, { id: d.id, split: 'train' });
    expect(train.ok && train.value.count, d.name).toBe(d.trainCount);
  }
  const entries = await readdir(datasetsDir()).catch(() => [] as string[]);
  expect(entries.filter((name) => name.includes('.part-'))).toEqual([]);
  expect(entries.sort()).toEqual(listed.map((d) => d.id).sort());
  return listed;
}

/** A process id that no process has any more. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('dataset imports and deletes killed mid-write', () => {
  it('finishes or rolls back every state a kill can leave, at start', async () => {
    const source = path.join(dir, 'states');
    await writeImageFolder(source, { classes: ['a', 'b'], perClass: 3, height: 6, width: 6 });
    const files = await readInputFiles(source);
    const imported = async (name: string) => {
      const result = await importDataset(LOCAL_OWNER, { name, files });
      if (!result.ok) throw new Error(result.error.message);
      return result.value.id;
    };
    const dead = await deadPid();
    const moveAside = (id: string) => rename(folderOf(id), `${folderOf(id)}.part-${dead}-0a1b`);

    // Killed after the row, before the rename: the part is complete and its row exists, so the import is finished.
    const rowThenKill = await imported('row written, not renamed');
    await moveAside(rowThenKill);
    // A delete killed after moving the folder aside, before the row went: the delete is undone.
    const deleteAside = await imported('delete moved aside');
    await moveAside(deleteAside);
    // A delete killed after the row went: its folder is removed.
    const deleteRowGone = await imported('delete row gone');
    await moveAside(deleteRowGone);
    await db().dataset.delete({ where: { id: deleteRowGone } });
    // Killed while writing the files: a part without a row, half of its files.
    await mkdir(`${folderOf('feedface')}.part-${dead}-99`, { recursive: true });
    await writeFile(`${folderOf('feedface')}.part-${dead}-99/train-images.idx`, new Uint8Array(100));
    // What imports before this order left: a row of 0 bytes without a folder, with a part of the old name; and one whose folder was renamed but never counted.
    const legacy = await db().dataset.create({ data: { name: 'legacy', format: 'images', source: 's', height: 6, width: 6, channels: 1, classes: 2, trainCount: 6, testCount: 0, stats: '{}', bytes: 0 } });
    await mkdir(`${folderOf(legacy.id)}.part-0123456789ab`, { recursive: true });
    const uncounted = await imported('renamed, never counted');
    await db().dataset.update({ where: { id: uncounted }, data: { bytes: 0 } });
    // A part of a process that still runs (this one): an import under way, left alone.
    const running = `${folderOf('cafe')}.part-${process.pid}-77`;
    await mkdir(running, { recursive: true });

    const recovered = await recoverDatasets();
    expect(recovered.finished.sort()).toEqual([rowThenKill, deleteAside, uncounted].sort());
    expect(recovered.rows).toEqual([legacy.id]);
    expect(recovered.removed.sort()).toEqual([`${deleteRowGone}.part-${dead}-0a1b`, `feedface.part-${dead}-99`, `${legacy.id}.part-0123456789ab`].sort());
    expect(existsSync(running)).toBe(true);
    await rm(running, { recursive: true });
    const listed = await libraryWhole();
    expect(listed.find((d) => d.id === uncounted)!.bytes).toBeGreaterThan(0);
    for (const id of [rowThenKill, deleteAside, uncounted]) expect((await deleteDataset(LOCAL_OWNER, id)).ok).toBe(true);
    await libraryWhole();
  });

  it('leaves no orphan row or folder when `npm run data -- import` is killed hard mid-write, after the next start', async () => {
    const FASHION = '/usr/share/datasets/fashion-mnist';
    const root = process.cwd();
    const env = { ...process.env, DATABASE_URL: url };
    const start = (...args: string[]) => spawn(process.execPath, ['--import', 'tsx', path.join(root, 'cli/data.ts'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const before = (await listDatasets(LOCAL_OWNER)).length;
    let completed = 0;
    // Killed at once and later after its temporary folder appears: while writing files, around the row and the rename.
    for (const delay of [0, 5, 20, 60, 150, 400]) {
      const child = start('import', FASHION, '--name', `killed after ${delay} ms`);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      let done = false;
      void exited.then(() => (done = true));
      while (!done && !(await readdir(datasetsDir()).catch(() => [] as string[])).some((name) => name.includes('.part-'))) await new Promise((r) => setTimeout(r, 2));
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      if ((await exited) === 0) completed++;
      // The next start (any command of the CLI, as the server at start-up) finishes or rolls back what the kill left.
      const list = start("list");
      expect(await new Promise((resolve) => list.once('exit', resolve))).toBe(0);
      await libraryWhole();
    }
    const listed = await libraryWhole();
    // Each import is stored whole or not at all.
    expect(listed.length - before).toBeGreaterThanOrEqual(completed);
    for (const d of listed.filter((x) => x.name.startsWith('killed'))) expect(d).toMatchObject({ trainCount: 60000, testCount: 10000 });
  });
});
