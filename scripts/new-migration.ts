/**
 * Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL that takes
 * a database with every existing migration applied to prisma/schema.prisma.
 * Uses Prisma's schema engine compiled to WebAssembly (the native one cannot
 * be downloaded here) over a scratch SQLite file.
 *   npx tsx scripts/new-migration.ts <name>
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PrismaLibSql } from '@prisma/adapter-libsql';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import { createRequire } from 'node:module';
import { MIGRATIONS_DIR, migrate } from '../lib/db/migrate';

/** The package is built for bundlers (it imports its .wasm as a module); in Node it is instantiated by hand. */
async function loadSchemaEngine() {
  const dir = path.dirname(createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm'));
  const bindings = await import(path.join(dir, 'schema_engine_bg.js'));
  const { instance } = await WebAssembly.instantiate(await readFile(path.join(dir, 'schema_engine_bg.wasm')), {
    './schema_engine_bg.js': bindings,
  });
  bindings.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
  return bindings.SchemaEngine as typeof import('@prisma/schema-engine-wasm').SchemaEngine;
}

async function main() {
  const name = process.argv[2]?.replace(/[^a-z0-9_]+/gi, '_');
  if (!name) throw new Error('usage: npx tsx scripts/new-migration.ts <name>');
  const scratch = await mkdtemp(path.join(tmpdir(), 'netloom-migration-'));
  const url = `file:${path.join(scratch, 'scratch.db')}`;
  await migrate(url);
  const schemaPath = path.join(process.cwd(), 'prisma', 'schema.prisma');
  const content = await readFile(schemaPath, 'utf8');
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaLibSql({ url }) as never);
  const SchemaEngine = await loadSchemaEngine();
  const engine = await SchemaEngine.new({ datamodels: [[schemaPath, content]] }, () => {}, adapter);
  const diff = await engine.diff({
    from: { tag: 'schemaDatasource', files: [{ path: schemaPath, content }], configDir: process.cwd() },
    to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content }] },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  } as never);
  const sql = diff.stdout ?? '';
  await rm(scratch, { recursive: true, force: true });
  if (!sql.trim() || /empty migration/i.test(sql)) {
    console.log('The schema matches the migrations: nothing to write.');
    process.exit(0);
  }
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'migration.sql'), sql);
  console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
  process.exit(0); // the engine leaves a timer pending
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
