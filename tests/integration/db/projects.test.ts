import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_OWNER } from '../../../lib/db/owner';
import { db } from '../../../lib/db/client';
import { migrate, readMigrations } from '../../../lib/db/migrate';
import {
  createProject,
  deleteProject,
  duplicateProject,
  getProject,
  HISTORY_LENGTH,
  listProjects,
  listRevisions,
  renameProject,
  restoreRevision,
  saveGraph,
} from '../../../lib/db/projects';
import { getTemplate } from '../../../lib/templates';

/** The data layer against a real SQLite database, created and migrated the way `npm start` does it. */
let url: string;

beforeAll(async () => {
  url = `file:${path.join(await mkdtemp(path.join(tmpdir(), 'netloom-db-')), 'test.db')}`;
  process.env.DATABASE_URL = url;
  expect(await migrate(url)).toEqual((await readMigrations()).map((m) => m.name));
});

describe('migrations', () => {
  it('record themselves as Prisma does and apply only once', async () => {
    expect(await migrate(url)).toEqual([]);
    const client = createClient({ url });
    const rows = await client.execute('SELECT migration_name, checksum, finished_at FROM _prisma_migrations');
    client.close();
    const migrations = await readMigrations();
    expect(rows.rows.map((r) => [r.migration_name, r.checksum])).toEqual(migrations.map((m) => [m.name, m.checksum]));
    expect(rows.rows.every((r) => r.finished_at !== null)).toBe(true);
  });
});

