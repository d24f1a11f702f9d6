import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { zipSync } from 'fflate';
import { readAll } from '../../lib/data/import/files';
import { readInputFiles } from '../../lib/data/import/read';
import { writeImageFolder } from '../fixtures/images';
import { createProject, select, setSettings } from './helpers';

/**
 * Your own data, as a user brings it: Debian's Fashion-MNIST (its IDX .gz
 * files) and a zip of PNGs written by a script, imported on the Datasets
 * page, chosen in a template's data node and trained on in the browser.
 */
const FASHION = '/usr/share/datasets/fashion-mnist';

async function importFiles(page: Page, name: string, files: Parameters<Page['setInputFiles']>[1]) {
  await page.goto('/datasets');
  await page.getByLabel('Dataset files').setInputFiles(files);
  await page.getByLabel('Dataset name').fill(name);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('status')).toContainText(`Imported “${name}”`, { timeout: 60_000 });
  return page.getByLabel(`Dataset ${name}`);
}

/** Picks the dataset in node X of the open project and trains 30 iterations on WASM: finite losses (no divergence stop) and a sample grid. */
async function trainOn(page: Page, dataset: string) {
  await select(page, 'X');
  await page.getByLabel('Inspector').getByLabel('dataset', { exact: true }).selectOption({ label: dataset });
  await expect(page.getByLabel('Problems')).not.toContainText('error');
  const panel = page.getByLabel('Training');
  if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Training' }).click();
  await setSettings(panel, { batch: 32, iterations: 30, sampleEvery: 10, backend: 'wasm' });
  await panel.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-status', 'completed', { timeout: 120_000 });
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-iteration', '30');
  await expect(page.getByRole('img', { name: /^Samples at iteration/ })).toBeVisible();
}

test('import Fashion-MNIST and a zip of PNGs, train the GAN template on each in the browser; bad files and deleting a dataset in use are refused', async ({ page }) => {
  test.setTimeout(300_000);
  const fashion = await importFiles(page, 'Fashion-MNIST', ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'].map((f) => path.join(FASHION, f)));
  await expect(fashion).toContainText('60,000 train + 10,000 test · 28×28×1 (greyscale)');
  await expect(fashion.getByRole('img')).toHaveJSProperty('complete', true);
  expect(await fashion.getByRole('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);

  const folder = path.join(await mkdtemp(path.join(tmpdir(), 'netloom-e2e-')), 'strokes');
  await writeImageFolder(folder, { classes: ['left', 'right'], perClass: 40, height: 28, width: 28 });
  const zip = zipSync(Object.fromEntries(await Promise.all((await readInputFiles(folder)).map(async (f) => [f.path, await readAll(f)]))));
  const strokes = await importFiles(page, 'Strokes', { name: 'strokes.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
  await expect(strokes).toContainText('80 images · 28×28×1');
  await strokes.getByText('2 classes').click();
  await expect(strokes.locator('.class-counts')).toContainText('left40');

  // Not data: refused with the file named, nothing stored.
  await page.getByLabel('Dataset files').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await page.getByLabel('Dataset name').fill('Notes');
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.locator('p[role=alert]')).toContainText('notes.txt: not a dataset file');
  await page.reload();
  await expect(page.locator('.dataset-card')).toHaveCount(2);

  await createProject(page, 'GAN on my data', 'gan');
  await trainOn(page, 'Fashion-MNIST (28x28x1)');
  await trainOn(page, 'Strokes (28x28x1)');

  // The project now reads Strokes: deleting it is refused, naming the project; Fashion-MNIST is free to go.
  await page.goto('/datasets');
  await page.getByLabel('Dataset Strokes').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(page.locator('p[role=alert]')).toContainText('"Strokes" is used by "GAN on my data"');
  await page.getByLabel('Dataset Fashion-MNIST').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(page.locator('.dataset-card')).toHaveCount(1);
});
