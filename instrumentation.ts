import { serverMode, sharedSettings } from '@/lib/auth/mode';

/** At server start: a misconfigured mode stops the server with the reason, before any request. */
export function register() {
  if (serverMode() === 'shared') sharedSettings();
}
