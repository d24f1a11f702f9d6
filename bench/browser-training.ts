/**
 * Iterations/second of the `gan` and `ali` templates trained in Chromium (the
 * app's worker, as a user runs it) on every backend available here, beside
 * the Node CLI (`npm run train`, wasm) on the same model. Needs `next build`
 * first (npm run bench does it). Each figure counts iterations over a window
 * after a warm-up; the browser's WASM and the CLI alternate to share the
 * machine's drift.
 *   npx tsx bench/browser-training.ts [--window 8] [--rounds 2]
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';

const { values } = parseArgs({ options: { window: { type: 'string', default: '8' }, rounds: { type: 'string', default: '2' } } });
const WINDOW = Number(values.window);
const PORT = 3300;
const TEMPLATES = ['gan', 'ali'] as const;
const BACKENDS = (process.env.BENCH_BACKENDS?.split(',') ?? ['webgpu', 'webgl', 'wasm', 'cpu']) as string[];

async function browserItPerSec(page: Page, projectUrl: string, backend: string): Promise<number | string> {
  await page.goto(projectUrl);
  await page.getByRole('button', { name: 'Training' }).click();
  const panel = page.getByLabel('Training');
  await panel.getByLabel('Iterations').fill('1000000');
  await panel.getByLabel('Backend').selectOption(backend);
  await panel.getByRole('button', { name: 'Train', exact: true }).click();
  const state = page.getByTestId('run-state');
  const iteration = async () => Number(await state.getAttribute('data-iteration'));
  const deadline = Date.now() + 180_000;
  // Warm-up: shaders compiled, wasm instantiated, MNIST loaded, a few steps run.
  while ((await iteration()) < 3 || (await state.getAttribute('data-status')) !== 'running') {
    const status = await state.getAttribute('data-status');
    if (status === 'failed') return `failed: ${await panel.getByLabel('Progress').textContent()}`;
    if (Date.now() > deadline) return 'no progress in 3 min';
    await page.waitForTimeout(250);
  }
  await page.waitForTimeout(1500);
  const [i0, t0] = [await iteration(), Date.now()];
  await page.waitForTimeout(WINDOW * 1000);
  const [i1, t1] = [await iteration(), Date.now()];
  await panel.getByRole('button', { name: 'Stop' }).click();
  await page.waitForTimeout(500);
  return ((i1 - i0) * 1000) / (t1 - t0);
}

async function cliItPerSec(template: string): Promise<number> {
  const out = await mkdtemp(path.join(tmpdir(), 'netloom-bench-'));
  const steps = template === 'gan' ? 250 : 400;
  execFileSync('npx', ['tsx', 'cli/train.ts', '--graph', template, '--steps', String(steps), '--backend', 'wasm', '--sample-every', '1000000', '--out', out], { stdio: 'ignore' });
  return (JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8')) as { itPerSec: number }).itPerSec;
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'netloom-bench-db-'));
  const env = { ...process.env, DATABASE_URL: `file:${path.join(dir, 'app.db')}` };
  execFileSync('npx', ['tsx', 'scripts/migrate.ts'], { env, stdio: 'ignore' });
  process.env.DATABASE_URL = env.DATABASE_URL;
  const { LOCAL_OWNER } = await import('../lib/db/owner');
  const { createProject } = await import('../lib/db/projects');
  const server = spawn('npx', ['next', 'start', '-p', String(PORT)], { env, stdio: 'ignore', detached: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--enable-unsafe-webgpu'],
  });
  try {
    for (let i = 0; i < 60; i++) {
      if (await fetch(`http://127.0.0.1:${PORT}/`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    // Leaving a page whose run has not stopped yet asks first (beforeunload): the bench leaves.
    page.on('dialog', (dialog) => void dialog.accept());
    for (const template of TEMPLATES) {
      const project = await createProject(LOCAL_OWNER, { name: `bench ${template}`, template });
      if (!project.ok) throw new Error(project.error.message);
      const url = `http://127.0.0.1:${PORT}/projects/${project.value.id}`;
      const rows: string[] = [];
      for (const backend of BACKENDS) {
        if (backend === 'wasm') continue;
        const speed = await browserItPerSec(page, url, backend);
        rows.push(`  browser ${backend.padEnd(6)} ${typeof speed === 'number' ? `${speed.toFixed(1)} it/s` : speed}`);
      }
      const pairs: { browser: number; cli: number }[] = [];
      for (let r = 0; r < Number(values.rounds); r++) {
        const browserSpeed = await browserItPerSec(page, url, 'wasm');
        const cli = await cliItPerSec(template);
        pairs.push({ browser: typeof browserSpeed === 'number' ? browserSpeed : NaN, cli });
      }
      const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      rows.push(`  browser wasm   ${median(pairs.map((p) => p.browser)).toFixed(1)} it/s (rounds: ${pairs.map((p) => p.browser.toFixed(1)).join(', ')})`);
      rows.push(`  Node CLI wasm  ${median(pairs.map((p) => p.cli)).toFixed(1)} it/s (rounds: ${pairs.map((p) => p.cli.toFixed(1)).join(', ')})`);
      rows.push(`  browser wasm / CLI: ${median(pairs.map((p) => p.browser / p.cli)).toFixed(2)}x`);
      console.log(`${template} (batch ${template === 'gan' ? 128 : 32}), ${WINDOW} s windows:\n${rows.join('\n')}`);
    }
  } finally {
    await browser.close();
    process.kill(-server.pid!);
  }
}

void main();
