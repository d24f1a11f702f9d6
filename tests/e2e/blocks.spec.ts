import { expect, test } from '@playwright/test';
import { createProject, expectSaved, exportedGraph, node, select } from './helpers';

test('the diffusion U-Net calls one ResBlock at every size, each call with its values; a value that does not fit is named at the call it breaks', async ({ page }) => {
  await createProject(page, 'Blocks', 'ddpm');
  // The optimizer updates UNet, as drawn: the copies its block calls made are not listed beside it.
  await expect(node(page, 'solver')).toContainText('UNet');
  await expect(node(page, 'solver')).not.toContainText('ResBlock');
  const networks = page.getByLabel('Networks');
  const inspector = page.getByLabel('Inspector');
  await networks.getByRole('button', { name: /^ResBlock/ }).click();
  await expect(inspector.getByLabel('Block')).toBeChecked();
  await expect(inspector.getByLabel('Parameters')).toHaveValue('size=28, in=32, out=32');
  await select(page, 'conv1');
  await expect(inspector.getByLabel('filters', { exact: true })).toHaveValue('= out');
  await expect(inspector.getByLabel('filters from parameter')).toHaveValue('out');
  await page.screenshot({ path: test.info().outputPath('resblock.png') });

  await networks.getByRole('button', { name: /^UNet/ }).click();
  await expect(node(page, 'down2')).toContainText('size 14, in 32, out 64');
  await expect(node(page, 'down2')).not.toContainText('shares');
  await select(page, 'down2');
  await expect(inspector.getByLabel('out (block value)')).toHaveValue('64');
  await page.screenshot({ path: test.info().outputPath('unet.png') });
  await inspector.getByLabel('out (block value)').fill('48');
  await inspector.getByLabel('out (block value)').press('Tab');
  await expect(node(page, 'down2')).toContainText('size 14, in 32, out 48');
  // up1 is given the 64 upsampled channels beside down2's 48 where it takes 128.
  await expect(node(page, 'up1')).toHaveClass(/has-error/);
  await expect(page.getByLabel('Problems')).toContainText('[b, 14, 14, 112]');
});

test('a network made a block from the editor: a field reads its parameter, each call gives its own value', async ({ page }) => {
  await createProject(page, 'Own block', 'gan');
  const inspector = page.getByLabel('Inspector');
  await page.getByLabel('Networks').getByRole('button', { name: /^D( block)?$/ }).click();
  await inspector.getByLabel('Block').check();
  await inspector.getByLabel('Parameters').fill('hidden=32');
  await inspector.getByLabel('Parameters').press('Tab');
  await select(page, 'D_h1');
  await inspector.getByLabel('units from parameter').selectOption('hidden');
  await expect(inspector.getByLabel('units', { exact: true })).toHaveValue('= hidden');
  // With nothing selected, the inspector shows the network's settings again. A name that is not a parameter name is refused in words.
  await page.locator('.react-flow__pane').click({ position: { x: 5, y: 5 } });
  await inspector.getByLabel('Parameters').fill('hidden=32, 2wide=3');
  await inspector.getByLabel('Parameters').press('Tab');
  await expect(inspector.getByRole('alert')).toContainText('a parameter name is a letter or _');

  await page.getByRole('button', { name: 'Main graph' }).click();
  await expect(node(page, 'D_real')).toContainText('hidden 32');
  await select(page, 'D_fake');
  await inspector.getByLabel('hidden (block value)').fill('64');
  await inspector.getByLabel('hidden (block value)').press('Tab');
  await expect(node(page, 'D_fake')).toContainText('hidden 64');
  await expect(page.getByLabel('Problems')).not.toContainText('error');
  await expectSaved(page);
  const doc = (await exportedGraph(page)) as { networks: { id: string; block?: unknown; nodes: { id: string; params: Record<string, unknown> }[] }[]; nodes: { id: string; params: Record<string, unknown> }[] };
  const d = doc.networks.find((n) => n.id === 'D')!;
  expect(d.block).toEqual({ params: [{ name: 'hidden', default: 32 }] });
  expect(d.nodes.find((n) => n.id === 'D_h1')!.params.units).toEqual({ param: 'hidden' });
  expect(doc.nodes.find((n) => n.id === 'D_fake')!.params.args).toEqual({ hidden: 64 });
});
