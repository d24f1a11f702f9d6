import { expect, test, type Page } from '@playwright/test';
import { getTemplate } from '../../lib/templates';
import { createProject, expectSaved, node, setSettings } from './helpers';

/** Training in the browser: the real worker, real MNIST, the real database. */

async function openTraining(page: Page, settings: Parameters<typeof setSettings>[1]) {
  await page.getByRole('button', { name: 'Training' }).click();
  const panel = page.getByLabel('Training');
  await setSettings(panel, settings);
  return panel;
}

const state = (page: Page) => page.getByTestId('run-state');
const iteration = async (page: Page) => Number(await state(page).getAttribute('data-iteration'));
const chartPoints = async (page: Page) => Number(await page.getByLabel('Loss chart').getAttribute('data-points'));
const samples = (page: Page) => page.getByRole('img', { name: /^Samples at iteration/ });

/** The grid on show: its iteration and its PNG bytes, read from the same element at once (the grid moves on quickly). */
const shownPicture = (page: Page) =>
  samples(page).evaluate(async (img: HTMLImageElement) => {
    const [step, src] = [Number(img.dataset.step), img.src];
    return { step, png: Array.from(new Uint8Array(await (await fetch(src)).arrayBuffer())).join(',') };
  });

/** Train, watch losses and samples arrive, pause, resume, stop; after a reload the run is in the history. */
async function trainPauseResumeStop(page: Page, backend: 'webgpu' | 'wasm', batch: number) {
  await createProject(page, `GAN on ${backend}`, 'gan');
  // Scores off: these runs are about the controls (scoring 1,000 samples first is slow on SwiftShader's WebGPU).
  const panel = await openTraining(page, { batch, iterations: 100_000, sampleEvery: 2, backend, scoreEvery: 0 });
  await panel.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(state(page)).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  // The backend the worker actually runs on (tfjs would fall back silently).
  await expect(state(page)).toHaveAttribute('data-backend', backend);
  await expect(page.getByTestId('backend')).toHaveText(backend);

  await expect.poll(() => chartPoints(page), { timeout: 90_000 }).toBeGreaterThan(2);
  // The grid changes as G trains: a later grid's pixels differ from the first one's.
  const first = await shownPicture(page);
  await expect.poll(async () => Number(await samples(page).getAttribute('data-step')), { timeout: 90_000 }).toBeGreaterThan(first.step);
  const later = await shownPicture(page);
  expect(later.step).toBeGreaterThan(first.step);
  expect(later.png).not.toEqual(first.png);

  await panel.getByRole('button', { name: 'Pause' }).click();
  await expect(state(page)).toHaveAttribute('data-status', 'paused');
  const paused = await iteration(page);
  await page.waitForTimeout(1000);
  expect(await iteration(page)).toBe(paused);
  await panel.getByRole('button', { name: 'Step' }).click();
  await expect.poll(() => iteration(page)).toBe(paused + 1);
  await panel.getByRole('button', { name: 'Resume' }).click();
  await expect(state(page)).toHaveAttribute('data-status', 'running');
  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(paused + 1);
  await panel.getByRole('button', { name: 'Stop' }).click();
  await expect(state(page)).toHaveAttribute('data-status', 'stopped', { timeout: 60_000 });
  const stoppedAt = await iteration(page);
  await expect(panel.getByLabel('Run history').locator('li').first()).toHaveAttribute('data-status', 'stopped');

  await page.reload();
  await page.getByRole('button', { name: 'Training' }).click();
  const history = page.getByLabel('Run history');
  await expect(history.locator('li')).toHaveCount(1);
  await expect(history.locator('li').first()).toHaveAttribute('data-status', 'stopped');
  await expect(history).toContainText(`#1 stopped · ${stoppedAt.toLocaleString('en-US')}/100,000 · ${backend}`);
  return history;
}

