import { expect, test, type Locator, type Page } from '@playwright/test';

/** Creates a project from the home page and waits for its editor. */
export async function createProject(page: Page, name: string, template = '') {
  await page.goto('/');
  await page.getByLabel('Project name').fill(name);
  await page.getByLabel('Template').selectOption(template);
  await page.getByRole('button', { name: 'Create' }).click();
  await page.waitForURL(/\/projects\//);
  await expect(page.locator('.react-flow__pane')).toBeVisible();
}

/** Zooms the canvas out so that nodes placed 260px apart on screen do not overlap. */
export async function zoomOut(page: Page, times = 2) {
  for (let i = 0; i < times; i++) await page.getByRole('button', { name: 'Zoom Out' }).click();
}

/** Drags a kind from the palette onto the canvas at (x, y) within the pane; returns the new node's id. */
export async function dropKind(page: Page, kind: string, x: number, y: number): Promise<string> {
  return test.step(`drop ${kind}`, async () => {
  const before = new Set(await page.locator('.graph-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node'))));
  await page.locator(`.palette-item[data-kind="${kind}"]`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x, y }, force: true });
  await expect.poll(async () => (await page.locator('.graph-node').count())).toBe(before.size + 1);
  const after = await page.locator('.graph-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
  return after.find((id) => !before.has(id))!;
  });
}

export const node = (page: Page, id: string) => page.locator(`.graph-node[data-node="${id}"]`);

/** Drags a connection from an output handle to an input handle. */
export async function connect(page: Page, from: string, fromPort: string, to: string, toPort: string) {
  await test.step(`connect ${from}.${fromPort} -> ${to}.${toPort}`, async () => {
  const source = node(page, from).locator(`.port-out[data-port="${fromPort}"] .react-flow__handle`);
  const target = node(page, to).locator(`.port-in[data-port="${toPort}"] .react-flow__handle`);
  await source.dragTo(target, { force: true, steps: 8 });
  });
}

export async function select(page: Page, ...ids: string[]) {
  await node(page, ids[0]!).locator('.graph-node-title').click();
  for (const id of ids.slice(1)) await node(page, id).locator('.graph-node-title').click({ modifiers: ['Shift'] });
}

/** Sets inspector fields of the selected node (text and number inputs are committed on blur). */
export async function setParams(page: Page, id: string, values: Record<string, string | boolean | string[]>) {
  await test.step(`set ${id} ${JSON.stringify(values)}`, async () => {
  await select(page, id);
  const inspector = page.getByLabel('Inspector');
  for (const [field, value] of Object.entries(values)) {
    if (Array.isArray(value)) {
      for (const name of value) await inspector.getByLabel(name, { exact: true }).check();
      continue;
    }
    const input = inspector.getByLabel(field, { exact: true });
    if (typeof value === 'boolean') await input.setChecked(value);
    else if ((await input.evaluate((e) => e.tagName)) === 'SELECT') await input.selectOption(value);
    else {
      await input.fill(value);
      await input.press('Tab');
    }
  }
  });
}

export async function expectSaved(page: Page) {
  await expect(page.getByLabel('Save status')).toHaveAttribute('data-status', 'saved', { timeout: 15_000 });
}

/** The document as the Export button downloads it. */
export async function exportedGraph(page: Page): Promise<unknown> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export JSON' }).click();
  const file = await download;
  const stream = await file.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** The project's training settings, in the panel (a field is saved when it loses focus). */
export async function setSettings(panel: Locator, settings: { batch: number; iterations: number; sampleEvery: number; backend: string; scoreEvery?: number; scoreSamples?: number }) {
  for (const [label, value] of [
    ['Batch size', settings.batch],
    ['Iterations', settings.iterations],
    ['Samples every', settings.sampleEvery],
    ...(settings.scoreEvery === undefined ? [] : ([['Score every', settings.scoreEvery]] as const)),
    ...(settings.scoreSamples === undefined ? [] : ([['Score samples', settings.scoreSamples]] as const)),
  ] as const) {
    await panel.getByLabel(label, { exact: true }).fill(String(value));
    await panel.getByLabel(label, { exact: true }).press('Tab');
  }
  await panel.getByLabel('Backend').selectOption(settings.backend);
}
