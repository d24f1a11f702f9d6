import { serverMode, sharedSettings } from '@/lib/auth/mode';

/**
 * At server start: a misconfigured mode stops the server with the reason,
 * before any request, and so does local mode listening beyond loopback; what
 * a kill interrupted in the dataset library is finished or rolled back.
 */
export async function register() {
  if (serverMode() === 'shared') sharedSettings();
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    (await import('@/lib/auth/bind')).refuseExposedLocalServer();
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
