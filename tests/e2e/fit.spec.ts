import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { zipSync } from 'fflate';
import { readAll } from '../../lib/data/import/files';
import { readInputFiles } from '../../lib/data/import/read';
import { writeImageFolder } from '../fixtures/images';
import { createProject, exportedGraph, expectSaved, select, setSettings } from './helpers';

/**
 * Templates drawn for MNIST take a user's 32x32 RGB images with no graph
 * edit: choosing the dataset in the X node fits the layers tied to the
 * data's size, lists each change, and the graph trains in the browser.
 */
const DATASET = 'Swatches (32x32x3)';

/** Imports a zip of RGB PNGs of `size`x`size` written by a script, as the Datasets page takes it. */
async function importRgb(page: Page, name: string, size: number) {
  const folder = path.join(await mkdtemp(path.join(tmpdir(), 'netloom-e2e-fit-')), name.toLowerCase());
  await writeImageFolder(folder, { classes: ['warm', 'cool', 'grey'], perClass: 24, height: size, width: size, rgb: true });
  const zip = zipSync(Object.fromEntries(await Promise.all((await readInputFiles(folder)).map(async (f) => [f.path, await readAll(f)]))));
  await page.goto('/datasets');
  await page.getByLabel('Dataset files').setInputFiles({ name: `${name.toLowerCase()}.zip`, mimeType: 'application/zip', buffer: Buffer.from(zip) });
  await page.getByLabel('Dataset name').fill(name);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('status')).toContainText(`Imported “${name}”`, { timeout: 60_000 });
  await expect(page.getByLabel(`Dataset ${name}`)).toContainText(`${size}×${size}×3`);
}

/** Chooses the dataset in node X: the graph is fitted to it at once, each change listed. */
async function choose(page: Page, changes: string[], dataset = DATASET) {
  await select(page, 'X');
  await page.getByLabel('Inspector').getByLabel('dataset', { exact: true }).selectOption({ label: dataset });
  const notice = page.getByRole('status', { name: 'Fit to data' });
  await expect(notice.getByRole('heading')).toHaveText(`Fitted to ${dataset}: ${changes.length} changes`);
  await expect(notice.getByRole('listitem')).toHaveText(changes);
  await expect(page.getByLabel('Problems').getByRole('heading')).toHaveText('No problems');
  return notice;
}

/** Trains 30 iterations on WASM: completed, finite losses (no divergence stop), and a 4x4 grid of colour samples of the data's size. */
async function train30(page: Page, size = 32) {
  await page.getByRole('button', { name: 'Training' }).click();
  const panel = page.getByLabel('Training');
  await setSettings(panel, { batch: 32, iterations: 30, sampleEvery: 10, backend: 'wasm', scoreEvery: 0 });
  await panel.getByRole('button', { name: 'Train', exact: true }).click();
  const state = page.getByTestId('run-state');
  await expect(state).toHaveAttribute('data-status', 'completed', { timeout: 150_000 });
  await expect(state).toHaveAttribute('data-iteration', '30');
  const samples = page.getByRole('img', { name: /^Samples at iteration/ });
  await expect(samples).toHaveAttribute('data-step', '30', { timeout: 30_000 });
  const grid = await samples.evaluate(async (img: HTMLImageElement) => {
    await img.decode();
    return [img.naturalWidth, img.naturalHeight];
  });
  expect(grid).toEqual([4 * size + 3 * 2, 4 * size + 3 * 2]);
}

/** The saved graph's network input, as the Export button downloads it. */
async function inputShape(page: Page, network: string, node: string): Promise<unknown> {
  const doc = (await exportedGraph(page)) as { networks: { id: string; nodes: { id: string; params: { shape?: number[] } }[] }[] };
  return doc.networks.find((n) => n.id === network)?.nodes.find((n) => n.id === node)?.params.shape;
}

test('dcgan and gan train on 32x32 RGB images in the browser with no graph edit but choosing the dataset', async ({ page }) => {
  test.setTimeout(480_000);
  await importRgb(page, 'Swatches', 32);

  await createProject(page, 'DCGAN on swatches', 'dcgan');
  await choose(page, ['G / deconv2: filters 1 -> 3', 'G / to 7x7x32: shape [7, 7, 32] -> [8, 8, 32]', 'G / project: units 1568 -> 2048', 'D / x: shape [28, 28, 1] -> [32, 32, 3]']);
  await expectSaved(page);
  expect(await inputShape(page, 'D', 'x')).toEqual([32, 32, 3]);
  await train30(page);

  await createProject(page, 'GAN on swatches', 'gan');
  const notice = await choose(page, ['G / G_prob: units 784 -> 3072', 'D / x: shape [784] -> [3072]']);
  // Undoing the fit keeps the dataset chosen, and D's size refused; fitting again from the inspector restores it.
  await notice.getByRole('button', { name: 'Undo the fit' }).click();
  await expect(page.getByLabel('Problems')).toContainText('D expects [b, 784] on "x", got [b, 3072]');
  await expect(page.getByLabel('Inspector').getByLabel('dataset', { exact: true }).locator('option:checked')).toHaveText(DATASET);
  await page.getByLabel('Inspector').getByRole('button', { name: 'Fit the graph to this data' }).click();
  await expect(page.getByRole('status', { name: 'Fit to data' }).getByRole('heading')).toHaveText(`Fitted to ${DATASET}: 2 changes`);
  await expect(page.getByLabel('Problems').getByRole('heading')).toHaveText('No problems');
  await expectSaved(page);
  // Saved: a reload shows the fitted graph.
  await page.reload();
  await expect(page.getByLabel('Problems').getByRole('heading')).toHaveText('No problems');
  expect(await inputShape(page, 'D', 'x')).toEqual([3072]);
  await train30(page);
});

test('dcgan trains on 64x64 RGB images in the browser, fitted when the dataset is chosen', async ({ page }) => {
  test.setTimeout(360_000);
  await importRgb(page, 'Tiles', 64);
  await createProject(page, 'DCGAN on tiles', 'dcgan');
  await choose(page, ['G / deconv2: filters 1 -> 3', 'G / to 7x7x32: shape [7, 7, 32] -> [16, 16, 32]', 'G / project: units 1568 -> 8192', 'D / x: shape [28, 28, 1] -> [64, 64, 3]'], 'Tiles (64x64x3)');
  await train30(page, 64);
});
