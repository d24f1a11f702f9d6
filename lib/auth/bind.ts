/**
 * Local mode has no accounts: whoever reaches the server can change
 * everything in it, so it must listen on loopback only, however it was
 * started (`npm start`, `npm run serve -- -H ...`, plain `next start`, which
 * listens on every interface). scripts/serve.ts refuses a wider address
 * before starting; this checks what the server really listens on once it
 * does, and stops it otherwise.
 */
import net from 'node:net';
import { serverMode, type Env } from './mode';

/** 127.0.0.0/8 and ::1 (also as an IPv4-mapped address), or the name localhost. */
export function isLoopback(address: string): boolean {
  const plain = address.toLowerCase().replace(/^\[|\]$/g, '');
  return plain === 'localhost' || plain === '::1' || /^(?:::ffff:)?127(?:\.\d{1,3}){3}$/.test(plain);
}

/** Why local mode may not listen on `address` (undefined: it may). */
export function localAddressRefusal(address: string, how: string): string | undefined {
  if (isLoopback(address)) return undefined;
  const shown = address === '' || address === '::' || address === '0.0.0.0' ? `${address || 'every address'} (every interface)` : address;
  return (
    `${how} ${shown}: local mode has no accounts, so whoever reaches it could change everything; it listens on 127.0.0.1 (or another loopback address) only. ` +
    'Start it with `npm start`, or `next start -H 127.0.0.1`. To serve others, run in shared mode (NETLOOM_MODE=shared, see the README).'
  );
}

/** The addresses this process's servers listen on (undefined: this Node cannot tell). */
function listeningAddresses(): string[] | undefined {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.();
  if (!handles) return undefined;
  return handles.flatMap((h) => {
    if (!(h instanceof net.Server) || !h.listening) return [];
    const address = h.address();
    return address && typeof address === 'object' ? [address.address] : [];
  });
}

/**
 * At server start, in local mode: stops the process (status 1, with the
 * reason) if one of its servers listens beyond loopback. Next.js listens
 * before it registers instrumentation, and holds requests until that is
 * done; should a server not listen yet, it is checked again until it does.
 */
export function refuseExposedLocalServer(env: Env = process.env): void {
  if (serverMode(env) !== 'local') return;
  const check = (): boolean => {
    const addresses = listeningAddresses();
    if (addresses === undefined) {
      console.warn('Netloom cannot tell which address this server listens on: make sure it is a loopback address (npm start does this).');
      return true;
    }
    const refusal = addresses.map((a) => localAddressRefusal(a, 'This server listens on')).find(Boolean);
    if (refusal) {
      console.error(refusal);
      process.exit(1);
    }
    return addresses.length > 0;
  };
  if (check()) return;
  const timer = setInterval(() => check() && clearInterval(timer), 50);
  timer.unref();
}
