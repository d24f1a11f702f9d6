import { expect, test, type Page } from '@playwright/test';
import { createProject, expectSaved, setSettings } from './helpers';

/**
 * Training that survives the page: Auto's probe, the warning before leaving,
 * the checkpoint saved as the page goes, the project reopening on its
 * interrupted run, and resuming it in one click. The real worker, real
 * MNIST, the real database.
 */

const state = (page: Page) => page.getByTestId('run-state');
const iteration = async (page: Page) => Number(await state(page).getAttribute('data-iteration'));
const chartPoints = async (page: Page) => Number(await page.getByLabel('Loss chart').getAttribute('data-points'));

interface Run {
  id: string;
  number: number;
  status: string;
  iteration: number;
  startIteration: number;
  points: unknown[];
  resumedFrom: string | null;
  checkpoints: { id: string; iteration: number }[];
}

/** The project's runs as the server has them, newest first, with their checkpoints. */
async function runs(page: Page): Promise<Run[]> {
  const projectId = new URL(page.url()).pathname.split('/').at(-1)!;
  const list = (await (await page.request.get(`/api/projects/${projectId}/runs`)).json()) as Run[];
  return Promise.all(list.map(async (run) => (await (await page.request.get(`/api/runs/${run.id}`)).json()) as Run));
}

const newestCheckpoint = async (page: Page, runId: string) => {
  const run = (await runs(page)).find((r) => r.id === runId);
  return run?.checkpoints.at(-1)?.iteration ?? -1;
};

test('a reload mid-run warns, saves a checkpoint no older than the reload, reopens the run with its charts and grids, and resumes it in one click', async ({ page }) => {
  await createProject(page, 'Surviving GAN', 'gan');
  await page.getByRole('button', { name: 'Training' }).click();
  const panel = page.getByLabel('Training');
  await setSettings(panel, { batch: 64, iterations: 100_000, sampleEvery: 25, backend: 'auto', scoreEvery: 0 });
  await expectSaved(page);
  await panel.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(state(page)).toHaveAttribute('data-status', 'running', { timeout: 120_000 });

  // Auto measured the backends on this model once, kept the choice for this browser, and is never slower than WASM.
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('netloom.auto-backend') ?? 'null') as { backend: string; probes: { name: string; msPerStep?: number }[] } | null);
  expect(kept).not.toBeNull();
  await expect(state(page)).toHaveAttribute('data-backend', kept!.backend);
  const wasm = kept!.probes.find((p) => p.name === 'wasm')!;
  expect(wasm.msPerStep).toBeGreaterThan(0);
  if (kept!.backend !== 'wasm') expect(kept!.probes.find((p) => p.name === kept!.backend)!.msPerStep).toBeLessThan(wasm.msPerStep!);
  await expect(page.getByTestId('auto-backend')).toHaveAttribute('data-cached', 'false');
  test.info().annotations.push({ type: 'auto', description: (await page.getByTestId('backend').locator('..').getAttribute('title')) ?? '' });
  await expect(page.getByTestId('run-speed')).toHaveText(/^\d+\.\d it\/s now$/);

  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(30);
  const [first] = await runs(page);
  expect(first).toMatchObject({ number: 1, status: 'running' });

  // Hidden (another tab, minimised): the worker saves a checkpoint at once, and training goes on. Headless Chromium never hides a page, so the event is raised here.
  const beforeHide = await iteration(page);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await expect.poll(() => newestCheckpoint(page, first!.id), { timeout: 5_000 }).toBeGreaterThanOrEqual(beforeHide);
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await expect.poll(() => iteration(page)).toBeGreaterThan(beforeHide);

  // Reload: the browser asks first (beforeunload); while it asks, the worker saves a checkpoint no older than the iteration on show.
  const asked = page.waitForEvent('dialog');
  const shown = await iteration(page);
  const reloading = page.reload();
  const leave = await asked;
  expect(leave.type()).toBe('beforeunload');
  const askedAt = Date.now();
  await expect.poll(() => newestCheckpoint(page, first!.id), { timeout: 5_000 }).toBeGreaterThanOrEqual(shown);
  test.info().annotations.push({ type: 'checkpoint', description: `saved ${Date.now() - askedAt} ms after the leave warning appeared (iteration on show: ${shown})` });
  await leave.accept();
  await reloading;

  // The project opens on the interrupted run, with its charts, grids and a Resume from its newest checkpoint.
  const viewed = page.getByTestId('viewed-run');
  await expect(viewed).toHaveAttribute('data-status', 'interrupted', { timeout: 30_000 });
  await expect(viewed).toContainText('Viewing run #1 (interrupted');
  await expect.poll(() => chartPoints(page)).toBeGreaterThan(2);
  await expect(page.getByRole('img', { name: /^Samples at iteration/ })).toBeVisible();
  const [interrupted] = await runs(page);
  expect(interrupted).toMatchObject({ id: first!.id, status: 'interrupted' });
  // The closing page's beacon brought the progress and points it had not reported yet.
  expect(interrupted!.iteration).toBeGreaterThanOrEqual(shown);
  expect((interrupted!.points.at(-1) as { step: number }).step).toBeGreaterThanOrEqual(shown - 1);
  const checkpoint = interrupted!.checkpoints.at(-1)!;
  expect(checkpoint.iteration).toBeGreaterThanOrEqual(shown);
  const resume = panel.getByRole('button', { name: `Resume from iteration ${checkpoint.iteration.toLocaleString('en-US')}` });
  await expect(resume).toBeVisible();
  await page.screenshot({ path: 'test-results/survive-interrupted-run.png' });

  // One click: run #2 trains on from that checkpoint, on the backend Auto kept (no second probe).
  await resume.click();
  await expect(state(page)).toContainText('Run #2', { timeout: 60_000 });
  await expect(state(page)).toHaveAttribute('data-status', 'running');
  await expect(page.getByTestId('auto-backend')).toHaveAttribute('data-cached', 'true');
  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(checkpoint.iteration + 5);
  const [second] = await runs(page);
  expect(second).toMatchObject({ number: 2, startIteration: checkpoint.iteration, resumedFrom: checkpoint.id });

  // Stopped, the panel shows the run's own speed, the same figure the run history shows, then and after a reload.
  await panel.getByRole('button', { name: 'Stop' }).click();
  await expect(state(page)).toHaveAttribute('data-status', 'stopped', { timeout: 60_000 });
  const speed = page.getByTestId('run-speed');
  await expect(speed).toHaveText(/^\d+\.\d it\/s average$/);
  const figure = (await speed.textContent())!;
  await expect(panel.getByLabel('Run history').locator('li[data-run="2"]')).toContainText(`· ${figure}`);
  await page.getByLabel('Training').screenshot({ path: 'test-results/survive-training-panel.png' });

  // No warning once nothing trains; the project opens on its last run, stopped, so the drawer waits to be opened.
  await page.reload();
  await page.getByRole('button', { name: 'Training' }).click();
  await expect(page.getByTestId('viewed-run')).toContainText('Viewing run #2 (stopped, ');
  await expect(page.getByTestId('viewed-run')).toContainText(figure);
  await expect(page.getByLabel('Run history').locator('li[data-run="2"]')).toContainText(`· ${figure}`);
});

