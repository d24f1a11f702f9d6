import { PrismaLibSql } from '@prisma/adapter-libsql';
import { PrismaClient } from './generated/client';
import { databaseUrl } from './url';

/**
 * The one Prisma client (the only module that constructs it). The libSQL
 * driver adapter serves both the embedded SQLite file and a remote libSQL
 * server, chosen by DATABASE_URL. Kept on globalThis so Next.js dev reloads
 * do not open a new connection each time.
 */
const BUSY_MS = 10_000;

const holder = globalThis as unknown as { netloomPrisma?: { url: string; client: PrismaClient } };

export function db(): PrismaClient {
  const url = databaseUrl();
  if (holder.netloomPrisma?.url !== url) {
    void holder.netloomPrisma?.client.$disconnect();
    // A write that finds the file locked (another process, another connection) waits up to BUSY_MS instead of failing.
    const adapter = new PrismaLibSql({ url, authToken: process.env.DATABASE_AUTH_TOKEN, timeout: BUSY_MS });
    holder.netloomPrisma = { url, client: new PrismaClient({ adapter }) };
  }
  return holder.netloomPrisma.client;
}
