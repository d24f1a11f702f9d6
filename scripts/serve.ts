/**
 * `next start` on the address the mode allows. Local mode (no accounts)
 * listens on 127.0.0.1 only and refuses any other address, however it is
 * asked for (NETLOOM_HOST, `-H`, `--hostname`): whoever reaches a local
 * server could change everything in it. Shared mode checks its settings
 * first and listens on NETLOOM_HOST (default 0.0.0.0). An empty address
 * counts as none asked. (Plain `next start` is checked at server start too:
 * instrumentation.ts.)
 *   npx tsx scripts/serve.ts [-p port] [-H address]
 */
import { spawn } from 'node:child_process';
import { localAddressRefusal } from '../lib/auth/bind';
import { ConfigError, serverMode, sharedSettings } from '../lib/auth/mode';

/** The arguments without any address flag, and the addresses they ask for (as `next start` reads -H x, -Hx, --hostname x, --hostname=x). */
function splitAddress(args: readonly string[]): { rest: string[]; asked: string[] } {
  const rest: string[] = [];
  const asked: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-H' || arg === '--hostname') asked.push(args[++i] ?? '');
    else if (arg.startsWith('--hostname=')) asked.push(arg.slice('--hostname='.length));
    else if (arg.startsWith('-H')) asked.push(arg.slice(2));
    else rest.push(arg);
  }
  return { rest, asked };
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

try {
  const { rest, asked } = splitAddress(process.argv.slice(2));
  const host = address(asked);
  console.log(`Netloom in ${serverMode()} mode on ${host}`);
  const child = spawn('npx', ['next', 'start', '-H', host, ...rest], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  child.on('exit', (code) => process.exit(code ?? 1));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
