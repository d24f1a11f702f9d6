import { strFromU8, unzipSync } from 'fflate';
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { connect, createProject, dropKind, expectSaved, node, select, setParams, setSettings, zoomOut } from './helpers';

/**
 * A user's own graph gets everything a template gets: built from a blank
 * project through the UI, its schedule reordered with a repeat of 3, its
 * pictures picked, trained with samples and reconstructions on show; a reload
 * keeps it all, and the exported project runs the steps in that order.
 */
test('a two-network model built from blank: schedule, repeat, pictures, training, reload, export', async ({ page }) => {
  await createProject(page, 'My autoencoder');
  await zoomOut(page);

  // Encoder 784 -> 16, decoder 16 -> 784 sigmoid, squared error against the input.
  const x = await dropKind(page, 'mnist', 40, 40);
  const enc = await dropKind(page, 'dense', 300, 40);
  const dec = await dropKind(page, 'dense', 560, 40);
  const mse = await dropKind(page, 'mse', 820, 40);
  await setParams(page, enc, { units: '16' });
  await setParams(page, dec, { units: '784', activation: 'sigmoid' });
  await connect(page, x, 'images', enc, 'x');
  await connect(page, enc, 'y', dec, 'x');
  await connect(page, dec, 'y', mse, 'prediction');
  await connect(page, x, 'images', mse, 'target');
  for (const [id, name] of [
    [enc, 'Enc'],
    [dec, 'Dec'],
  ] as const) {
    page.once('dialog', (d) => d.accept(name));
    await select(page, id);
    await page.getByRole('button', { name: 'Network from selection' }).click();
    await expect(page.locator('.networks button.open', { hasText: name })).toBeVisible();
  }

  // A second call of Dec on noise draws samples; a freshly dropped call is ready (it calls the first network).
  const z = await dropKind(page, 'noise', 40, 300);
  await setParams(page, z, { shape: '16' });
  const generate = await dropKind(page, 'call', 560, 300);
  await setParams(page, generate, { network: 'Dec' });
  const decInput = await node(page, generate).locator('.port-in').first().getAttribute('data-port');
  await connect(page, z, 'z', generate, decInput!);

  // Two optimizers: each joins the end of the schedule.
  const adam = await dropKind(page, 'adam', 820, 300);
  const sgd = await dropKind(page, 'sgd', 820, 520);
  await connect(page, mse, 'loss', adam, 'loss');
  await connect(page, mse, 'loss', sgd, 'loss');
  await setParams(page, adam, { networks: ['Enc'] });
  await setParams(page, sgd, { networks: ['Dec'] });
  await expect(page.getByLabel('Problems')).toContainText('No problems');
  // Weights 784x16+16 + 16x784+784 floats, two Adam slots for Enc's: the estimate says so beside the problems.
  await expect(page.getByLabel('Estimated memory')).toContainText(/^Estimated memory: [\d.]+ (KB|MB)weights 101 KB · optimizers/);
  await expect(node(page, adam)).toContainText('step 1 of 2');

  // The schedule: SGD first, then Adam three times per iteration.
  await page.getByRole('button', { name: 'Training' }).click();
  const panel = page.getByLabel('Training');
  const schedule = panel.getByLabel('Schedule');
  const order = () => schedule.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-optimizer')));
  await expect.poll(order).toEqual([adam, sgd]);
  await schedule.getByRole('button', { name: `Move ${sgd} up` }).click();
  await expect.poll(order).toEqual([sgd, adam]);
  await schedule.getByLabel(`Repeat ${adam}`).fill('3');
  await schedule.getByLabel(`Repeat ${adam}`).press('Tab');
  await expect(node(page, adam)).toContainText('step 2 ×3 of 2');

  // Pictures: the decoder on noise as samples, the decoder on the encoding as reconstructions (both proposed, then picked).
  const option = (picker: string, text: RegExp) =>
    panel
      .getByLabel(picker)
      .locator('option')
      .evaluateAll((options, source) => options.find((o) => new RegExp(source).test(o.textContent ?? ''))?.getAttribute('value'), text.source);
  // Calls are named by their network and what they are given.
  await expect(panel.getByLabel('Samples preview').locator('option').first()).toHaveText(`Automatic (Dec(${z}))`);
  const samplesOption = (await option('Samples preview', new RegExp(`^Dec\\(${z}\\) \\[b, 784\\]$`)))!;
  await panel.getByLabel('Samples preview').selectOption(samplesOption);
  const reconOption = (await option('Reconstructions preview', new RegExp(`^Dec\\(Enc\\(${x}\\)\\) \\[b, 784\\] beside `)))!;
  await panel.getByLabel('Reconstructions preview').selectOption(reconOption);
  await setSettings(panel, { batch: 16, iterations: 100_000, sampleEvery: 2, backend: 'wasm' });
  await expectSaved(page);

  await panel.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  await expect(page.getByRole('img', { name: /^Samples at iteration/ })).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('img', { name: /^Reconstructions: x beside P\(Q\(x\)\) at iteration/ })).toBeVisible();
  await expect.poll(async () => Number(await page.getByTestId('run-state').getAttribute('data-iteration')), { timeout: 60_000 }).toBeGreaterThan(4);
  await panel.getByRole('button', { name: 'Stop' }).click();
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-status', 'stopped', { timeout: 60_000 });

  // A reload keeps the schedule, the repeat, the pictures and the settings.
  await page.reload();
  await page.getByRole('button', { name: 'Training' }).click();
  const reloaded = page.getByLabel('Training');
  await expect.poll(() => reloaded.getByLabel('Schedule').locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-optimizer')))).toEqual([sgd, adam]);
  await expect(reloaded.getByLabel(`Repeat ${adam}`)).toHaveValue('3');
  await expect(reloaded.getByLabel('Samples preview')).toHaveValue(samplesOption);
  await expect(reloaded.getByLabel('Reconstructions preview')).toHaveValue(reconOption);
  await expect(reloaded.getByLabel('Batch size', { exact: true })).toHaveValue('16');
  await expect(reloaded.getByLabel('Backend')).toHaveValue('wasm');

  // The exported project runs SGD first, then Adam three times, with the same settings.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export project' }).click();
  const files = unzipSync(new Uint8Array(await readFile((await (await download).path())!)));
  const train = strFromU8(files['my-autoencoder/train.ts']!);
  const sgdStep = train.indexOf(`minimize(model.optimizers.${sgd}`);
  const adamRounds = train.indexOf('for (let round = 0; round < 3; round++)');
  expect(sgdStep).toBeGreaterThan(0);
  expect(adamRounds).toBeGreaterThan(sgdStep);
  expect(train.indexOf(`minimize(model.optimizers.${adam}`)).toBeGreaterThan(adamRounds);
  expect(train).toContain('const BATCH_SIZE = 16;');
  expect(train).toContain('const BACKEND = "wasm";');
});
