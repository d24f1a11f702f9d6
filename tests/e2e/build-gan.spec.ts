import { expect, test } from '@playwright/test';
import { connect, createProject, dropKind, expectSaved, exportedGraph, node, select, setParams, zoomOut } from './helpers';

test('a new user builds the vanilla GAN from the palette, meets a shape error, fixes it, and finds it intact after a reload', async ({ page }) => {
  await createProject(page, 'GAN from scratch');
  await expect(page.getByLabel('Problems')).toContainText('No problems');
  await zoomOut(page);

  // The discriminator on real digits, written flat first, as the seed writes it.
  const x = await dropKind(page, 'mnist', 40, 40);
  const dH = await dropKind(page, 'dense', 300, 40);
  const dLogit = await dropKind(page, 'dense', 560, 40);
  await setParams(page, dH, { units: '128', activation: 'relu' });
  await setParams(page, dLogit, { units: '1' });
  await connect(page, x, 'images', dH, 'x');
  await connect(page, dH, 'y', dLogit, 'x');
  const real = await dropKind(page, 'sigmoid-cross-entropy', 840, 40);
  await connect(page, dLogit, 'y', real, 'logits');
  await expect(page.getByLabel('Problems')).toContainText('not inside a network');

  page.once('dialog', (d) => d.accept('D'));
  await select(page, dH, dLogit);
  await page.getByRole('button', { name: 'Network from selection' }).click();
  await expect(page.getByLabel('Networks')).toContainText('D');
  const dReal = await page.locator('.graph-node[data-kind="call"]').first().getAttribute('data-node');

  // A second call of D, for the fakes: it shares D's weights.
  const dFake = await dropKind(page, 'call', 560, 260);
  await setParams(page, dFake, { network: 'D' });
  await expect(node(page, dFake)).toContainText("shares D's weights (2 calls)");

  // The generator: noise -> 128 relu -> 784 sigmoid.
  const z = await dropKind(page, 'noise', 40, 260);
  const gH = await dropKind(page, 'dense', 40, 480);
  const gOut = await dropKind(page, 'dense', 300, 480);
  await setParams(page, gH, { units: '128', activation: 'relu' });
  await setParams(page, gOut, { units: '784', activation: 'sigmoid' });

  // Wiring the noise straight into D is refused, and the reason names the shapes.
  const dInput = await node(page, dFake).locator('.port-in').first().getAttribute('data-port');
  await connect(page, z, 'z', dFake, dInput!);
  // D's input is named after what fed it when it was made: MNIST's images.
  await expect(page.locator('.message')).toContainText('D expects [b, 784] on "images", got [b, 100]');
  await page.getByRole('button', { name: 'Dismiss' }).click();

  await connect(page, z, 'z', gH, 'x');
  await connect(page, gH, 'y', gOut, 'x');
  await connect(page, gOut, 'y', dFake, dInput!);
  page.once('dialog', (d) => d.accept('G'));
  await select(page, gH, gOut);
  await page.getByRole('button', { name: 'Network from selection' }).click();
  await expect(page.getByLabel('Networks')).toContainText('G');

  // Losses and optimizers.
  const fake = await dropKind(page, 'sigmoid-cross-entropy', 840, 260);
  await setParams(page, fake, { target: 'zeros' });
  await connect(page, dFake, 'output_1', fake, 'logits');
  const gLoss = await dropKind(page, 'sigmoid-cross-entropy', 840, 480);
  await connect(page, dFake, 'output_1', gLoss, 'logits');
  const dLoss = await dropKind(page, 'weighted-sum', 300, 700);
  await connect(page, real, 'loss', dLoss, 'term0');
  await connect(page, fake, 'loss', dLoss, 'term1');
  const dSolver = await dropKind(page, 'adadelta', 560, 700);
  const gSolver = await dropKind(page, 'adam', 40, 700);
  await connect(page, dLoss, 'loss', dSolver, 'loss');
  await connect(page, gLoss, 'loss', gSolver, 'loss');
  await setParams(page, dSolver, { networks: ['D'] });
  await setParams(page, gSolver, { networks: ['G'] });
  await expect(node(page, gSolver)).toContainText('updates');

  await expect(page.getByLabel('Problems')).toContainText('No problems');
  expect(dReal).toBeTruthy();
  await expectSaved(page);
  const before = await exportedGraph(page);

  const shown = await page.locator('.graph-node').count();
  await page.reload();
  await expect(page.locator('.graph-node')).toHaveCount(shown);
  await expect(page.getByLabel('Problems')).toContainText('No problems');
  expect(await exportedGraph(page)).toEqual(before);
});
