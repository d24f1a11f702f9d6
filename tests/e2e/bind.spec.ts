import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { freePort } from '../fixtures/ports';

/**
 * Local mode listens on loopback only, however it is started: npm's script,
 * the serve script with an address in NETLOOM_HOST (empty too), -H or
 * --hostname, and plain `next start` (which listens on every interface by
 * itself). Each start either listens on loopback addresses only, as the
 * kernel reports them (/proc/net/tcp, tcp6), or stops with status 1 and the
 * reason, listening nowhere. Shared mode under plain `next start` (without
 * the gate of scripts/serve.ts) stops likewise. Runs the app as built for
 * the other e2e tests.
 */
const DATABASE_URL = 'file:.e2e/app.db';
const REFUSAL = 'local mode has no accounts';

/** IPv4 as /proc/net/tcp writes it: one little-endian 32-bit word. */
const ipv4 = (hex: string) => [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
/** IPv6 as /proc/net/tcp6 writes it: four little-endian 32-bit words; an IPv4-mapped one as IPv4. */
function ipv6(hex: string): string {
  const bytes = [0, 1, 2, 3].flatMap((w) => [3, 2, 1, 0].map((i) => hex.slice(w * 8 + i * 2, w * 8 + i * 2 + 2)));
  const groups = Array.from({ length: 8 }, (_, i) => parseInt(bytes[2 * i]! + bytes[2 * i + 1]!, 16));
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return `::ffff:${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  if (groups.every((g) => g === 0)) return '::';
  if (groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1) return '::1';
  return groups.map((g) => g.toString(16)).join(':');
}

/** The addresses that listen on `port`, as the kernel reports them. */
function listening(port: number): string[] {
  const table = (file: string, decode: (hex: string) => string) => {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f[3] === '0A' && parseInt(f[1]!.split(':')[1]!, 16) === port)
      .map((f) => decode(f[1]!.split(':')[0]!));
  };
  return [...table('/proc/net/tcp', ipv4), ...table('/proc/net/tcp6', ipv6)];
}

const isLoopback = (address: string) => /^(?:::ffff:)?127\./.test(address) || address === '::1';

interface Started {
  code: number | null;
  output: string;
  addresses: string[];
}

/**
 * Starts the server, waits until it exits or answers on 127.0.0.1 (its
 * start-up checks done), notes the addresses it listens on, and stops it.
 */
async function start(command: string[], env: Record<string, string | undefined>, port: number): Promise<Started> {
  const clean: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL };
  for (const key of ['NETLOOM_MODE', 'NETLOOM_HOST', 'BETTER_AUTH_URL', 'BETTER_AUTH_SECRET', 'PORT']) delete clean[key];
  // Its own process group: stopping it stops npm, tsx and next together.
  const child: ChildProcess = spawn(command[0]!, command.slice(1), { env: { ...clean, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (status) => resolve(status)));
  let code: number | null | undefined;
  void exited.then((c) => (code = c));
  const deadline = Date.now() + 90_000;
  let addresses: string[] = [];
  while (code === undefined && Date.now() < deadline) {
    addresses = listening(port);
    if (addresses.length) {
      const answered = await fetch(`http://127.0.0.1:${port}/api/tfjs-wasm/none`).then((r) => r.status, () => 0);
      if (answered) {
        addresses = listening(port);
        break;
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (code === undefined) {
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
    await released(port);
  }
  return { code: code ?? null, output, addresses };
}

/**
 * npx exits before the next-server it started has closed its socket: wait
 * (a bounded while) until nothing listens on `port`, so a later check sees
 * the stopped server's state, not its last moments.
 */
async function released(port: number, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (listening(port).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

const serve = (...args: string[]) => ['npx', 'tsx', 'scripts/serve.ts', ...args];
const nextStart = (...args: string[]) => ['npx', 'next', 'start', ...args];

/** How local mode may be started, and whether it then runs (on loopback) or refuses. */
const STARTS: { name: string; command: (port: number) => string[]; env?: Record<string, string>; runs: boolean }[] = [
  { name: 'the serve script (npm start)', command: (p) => serve('-p', String(p)), runs: true },
  { name: 'NETLOOM_HOST= (empty)', command: (p) => serve('-p', String(p)), env: { NETLOOM_HOST: '' }, runs: true },
  { name: 'NETLOOM_HOST=localhost', command: (p) => serve('-p', String(p)), env: { NETLOOM_HOST: 'localhost' }, runs: true },
  { name: 'next start -H 127.0.0.1', command: (p) => nextStart('-p', String(p), '-H', '127.0.0.1'), runs: true },
  { name: 'NETLOOM_HOST=0.0.0.0', command: (p) => serve('-p', String(p)), env: { NETLOOM_HOST: '0.0.0.0' }, runs: false },
  { name: 'npm run serve -- -H 0.0.0.0', command: (p) => ['npm', 'run', '-s', 'serve', '--', '-p', String(p), '-H', '0.0.0.0'], runs: false },
  { name: 'serve --hostname=::', command: (p) => serve('-p', String(p), '--hostname=::'), runs: false },
  { name: 'serve -H0.0.0.0', command: (p) => serve('-p', String(p), '-H0.0.0.0'), runs: false },
  { name: 'serve -H 127.0.0.1 --hostname 0.0.0.0', command: (p) => serve('-p', String(p), '-H', '127.0.0.1', '--hostname', '0.0.0.0'), runs: false },
  { name: 'plain next start', command: (p) => nextStart('-p', String(p)), runs: false },
  { name: 'next start -H 0.0.0.0', command: (p) => nextStart('-p', String(p), '-H', '0.0.0.0'), runs: false },
  { name: 'next start --hostname ::', command: (p) => nextStart('-p', String(p), '--hostname', '::'), runs: false },
];

test.describe('local mode listens on loopback only', () => {
  for (const way of STARTS) {
    test(`${way.name}: ${way.runs ? 'listens on loopback only' : 'refuses, with the reason and status 1'}`, async () => {
      test.setTimeout(120_000);
      const port = await freePort();
      const started = await start(way.command(port), way.env ?? {}, port);
      if (way.runs) {
        expect(started.addresses.length, started.output).toBeGreaterThan(0);
        expect(started.addresses.filter((a) => !isLoopback(a)), started.output).toEqual([]);
      } else {
        expect(started.code, started.output).toBe(1);
        expect(started.output).toContain(REFUSAL);
        expect(started.output).toContain('NETLOOM_MODE=shared');
      }
      expect(listening(port)).toEqual([]);
    });
  }
});

test('shared mode started without its gate (plain next start) refuses, with the reason and status 1', async () => {
  test.setTimeout(120_000);
  const port = await freePort();
  const env = { NETLOOM_MODE: 'shared', BETTER_AUTH_SECRET: 'e2e-only-secret-0123456789-abcdefghijklmnop', BETTER_AUTH_URL: `http://127.0.0.1:${port}` };
  const started = await start(nextStart('-p', String(port), '-H', '127.0.0.1'), env, port);
  expect(started.code, started.output).toBe(1);
  expect(started.output).toContain('runs behind its gate: start it with `npm start`');
  expect(listening(port)).toEqual([]);
});
