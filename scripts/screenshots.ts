/**
 * Screenshots of what users see: the home page as a newcomer finds it (the
 * template cards), the Datasets page with an RGBA dataset among others, a
 * Dataset node's picker, and for every template the editor at its first fit
 * and the training panel after a short run on WASM (chart, grids, schedule,
 * pictures picker, run list). Against the production build, served as
 * `npm start` serves it, with a scratch database; the PNGs go to
 * screenshots/ (ignored by git).
 *   npm run screenshots            (builds first)
 *   npx tsx scripts/screenshots.ts [--templates ali,gan] [--iterations 60] [--port 3300]
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { getKind } from '../lib/kinds/registry';
import { templates } from '../lib/templates';

const { values } = parseArgs({
  options: {
    templates: { type: 'string', default: templates.map((t) => t.id).join(',') },
    iterations: { type: 'string', default: '60' },
    out: { type: 'string', default: 'screenshots' },
    port: { type: 'string', default: '3300' },
  },
});
const PORT = Number(values.port);
const VIEWPORT = { width: 1600, height: 1000 };

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'netloom-screenshots-'));
  process.env.DATABASE_URL = `file:${path.join(dir, 'screens.db')}`;
  const { migrate } = await import('../lib/db/migrate');
  const { LOCAL_OWNER } = await import('../lib/db/owner');
  const { createProject, getProject, saveGraph } = await import('../lib/db/projects');
  await migrate(process.env.DATABASE_URL);
  await mkdir(values.out, { recursive: true });

  // Served as `npm start` serves it (plain `next start` listens beyond loopback, which local mode refuses).
  const server = spawn('npx', ['tsx', 'scripts/serve.ts', '-p', String(PORT)], { env: process.env, stdio: 'ignore', detached: true });
  try {
    for (let i = 0; i < 120 && !(await fetch(`http://127.0.0.1:${PORT}/`).then((r) => r.ok).catch(() => false)); i++) await new Promise((r) => setTimeout(r, 500));
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--disable-background-networking', '--no-first-run'] });
    const page = await browser.newPage({ viewport: VIEWPORT });
    // A newcomer's home page: no projects yet, so the template cards are open.
    await page.goto(`http://127.0.0.1:${PORT}/`);
    await page.locator('.template-card').first().waitFor();
    await shoot(page, 'home', true);
    await datasetScreens(page);
    for (const id of values.templates.split(',')) {
      const created = await createProject(LOCAL_OWNER, { name: `Screens ${id}`, template: id });
      if (!created.ok) throw new Error(created.error.message);
      // Pictures every few iterations and WASM, so a short run fills the panel.
      const project = await getProject(LOCAL_OWNER, created.value.id);
      if (!project.ok) throw new Error(project.error.message);
      const doc = project.value.graph;
      // A sampler runs its network many times per image (diffusion): its grids take minutes on WASM, so no scores.
      const sampled = doc.nodes.some((n) => getKind(n.kind)?.role === 'sampler');
      const evaluation = sampled ? { every: 0, samples: 200 } : { every: 20, samples: 200 };
      const saved = await saveGraph(LOCAL_OWNER, created.value.id, 1, { ...doc, training: { ...doc.training, sampleEvery: 20, backend: 'wasm', evaluation } });
      if (!saved.ok) throw new Error(saved.error.message);

      await page.goto(`http://127.0.0.1:${PORT}/projects/${created.value.id}`);
      await page.locator('.graph-node').first().waitFor();
      await page.waitForTimeout(600);
      await shoot(page, `${id}-editor`);
      await page.getByRole('button', { name: 'Training' }).click();
      await page.getByRole('button', { name: 'Train', exact: true }).click();
      // A slow sampler shows its progress while it draws the first grid.
      if (sampled) {
        await page.locator('[data-testid="sampling"]').waitFor({ timeout: 60_000 });
        await page.waitForTimeout(3000);
        await shoot(page, `${id}-sampling`);
      }
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid="run-state"]')?.getAttribute('data-iteration') ?? 0) >= n, Number(values.iterations), { timeout: sampled ? 900_000 : 180_000 });
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.locator('[data-testid="run-state"][data-status="paused"]').waitFor();
      await page.waitForTimeout(800);
      await shoot(page, `${id}-training`);
      await page.getByRole('button', { name: 'Stop' }).click();
      await page.locator('[data-testid="run-state"][data-status="stopped"]').waitFor();
    }
    await browser.close();
  } finally {
    process.kill(-server.pid!);
  }
}

/**
 * The Datasets page with glyphs on transparency kept as RGBA (several sizes,
 * resized to 32x32), a folder of RGB PNGs and Debian's Fashion-MNIST (when
 * installed); a Dataset node's picker, an invalid field, the version history.
 */
