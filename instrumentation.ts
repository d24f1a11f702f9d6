import { serverMode, sharedSettings } from '@/lib/auth/mode';

/**
 * At server start: a misconfigured mode stops the server with the reason,
 * before any request, and so does local mode listening beyond loopback.
 */
export async function register() {
  if (serverMode() === 'shared') sharedSettings();
  if (process.env.NEXT_RUNTIME === 'nodejs') (await import('@/lib/auth/bind')).refuseExposedLocalServer();
}
