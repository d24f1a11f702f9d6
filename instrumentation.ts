import { isGated } from '@/lib/auth/gated';
import { serverMode, sharedSettings } from '@/lib/auth/mode';

/**
 * At server start: a misconfigured mode stops the server with the reason,
 * before any request, and so do local mode listening beyond loopback and
 * shared mode served without the gate (plain `next start`: see
 * scripts/serve.ts); what a kill interrupted in the dataset library is
 * finished or rolled back.
 */
export async function register() {
  if (serverMode() === 'shared') sharedSettings();
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    (await import('@/lib/auth/bind')).refuseExposedLocalServer();
    refuseUngatedSharedServer();
    await recoverInterrupted();
  }
}

/** Finishes or rolls back the dataset imports and deletes a kill interrupted (lib/db/dataset-files.ts); a failure is said, not fatal. */
async function recoverInterrupted() {
  const { recoverDatasets, recoveryLine } = await import('@/lib/db/dataset-files');
  try {
    const line = recoveryLine(await recoverDatasets());
    if (line) console.log(line);
  } catch (error) {
    console.warn(`Netloom could not check the dataset library for interrupted imports: ${(error as Error).message}`);
  }
}

/**
 * Shared mode serves people who may send anything: it runs behind the gate
 * (scripts/serve.ts, what `npm start` runs), which refuses oversized and
 * anonymous uploads before reading them and tells rate limits the client's
 * real address. Plain `next start` would trust X-Forwarded-For as the client
 * sends it; it stops here with the reason. (`next dev` serves a developer.)
 */
function refuseUngatedSharedServer() {
  if (serverMode() !== 'shared' || process.env.NODE_ENV !== 'production' || isGated()) return;
  console.error('NETLOOM_MODE=shared runs behind its gate: start it with `npm start` or `npm run serve` (scripts/serve.ts), not `next start`.');
  process.exit(1);
}