async function datasetScreens(page: Page) {
  const { LOCAL_OWNER } = await import('../lib/db/owner');
  const { importDataset } = await import('../lib/db/datasets');
  const { readInputFiles } = await import('../lib/data/import/read');
  const { writeGlyphFolder, writeImageFolder } = await import('../tests/fixtures/images');
  const scratch = await mkdtemp(path.join(tmpdir(), 'netloom-screens-'));
  const blocks = path.join(scratch, 'colour-blocks');
  await writeImageFolder(blocks, { classes: ['red', 'green', 'blue'], perClass: 12, height: 16, width: 16, rgb: true });
  const glyphs = path.join(scratch, 'glyphs');
  await writeGlyphFolder(glyphs, { classes: ['bar', 'dash', 'cross'], perClass: 12 });
  const sources = [
    { name: 'Glyphs (RGBA)', target: glyphs, options: { background: 'alpha' as const, size: { height: 32, width: 32 } } },
    { name: 'Colour blocks', target: blocks },
    { name: 'Fashion-MNIST', target: '/usr/share/datasets/fashion-mnist' },
  ];
  for (const { name, target, options } of sources) {
    const files = await readInputFiles(target).catch(() => undefined);
    if (!files) continue;
    const imported = await importDataset(LOCAL_OWNER, { name, files, options });
    if (!imported.ok) throw new Error(`${name}: ${imported.error.message}`);
  }
  await page.goto(`http://127.0.0.1:${PORT}/datasets`);
  await page.locator('.dataset-card img').first().waitFor();
  await page.locator('.dataset-card details').first().evaluate((d: HTMLDetailsElement) => (d.open = true));
  await page.waitForTimeout(500);
  await shoot(page, 'datasets', true);
  const { createProject } = await import('../lib/db/projects');
  const project = await createProject(LOCAL_OWNER, { name: 'Screens dataset node', template: 'gan' });
  if (!project.ok) throw new Error(project.error.message);
  await page.goto(`http://127.0.0.1:${PORT}/projects/${project.value.id}`);
  await page.locator('.graph-node[data-node="X"] .graph-node-title').click();
  await page.getByLabel('Inspector').getByLabel('dataset', { exact: true }).selectOption({ index: 1 });
  await page.waitForTimeout(600);
  await shoot(page, 'dataset-node');
  // A value the schema refuses, said in words beside the field and in the problems list; the other fields as they are.
  await page.locator('.graph-node[data-node="Z"] .graph-node-title').click();
  const stddev = page.getByLabel('Inspector').getByLabel('stddev', { exact: true });
  await stddev.fill('-1');
  await stddev.press('Tab');
  await page.waitForTimeout(600);
  await shoot(page, 'inspector-invalid');
  // The version history, each version with what it changed.
  await page.getByRole('button', { name: 'History' }).click();
  await page.getByRole('dialog', { name: 'Version history' }).locator('li').first().waitFor();
  await shoot(page, 'history');
}

async function shoot(page: Page, name: string, fullPage = false) {
  const file = path.join(values.out, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  console.log(file);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
