import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db/client';
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
