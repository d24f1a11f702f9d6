import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'prisma/config';

// `prisma generate` never runs the schema engine, but Prisma 7 insists on
// finding (or downloading) its native binary first. Where none could be
// installed (offline machines), point it at any existing file; migrations are
// applied by lib/db/migrate.ts instead of the CLI.
const engines = path.join(__dirname, 'node_modules', '@prisma', 'engines');
const hasNativeEngine = existsSync(engines) && readdirSync(engines).some((f) => f.startsWith('schema-engine'));
if (!hasNativeEngine && !process.env.PRISMA_SCHEMA_ENGINE_BINARY) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(__dirname, 'package.json');
}

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'file:./data/netloom.db' },
});