describe('projects', () => {
  it('creates blank and template projects and lists the latest first', async () => {
    const blank = await createProject(LOCAL_OWNER, { name: '  My GAN  ' });
    expect(blank.ok && blank.value).toMatchObject({ name: 'My GAN', version: 1 });
    const ali = await createProject(LOCAL_OWNER, { name: 'ALI run', template: 'ali' });
    expect(ali.ok).toBe(true);
    const loaded = await getProject(LOCAL_OWNER, ali.ok ? ali.value.id : '');
    expect(loaded.ok && loaded.value.graph.nodes).toEqual(getTemplate('ali')!.doc.nodes);
    expect(loaded.ok && loaded.value.graph.name).toBe('ALI run');
    // A new graph stops exploding runs; a template keeps its seed's behaviour.
    const blankGraph = await getProject(LOCAL_OWNER, blank.ok ? blank.value.id : '');
    expect(blankGraph.ok && blankGraph.value.graph.training.guard).toEqual({ factor: 10, patience: 50 });
    expect(loaded.ok && loaded.value.graph.training.guard).toBeUndefined();
    const list = await listProjects(LOCAL_OWNER);
    expect(list[0]!.name).toBe('ALI run');
    expect(list.map((p) => p.name)).toContain('My GAN');
  });

  it('rejects bad names and unknown templates with a reason', async () => {
    expect(await createProject(LOCAL_OWNER, { name: '   ' })).toEqual({ ok: false, error: { kind: 'invalid', message: 'A project needs a name' } });
    expect(await createProject(LOCAL_OWNER, { name: 'x'.repeat(300) })).toEqual({ ok: false, error: { kind: 'invalid', message: 'Names are at most 200 characters' } });
    expect(await createProject(LOCAL_OWNER, { name: 'x', template: 'stylegan' })).toEqual({ ok: false, error: { kind: 'invalid', message: 'Unknown template "stylegan"' } });
    expect(await createProject(LOCAL_OWNER, { name: 42 })).toMatchObject({ ok: false });
  });

  it('saves with the expected version and refuses a stale save, keeping the newer work', async () => {
    const created = await createProject(LOCAL_OWNER, { name: 'Tabs', template: 'gan' });
    if (!created.ok) throw new Error(created.error.message);
    const { id } = created.value;
    const graph = getTemplate('gan')!.doc;
    const first = await saveGraph(LOCAL_OWNER, id, 1, { ...graph, description: 'first tab' });
    expect(first.ok && first.value.version).toBe(2);
    // A second tab still at version 1 tries to save.
    const stale = await saveGraph(LOCAL_OWNER, id, 1, { ...graph, description: 'second tab' });
    expect(stale).toMatchObject({ ok: false, error: { kind: 'stale', currentVersion: 2 } });
    expect(!stale.ok && stale.error.message).toMatch(/changed elsewhere/);
    const now = await getProject(LOCAL_OWNER, id);
    expect(now.ok && now.value.graph.description).toBe('first tab');
    expect(now.ok && now.value.version).toBe(2);
  });

  it('knows its own save when the reply was lost, and still refuses a change made elsewhere', async () => {
    const created = await createProject(LOCAL_OWNER, { name: 'Lost reply', template: 'gan' });
    if (!created.ok) throw new Error(created.error.message);
    const { id } = created.value;
    const graph = getTemplate('gan')!.doc;
    const lost = { ...graph, description: 'saved, but the page never heard' };
    expect((await saveGraph(LOCAL_OWNER, id, 1, lost)).ok).toBe(true); // committed as version 2; the page still has version 1
    // The page sends it again, naming it: nothing new is written and the page learns version 2.
    const again = await saveGraph(LOCAL_OWNER, id, 1, lost, lost);
    expect(again.ok && again.value.version).toBe(2);
    // Then its newer edit goes on top.
    const newer = await saveGraph(LOCAL_OWNER, id, 2, { ...graph, description: 'newer' });
    expect(newer.ok && newer.value.version).toBe(3);
    // A page naming a lost save that is not what is stored is refused as before.
    const other = await saveGraph(LOCAL_OWNER, id, 2, { ...graph, description: 'from an old tab' }, { ...graph, description: 'never stored' });
    expect(other).toMatchObject({ ok: false, error: { kind: 'stale', currentVersion: 3 } });
    // And a lost save that did not commit is simply written.
    const fresh = await saveGraph(LOCAL_OWNER, id, 3, { ...graph, description: 'retried' }, { ...graph, description: 'retried' });
    expect(fresh.ok && fresh.value.version).toBe(4);
    const now = await getProject(LOCAL_OWNER, id);
    expect(now.ok && now.value.graph.description).toBe('retried');
  });

  it('refuses an invalid graph without touching the stored one', async () => {
    const created = await createProject(LOCAL_OWNER, { name: 'Guarded', template: 'vae' });
    if (!created.ok) throw new Error(created.error.message);
    const bad = await saveGraph(LOCAL_OWNER, created.value.id, 1, { schemaVersion: 1, name: 'x', nodes: 'not a list', edges: [] });
    expect(bad).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    const malformed = await saveGraph(LOCAL_OWNER, created.value.id, 1, '{"schemaVersion": 1,');
    expect(!malformed.ok && malformed.error.message).toMatch(/Not valid JSON/);
    const after = await getProject(LOCAL_OWNER, created.value.id);
    expect(after.ok && after.value.version).toBe(1);
    expect(after.ok && after.value.graph.nodes).toEqual(getTemplate('vae')!.doc.nodes);
  });

  it('keeps a short history and restores an earlier version as a new save', async () => {
    const created = await createProject(LOCAL_OWNER, { name: 'History', template: 'gan' });
    if (!created.ok) throw new Error(created.error.message);
    const { id } = created.value;
    const graph = getTemplate('gan')!.doc;
    let version = 1;
    for (let i = 1; i <= HISTORY_LENGTH + 5; i++) {
      const saved = await saveGraph(LOCAL_OWNER, id, version, { ...graph, description: `edit ${i}` });
      if (!saved.ok) throw new Error(saved.error.message);
      version = saved.value.version;
    }
    const history = await listRevisions(LOCAL_OWNER, id);
    expect(history.ok && history.value.length).toBe(HISTORY_LENGTH);
    expect(history.ok && history.value[0]!.version).toBe(version);
    // Each version says what it changed; the oldest kept has nothing to compare with.
    expect(history.ok && history.value[0]!.changes).toEqual(['edited the description']);
    expect(history.ok && history.value.at(-1)!.changes).toEqual(['the oldest version kept']);
    const target = version - 3;
    const restored = await restoreRevision(LOCAL_OWNER, id, version, target);
    expect(restored.ok && restored.value.version).toBe(version + 1);
    const now = await getProject(LOCAL_OWNER, id);
    expect(now.ok && now.value.graph.description).toBe(`edit ${target - 1}`);
    expect(await restoreRevision(LOCAL_OWNER, id, version + 1, 1)).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  it('renames, duplicates and deletes (with its history)', async () => {
    const created = await createProject(LOCAL_OWNER, { name: 'Original', template: 'conv-ae' });
    if (!created.ok) throw new Error(created.error.message);
    const { id } = created.value;
    expect((await renameProject(LOCAL_OWNER, id, 'Renamed')).ok).toBe(true);
    const copy = await duplicateProject(LOCAL_OWNER, id);
    expect(copy.ok && copy.value.name).toBe('Renamed (copy)');
    const copyGraph = await getProject(LOCAL_OWNER, copy.ok ? copy.value.id : '');
    expect(copyGraph.ok && copyGraph.value.graph.nodes).toEqual(getTemplate('conv-ae')!.doc.nodes);
    expect(await deleteProject(LOCAL_OWNER, id)).toEqual({ ok: true, value: true });
    expect(await getProject(LOCAL_OWNER, id)).toMatchObject({ ok: false, error: { kind: 'not-found' } });
    expect(await db().revision.count({ where: { projectId: id } })).toBe(0);
    expect(await deleteProject(LOCAL_OWNER, id)).toMatchObject({ ok: false, error: { kind: 'not-found' } });
    expect(await renameProject(LOCAL_OWNER, 'missing', 'x')).toMatchObject({ ok: false, error: { kind: 'not-found' } });
    expect(await getProject(LOCAL_OWNER, 'x'.repeat(500))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
  });
});
