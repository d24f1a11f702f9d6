/**
 * The app as built (`next build`), served on the address the mode allows,
 * behind the gate. Local mode (no accounts) listens on 127.0.0.1 only and
 * refuses any other address, however it is asked for (NETLOOM_HOST, `-H`,
 * `--hostname`): whoever reaches a local server could change everything in
 * it. Shared mode checks its settings first and listens on NETLOOM_HOST
 * (default 0.0.0.0). An empty address counts as none asked. (Plain `next
 * start` is checked at server start too: instrumentation.ts.)
 *
 * Next.js runs in this process (its custom-server API) behind
 * app/_lib/gate.ts, which refuses what a request's headers refuse before its
 * body is read, and sets X-Forwarded-For to the client's address.
 *   npx tsx scripts/serve.ts [-p port] [-H address]
 */
import http from 'node:http';
import next from 'next';
import { gate } from '../app/_lib/gate';
import { localAddressRefusal } from '../lib/auth/bind';
import { GATED } from '../lib/auth/gated';
import { ConfigError, serverMode, sharedSettings } from '../lib/auth/mode';

/** The addresses and port the arguments ask for (as `next start` reads -H x, -Hx, --hostname x, --hostname=x, -p x, --port x, --port=x). */
function parseArguments(args: readonly string[]): { asked: string[]; port: number } {
  const asked: string[] = [];
  let port = process.env.PORT || '3000';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-H' || arg === '--hostname') asked.push(args[++i] ?? '');
    else if (arg.startsWith('--hostname=')) asked.push(arg.slice('--hostname='.length));
    else if (arg.startsWith('-H')) asked.push(arg.slice(2));
    else if (arg === '-p' || arg === '--port') port = args[++i] ?? '';
    else if (arg.startsWith('--port=')) port = arg.slice('--port='.length);
    else throw new ConfigError(`Unknown argument "${arg}": the server takes -p PORT and -H ADDRESS`);
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new ConfigError(`-p: "${port}" is not a port`);
  return { asked, port: Number(port) };
}

function address(asked: readonly string[]): string {
  const mode = serverMode();
  const wanted = [process.env.NETLOOM_HOST, ...asked].filter((a): a is string => Boolean(a));
  if (mode === 'local') {
    const refusal = wanted.map((a) => localAddressRefusal(a, 'Asked to listen on')).find(Boolean);
    if (refusal) throw new ConfigError(refusal);
    return wanted.at(-1) ?? '127.0.0.1';
  }
  sharedSettings();
  return wanted.at(-1) ?? '0.0.0.0';
}

async function serve() {
  const { asked, port } = parseArguments(process.argv.slice(2));
  const host = address(asked);
  Object.assign(process.env, { NODE_ENV: 'production' });
  // Said to instrumentation.ts, in this process only: requests pass the gate.
  (globalThis as Record<symbol, boolean>)[GATED] = true;
  const app = next({ dev: false, dir: process.cwd(), hostname: host, port });
  const server = http.createServer(gate(app.getRequestHandler()));
  await app.prepare();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  console.log(`Netloom in ${serverMode()} mode on http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => server.close(() => process.exit(0)));
}

serve().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