test('GAN template trains on WebGPU: losses, samples, pause, step, resume, stop, history after reload', async ({ page }) => {
  // SwiftShader's WebGPU is slow: a small batch keeps the test short.
  await trainPauseResumeStop(page, 'webgpu', 16);
});

test('GAN template trains on WASM; the run reopens with its charts, grids and checkpoints, which resume and sample', async ({ page }) => {
  const history = await trainPauseResumeStop(page, 'wasm', 64);
  const panel = page.getByLabel('Training');
  await history.getByRole('button', { name: 'Open' }).click();
  await expect(panel).toContainText('Viewing run #1 (stopped');
  await expect.poll(() => chartPoints(page)).toBeGreaterThan(2);
  await expect(samples(page)).toBeVisible();
  const checkpoints = panel.getByLabel('Checkpoints');
  await expect(checkpoints.locator('li').first()).toContainText('Checkpoint at');

  const download = page.waitForEvent('download');
  await checkpoints.getByRole('link', { name: 'Download', exact: true }).last().click();
  expect((await download).suggestedFilename()).toMatch(/^GAN_on_wasm-run1-iter\d+\.zip$/);

  // Resume continues from the checkpoint's iteration as run #2.
  const at = Number((await checkpoints.locator('li').last().textContent())!.match(/Checkpoint at ([\d,]+)/)![1]!.replace(/,/g, ''));
  await checkpoints.getByRole('button', { name: 'Resume' }).last().click();
  await expect(state(page)).toContainText('Run #2', { timeout: 60_000 });
  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(at);
  await panel.getByRole('button', { name: 'Stop' }).click();
  await expect(state(page)).toHaveAttribute('data-status', 'stopped', { timeout: 60_000 });

  // Load a checkpoint to sample from it.
  await history.locator('li').filter({ hasText: '#1 ' }).getByRole('button', { name: 'Open' }).click();
  await checkpoints.getByRole('button', { name: 'Sample' }).last().click();
  await expect(panel.getByLabel('Progress')).toContainText('Loaded from a checkpoint');
  await expect(samples(page)).toHaveAttribute('data-step', String(at), { timeout: 30_000 });
  await panel.getByRole('button', { name: 'Interpolate' }).click();
  await expect(page.getByRole('img', { name: 'Latent interpolation' })).toBeVisible();

  // Overlay: the first run's losses join the chart as dashed lines.
  await history.locator('li').filter({ hasText: '#1 ' }).getByRole('button', { name: 'Overlay' }).click();
  await expect(page.getByLabel('Loss chart').locator('.u-legend')).toContainText('#1 D_loss');
  // In the colour of the same loss of the run shown, and in the chart's own box: the legend never covers what follows it.
  const marker = (name: string) =>
    page
      .getByLabel('Loss chart')
      .locator('.u-legend .u-series')
      .filter({ has: page.locator('.u-label', { hasText: new RegExp(`^${name}$`) }) })
      .locator('.u-marker')
      .evaluate((m) => getComputedStyle(m).borderColor);
  expect(await marker('#1 D_loss')).toBe(await marker('D_loss'));
  expect(await marker('#1 G_loss')).toBe(await marker('G_loss'));
  expect(await marker('D_loss')).not.toBe(await marker('G_loss'));
  const chart = await page.getByLabel('Loss chart').boundingBox();
  const legend = await page.getByLabel('Loss chart').locator('.u-legend').boundingBox();
  expect(legend!.y + legend!.height).toBeLessThanOrEqual(chart!.y + chart!.height + 1);
});