test('leaving the editor within the app mid-run keeps the run: the worker saves a checkpoint before it is ended, and the run is marked interrupted', async ({ page }) => {
  await createProject(page, 'Left GAN', 'gan');
  await page.getByRole('button', { name: 'Training' }).click();
  const panel = page.getByLabel('Training');
  await setSettings(panel, { batch: 64, iterations: 100_000, sampleEvery: 25, backend: 'wasm', scoreEvery: 0 });
  await expectSaved(page);
  await panel.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => iteration(page), { timeout: 60_000 }).toBeGreaterThan(30);
  const projectUrl = page.url();
  const [run] = await runs(page);
  const shown = await iteration(page);
  // The Projects link navigates within the page: no leave warning, and the page lives on while the worker saves.
  await page.getByRole('link', { name: 'Projects' }).click();
  await page.waitForURL((url) => url.pathname === '/');
  const saved = async () => {
    const detail = (await (await page.request.get(`/api/runs/${run!.id}`)).json()) as Run;
    return { status: detail.status, checkpoint: detail.checkpoints.at(-1)?.iteration ?? -1 };
  };
  await expect.poll(async () => (await saved()).status, { timeout: 15_000 }).toBe('interrupted');
  await expect.poll(async () => (await saved()).checkpoint, { timeout: 15_000 }).toBeGreaterThanOrEqual(shown);
  // Back in the project, it opens on that run, ready to resume.
  await page.goto(projectUrl);
  await expect(page.getByTestId('viewed-run')).toHaveAttribute('data-status', 'interrupted');
});
