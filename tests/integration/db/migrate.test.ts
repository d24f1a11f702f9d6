import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '../../../lib/db/migrate';

/**
 * The migration runner against a real SQLite file: a migration that
 * redefines a parent table the way Prisma writes a column change for SQLite
 * (PRAGMA foreign_keys=OFF, a new table, the rows copied, the old one
 * dropped, the new one renamed) keeps every child row, where running it in a
 * transaction with foreign keys on deleted them all by cascade (a run's
 * metrics, pictures and checkpoints); and a migration that would leave rows
 * pointing at nothing is refused and rolled back, naming them.
 */
async function database(extra: Record<string, string>) {
  const dir = await mkdtemp(path.join(tmpdir(), 'netloom-migrate-'));
  const migrations = path.join(dir, 'migrations');
  await cp(MIGRATIONS_DIR, migrations, { recursive: true });
  const url = `file:${path.join(dir, 'test.db')}`;
  await migrate(url, migrations);
  const client = createClient({ url });
  await client.executeMultiple(`INSERT INTO Project (id, name, graph, version, updatedAt) VALUES ('p', 'p', '{}', 1, 0);
INSERT INTO Run (id, projectId, number, graph, settings, backend, status, updatedAt) VALUES ('r', 'p', 1, '{}', '{}', 'cpu', 'running', 0);
INSERT INTO RunMetrics (id, runId, seq, points) VALUES ('m0', 'r', 0, '[]'), ('m1', 'r', 1, '[]');
INSERT INTO RunPicture (id, runId, kind, "index", step, png) VALUES ('g0', 'r', 'samples', 0, 0, x'89');
INSERT INTO Checkpoint (id, runId, iteration, manifest, weights) VALUES ('c0', 'r', 1, '{}', x'00');`);
  for (const [name, sql] of Object.entries(extra)) {
    await mkdir(path.join(migrations, name));
    await writeFile(path.join(migrations, name, 'migration.sql'), sql);
  }
  return { url, migrations, client };
}

/** Prisma's SQLite form of a change to a table's columns: the table made anew under its name, its rows copied across. */
async function redefinition(client: Client, table: string): Promise<string> {
  const create = String((await client.execute({ sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", args: [table] })).rows[0]!.sql);
  const indexes = (await client.execute({ sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", args: [table] })).rows.map((r) => `${r.sql};`);
  return [
    '-- RedefineTables',
    'PRAGMA defer_foreign_keys=ON;',
    'PRAGMA foreign_keys=OFF;',
    `${create.replace(`CREATE TABLE "${table}"`, `CREATE TABLE "new_${table}"`)};`,
    `INSERT INTO "new_${table}" SELECT * FROM "${table}";`,
    `DROP TABLE "${table}";`,
    `ALTER TABLE "new_${table}" RENAME TO "${table}";`,
    ...indexes,
    'PRAGMA foreign_keys=ON;',
    'PRAGMA defer_foreign_keys=OFF;',
  ].join('\n');
}

const count = async (client: Client, table: string) => Number((await client.execute(`SELECT count(*) AS n FROM "${table}"`)).rows[0]!.n);

describe('migrations', () => {
  it("keep a redefined parent table's child rows, and leave foreign keys on", async () => {
    const { url, migrations, client } = await database({});
    const sql = await redefinition(client, 'Run');
    await mkdir(path.join(migrations, '29990101000000_redefine_run'));
    await writeFile(path.join(migrations, '29990101000000_redefine_run', 'migration.sql'), sql);
    expect(await migrate(url, migrations)).toEqual(['29990101000000_redefine_run']);
    expect({ metrics: await count(client, 'RunMetrics'), pictures: await count(client, 'RunPicture'), checkpoints: await count(client, 'Checkpoint'), runs: await count(client, 'Run') }).toEqual({ metrics: 2, pictures: 1, checkpoints: 1, runs: 1 });
    expect((await client.execute('PRAGMA foreign_key_check')).rows).toEqual([]);
    // Deleting the run still cascades: the redefined table's references hold.
    await client.execute("DELETE FROM Run WHERE id = 'r'");
    expect(await count(client, 'RunMetrics')).toBe(0);
    client.close();
  });

  it('refuse, and roll back, a migration that leaves rows pointing at nothing', async () => {
    const { url, migrations, client } = await database({ '29990101000000_orphans': "DELETE FROM Run WHERE id = 'r';\nINSERT INTO Project (id, name, graph, version, updatedAt) VALUES ('q', 'q', '{}', 1, 0);" });
    await expect(migrate(url, migrations)).rejects.toThrow(/Migration 29990101000000_orphans failed and was rolled back: it leaves 4 rows that reference rows that do not exist \(first: \w+ row \d+ references Run\)/);
    expect({ runs: await count(client, 'Run'), metrics: await count(client, 'RunMetrics'), projects: await count(client, 'Project') }).toEqual({ runs: 1, metrics: 2, projects: 1 });
    client.close();
  });
});