test('a run scores its samples as it trains: the quality chart and what it compares, scores in the run history, kept with the run', async ({ page }) => {
  await createProject(page, 'Scored GAN', 'gan-tuned');
  const panel = await openTraining(page, { batch: 32, iterations: 40, sampleEvery: 20, backend: 'wasm', scoreEvery: 20, scoreSamples: 100 });
  await panel.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(state(page)).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });
  // Scored before iterations 0 and 20 and after the last: three points per score.
  await expect.poll(async () => Number(await page.getByLabel('Quality chart').getAttribute('data-points')), { timeout: 30_000 }).toBe(3);
  await expect(page.getByLabel('Quality chart').locator('.u-legend')).toContainText('Fréchet distance');
  await expect(page.getByLabel('Quality chart').locator('.u-legend')).toContainText('class entropy (bits)');
  await expect(page.getByTestId('score-note')).toContainText('100 samples with 100 MNIST test digits through the bundled MNIST classifier');
  // The history compares runs by their last scores.
  const history = panel.getByLabel('Run history');
  await expect(history.getByTestId('run-scores')).toContainText(/FD \d+ · \d\.\d\d bits · at 40/, { timeout: 30_000 });

  await page.reload();
  await page.getByRole('button', { name: 'Training' }).click();
  await page.getByLabel('Run history').getByRole('button', { name: 'Open' }).click();
  await expect.poll(async () => Number(await page.getByLabel('Quality chart').getAttribute('data-points')), { timeout: 30_000 }).toBe(3);
  await expect(page.getByTestId('score-note')).toContainText('bundled MNIST classifier');
});

test('a graph with an error cannot train and says why', async ({ page }) => {
  await createProject(page, 'Broken GAN', 'gan');
  await node(page, 'D_loss').locator('.graph-node-title').click();
  await page.keyboard.press('Delete');
  await expectSaved(page);
  await page.getByRole('button', { name: 'Training' }).click();
  const panel = page.getByLabel('Training');
  await expect(panel.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  await expect(panel.getByRole('alert', { name: 'Cannot train' })).toContainText('Fix the graph first');
  await expect(panel.getByRole('alert', { name: 'Cannot train' })).toContainText('D_solver');
});

test('a loss that becomes infinite stops the run with a message naming it; closing a tab mid-run marks its run interrupted', async ({ page, context }) => {
  await createProject(page, 'Diverging GAN');
  const doc = structuredClone(getTemplate('gan')!.doc);
  const dLoss = doc.nodes.find((n) => n.label === 'D_loss')!;
  dLoss.params = { ...dLoss.params, weights: [1e39, 1] };
  await page.getByLabel('Import graph file').setInputFiles({ name: 'diverging.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
  await expectSaved(page);
  const panel = await openTraining(page, { batch: 32, iterations: 50, sampleEvery: 10, backend: 'wasm' });
  await panel.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(state(page)).toHaveAttribute('data-status', 'diverged', { timeout: 60_000 });
  await expect(panel.getByRole('alert').filter({ hasText: 'D_loss became' })).toContainText(/D_loss became (Infinity|NaN) at iteration 0; training stopped/);
  await expect(panel.getByLabel('Run history').locator('li').first()).toHaveAttribute('data-status', 'diverged');

  // A second tab trains, then closes: its run is marked interrupted, not left running.
  const url = page.url();
  const other = await context.newPage();
  await other.goto(url);
  await other.getByLabel('Import graph file').setInputFiles({ name: 'gan.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(getTemplate('gan')!.doc)) });
  await expectSaved(other);
  const otherPanel = await openTraining(other, { batch: 32, iterations: 100_000, sampleEvery: 10, backend: 'wasm' });
  await otherPanel.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(state(other)).toContainText('Run #2', { timeout: 60_000 });
  // Closing a tab that trains asks first (beforeunload); the user leaves.
  const asked = other.waitForEvent('dialog');
  await other.close({ runBeforeUnload: true });
  const leave = await asked;
  expect(leave.type()).toBe('beforeunload');
  await leave.accept();
  await expect.poll(() => other.isClosed()).toBe(true);
  await page.reload();
  // The project opens on its last run, lost mid-run: the training drawer opens by itself.
  await expect(page.getByLabel('Run history').locator('li').first()).toHaveAttribute('data-status', 'interrupted');
});
