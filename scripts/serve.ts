/**
 * `next start` on the address the mode allows. Local mode (no accounts)
 * listens on 127.0.0.1 only and refuses any other address: whoever reaches a
 * local server could change everything in it. Shared mode checks its
 * settings first and listens on NETLOOM_HOST (default 0.0.0.0).
 *   npx tsx scripts/serve.ts [-p port]
 */
import { spawn } from 'node:child_process';
import { ConfigError, serverMode, sharedSettings } from '../lib/auth/mode';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function host(): string {
  const mode = serverMode();
  const wanted = process.env.NETLOOM_HOST;
  if (mode === 'local') {
    if (wanted && !LOOPBACK.has(wanted)) {
      throw new ConfigError(`NETLOOM_HOST=${wanted}: local mode has no accounts, so it listens on 127.0.0.1 only. To serve others, run in shared mode (NETLOOM_MODE=shared, see the README).`);
    }
    return wanted ?? '127.0.0.1';
  }
  sharedSettings();
  return wanted ?? '0.0.0.0';
}

try {
  const address = host();
  console.log(`Netloom in ${serverMode()} mode on ${address}`);
  const child = spawn('npx', ['next', 'start', '-H', address, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 1));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
