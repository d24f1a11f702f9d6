import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { createClient, type Client } from '@libsql/client';

/**
 * Applies the committed Prisma migrations (prisma/migrations/<name>/migration.sql)
 * that the database has not seen, in name order, each in one transaction with
 * foreign keys off (so that redefining a table keeps the rows that reference
 * it) and every reference checked before it commits, and records them in
 * `_prisma_migrations` exactly as `prisma migrate deploy` does, so the two
 * agree wherever Prisma's native engine exists. Needed because that engine
 * cannot be downloaded on offline machines.
 */
export const MIGRATIONS_DIR = path.join(process.cwd(), 'prisma', 'migrations');

const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** Ensures the folder of a `file:` database exists (libSQL does not create it). */
export async function ensureDatabaseFolder(url: string): Promise<void> {
  if (url.startsWith('file:')) await mkdir(path.dirname(url.slice('file:'.length)), { recursive: true });
}

export async function migrate(url: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  await ensureDatabaseFolder(url);
  const client = createClient({ url, authToken: process.env.DATABASE_AUTH_TOKEN });
  try {
    // An embedded file in write-ahead-log mode: readers never wait for a writer (a training tab reports every few seconds).
    if (url.startsWith('file:')) await client.execute('PRAGMA journal_mode = WAL');
    return await applyPending(client, await readMigrations(dir));
  } finally {
    client.close();
  }
}

async function applyPending(client: Client, migrations: Migration[]): Promise<string[]> {
  await client.execute(HISTORY_TABLE);
  const rows = await client.execute('SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL');
  const applied = new Map(rows.rows.map((r) => [String(r.migration_name), String(r.checksum)]));
  const done: string[] = [];
  for (const migration of migrations) {
    const checksum = applied.get(migration.name);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new Error(`Migration ${migration.name} was changed after it was applied to this database (checksum differs). Add a new migration instead of editing an applied one.`);
      }
      continue;
    }
    // SQLite ignores PRAGMA foreign_keys inside a transaction, so a migration's own (Prisma writes one around a table it redefines)
    // would do nothing, and dropping the old table would delete its child rows by cascade. Off on the connection the transaction
    // takes, before it begins; every reference checked before the commit.
    await client.execute('PRAGMA foreign_keys = OFF');
    const tx = await client.transaction('write');
    try {
      const enforced = Number(Object.values((await tx.execute('PRAGMA foreign_keys')).rows[0] ?? {})[0] ?? 0);
      if (enforced && /\bDROP\s+TABLE\b/i.test(migration.sql)) {
        throw new Error('it drops a table, and foreign keys cannot be turned off on this connection: the rows that reference it would be deleted');
      }
      await tx.executeMultiple(migration.sql);
      const broken = (await tx.execute('PRAGMA foreign_key_check')).rows;
      if (broken.length) {
        const first = broken[0]!;
        throw new Error(`it leaves ${broken.length} rows that reference rows that do not exist (first: ${String(first.table)} row ${String(first.rowid)} references ${String(first.parent)})`);
      }
      await tx.execute({
        sql: 'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES (?, ?, current_timestamp, ?, 1)',
        args: [randomUUID(), migration.checksum, migration.name],
      });
      await tx.commit();
    } catch (e) {
      await tx.rollback();
      throw new Error(`Migration ${migration.name} failed and was rolled back: ${(e as Error).message}`);
    } finally {
      tx.close();
      await client.execute('PRAGMA foreign_keys = ON');
    }
    done.push(migration.name);
  }
  return done;
}
