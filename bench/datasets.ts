/**
 * Datasets at the size people use: how long a 60,000-image import takes
 * (Debian's Fashion-MNIST IDX .gz files, and a zip of 60,000 PNGs written
 * here), and how soon training starts in the browser on the 60,000 PNGs:
 * the first time (the dataset's files travel to the browser) and after that
 * (the browser has them). Needs `next build` first (npm run bench does it).
 *   npx tsx bench/datasets.ts [--images 60000]
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { zipSync } from 'fflate';
import { pixel, pngBytes } from '../tests/fixtures/images';
import { memoryFile } from '../lib/data/import';

const { values } = parseArgs({ options: { images: { type: 'string', default: '60000' } } });
const IMAGES = Number(values.images);
const PORT = 3300;
const FASHION = '/usr/share/datasets/fashion-mnist';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Clicks Train and waits for the first iteration: what a user waits for. */
async function timeToFirstIteration(page: Page): Promise<number> {
  const panel = page.getByLabel('Training');
  const state = page.getByTestId('run-state');
  const started = Date.now();
  await panel.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="run-state"]')?.getAttribute('data-iteration') ?? 0) >= 1, undefined, { timeout: 120_000, polling: 50 });
  const took = Date.now() - started;
  await panel.getByRole('button', { name: 'Stop' }).click();
  await state.and(page.locator('[data-status="stopped"]')).waitFor({ timeout: 60_000 });
  return took;
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'netloom-bench-data-'));
  const env = { ...process.env, DATABASE_URL: `file:${path.join(dir, 'app.db')}` };
  execFileSync('npx', ['tsx', 'scripts/migrate.ts'], { env, stdio: 'ignore' });
  process.env.DATABASE_URL = env.DATABASE_URL;
  const { LOCAL_OWNER } = await import('../lib/db/owner');
  const { importDataset, datasetChoice } = await import('../lib/db/datasets');
  const { readInputFiles } = await import('../lib/data/import/read');
  const { createProject, getProject, saveGraph } = await import('../lib/db/projects');
  const { withDataset } = await import('../lib/graph/datasets');

  console.log('Import (through the same function as the upload route and npm run data):');
  if (existsSync(FASHION)) {
    const started = performance.now();
    const fashion = await importDataset(LOCAL_OWNER, { name: 'Fashion-MNIST', files: await readInputFiles(FASHION) });
    if (!fashion.ok) throw new Error(fashion.error.message);
    console.log(`  Fashion-MNIST, 4 IDX .gz files (${fashion.value.trainCount} + ${fashion.value.testCount} images): ${seconds(performance.now() - started)}`);
  } else console.log(`  Fashion-MNIST: ${FASHION} is not installed (apt install dataset-fashion-mnist)`);

  const classes = 10;
  const entries: Record<string, Uint8Array> = {};
  for (let i = 0; i < IMAGES; i++) entries[`pngs/${i % classes}/${String(i).padStart(5, '0')}.png`] = pngBytes(28, 28, (p) => pixel(i % classes, i, p, 0));
  const zip = zipSync(entries, { level: 0 });
  const started = performance.now();
  const pngs = await importDataset(LOCAL_OWNER, { name: 'PNGs', files: [memoryFile('pngs.zip', zip)] });
  if (!pngs.ok) throw new Error(pngs.error.message);
  console.log(`  ${IMAGES} PNGs of 28x28 in a ${(zip.byteLength / 2 ** 20).toFixed(1)} MB zip, ${classes} class folders: ${seconds(performance.now() - started)}`);

  const project = await createProject(LOCAL_OWNER, { name: 'GAN on PNGs', template: 'gan' });
  if (!project.ok) throw new Error(project.error.message);
  const saved = await getProject(LOCAL_OWNER, project.value.id);
  if (!saved.ok) throw new Error(saved.error.message);
  const doc = withDataset(saved.value.graph, datasetChoice(pngs.value)).doc;
  const stored = await saveGraph(LOCAL_OWNER, project.value.id, saved.value.version, { ...doc, training: { ...doc.training, backend: 'wasm', iterations: 1_000_000 } });
  if (!stored.ok) throw new Error(stored.error.message);

  const server = spawn('npx', ['next', 'start', '-p', String(PORT)], { env, stdio: 'ignore', detached: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--disable-background-networking', '--no-first-run'] });
  try {
    for (let i = 0; i < 120 && !(await fetch(`http://127.0.0.1:${PORT}/`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 500));
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(`http://127.0.0.1:${PORT}/projects/${project.value.id}`);
    await page.getByRole('button', { name: 'Training' }).click();
    console.log(`Browser training on the ${IMAGES} PNGs (gan, wasm), from Train to the first iteration:`);
    console.log(`  first run (the dataset's files sent): ${seconds(await timeToFirstIteration(page))}`);
    console.log(`  second run (same page): ${seconds(await timeToFirstIteration(page))}`);
    await page.reload();
    await page.getByRole('button', { name: 'Training' }).click();
    console.log(`  after reloading the page (files from the browser's cache): ${seconds(await timeToFirstIteration(page))}`);
  } finally {
    await browser.close();
    process.kill(-server.pid!);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
