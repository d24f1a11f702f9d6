import { expect, test } from '@playwright/test';
import { TARGET_CATALOG } from '../../codegen/targets/catalog';
import { createProject, expectSaved, exportedGraph, node, select, setParams } from './helpers';

test('the ALI template: a network from a selection, then undo and redo', async ({ page }) => {
  await createProject(page, 'ALI', 'ali');
  await expect(page.getByLabel('Problems')).toContainText('No problems');
  await expect(node(page, 'D_enc')).toContainText("shares D's weights (2 calls)");
  await expect(node(page, 'G_solver')).toContainText('updates');
  const networks = page.getByLabel('Networks');
  await expect(networks.locator('button.open')).toHaveText([/Q/, /P/, /D/]);

  // Opening D shows its body with every connection (D's "z" input is not the main graph's "z").
  await node(page, 'D_enc').dblclick();
  await expect(page.getByRole('navigation', { name: 'Scope' })).toContainText('D');
  await expect(page.locator('.react-flow__edge')).toHaveCount(5);
  await page.getByRole('button', { name: 'Main graph' }).click();
  await expect(node(page, 'D_enc')).toBeVisible();

  // The prior z becomes its own network "Prior".
  page.once('dialog', (d) => d.accept('Prior'));
  await select(page, 'z');
  await page.getByRole('button', { name: 'Network from selection' }).click();
  await expect(networks.locator('button.open')).toHaveText([/Q/, /P/, /D/, /Prior/]);
  await expect(node(page, 'z')).toHaveCount(0);
  await expect(page.getByLabel('Problems')).toContainText('No problems');
  await expectSaved(page);

  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(networks.locator('button.open')).toHaveText([/Q/, /P/, /D/]);
  await expect(node(page, 'z')).toHaveCount(1);
  await page.keyboard.press('Control+Shift+Z');
  await expect(networks.locator('button.open')).toHaveText([/Q/, /P/, /D/, /Prior/]);
  await expect(node(page, 'z')).toHaveCount(0);

  // Open the new network from the list: its body holds z, with an output for each use.
  await networks.locator('button.open', { hasText: 'Prior' }).click();
  await expect(page.getByRole('navigation', { name: 'Scope' })).toContainText('Prior');
  await expect(node(page, 'z')).toHaveCount(1);
  await expectSaved(page);
});

test('a stale save from a second tab is refused and the first tab keeps its work', async ({ page, context }) => {
  await createProject(page, 'Two tabs', 'gan');
  const url = page.url();
  const second = await context.newPage();
  await second.goto(url);
  await expect(second.locator('.graph-node').first()).toBeVisible();

  await setParams(page, 'X', { Label: 'first tab' });
  await expectSaved(page);

  await setParams(second, 'Z', { Label: 'second tab' });
  await expect(second.getByLabel('Save status')).toHaveAttribute('data-status', 'error');
  await expect(second.getByLabel('Save status')).toContainText('changed elsewhere');

  await page.reload();
  const saved = (await exportedGraph(page)) as { nodes: { id: string; label?: string }[] };
  expect(saved.nodes.find((n) => n.id === 'X')!.label).toBe('first tab');
  expect(saved.nodes.find((n) => n.id === 'Z')!.label).toBe('Z'); // the second tab's edit was not applied
});

test('importing a malformed file is refused with the reason and changes nothing', async ({ page }) => {
  await createProject(page, 'Import', 'vae');
  await expectSaved(page);
  const before = await exportedGraph(page);
  await page.getByLabel('Import graph file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"schemaVersion": 1, "nodes": [') });
  await expect(page.locator('.message')).toContainText('Import refused, nothing was changed: Not valid JSON');
  await page.getByLabel('Import graph file').setInputFiles({ name: 'future.json', mimeType: 'application/json', buffer: Buffer.from('{"schemaVersion": 99}') });
  await expect(page.locator('.message')).toContainText('newer than this Netloom understands');
  await expect(page.getByLabel('Save status')).toHaveAttribute('data-status', 'saved');
  expect(await exportedGraph(page)).toEqual(before);
  await page.reload();
  expect(await exportedGraph(page)).toEqual(before);
});

test('Export project downloads the saved graph as a TypeScript training project (zip)', async ({ page }) => {
  await createProject(page, 'ALI to export', 'ali');
  await expectSaved(page);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export project' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.zip$/);
  const { unzipSync, strFromU8 } = await import('fflate');
  const { readFile } = await import('node:fs/promises');
  const files = unzipSync(new Uint8Array(await readFile((await file.path())!)));
  // One folder named after the project, holding the project.
  expect(Object.keys(files)).toEqual(expect.arrayContaining(['package.json', 'tsconfig.json', 'train.ts', 'README.md'].map((f) => `ali-to-export/${f}`)));
  expect(strFromU8(files['ali-to-export/train.ts']!)).toContain('function D(');
});

test('the Export menu lists the export targets: PyTorch downloads a PyTorch project named for it', async ({ page }) => {
  await createProject(page, 'GAN to export', 'gan');
  await expectSaved(page);
  const menu = page.getByLabel('Export target');
  await expect(menu.locator('option')).toHaveText(TARGET_CATALOG.map((t) => t.title));
  await menu.selectOption({ label: 'PyTorch' });
  const button = page.getByRole('button', { name: 'Export project' });
  await expect(button).toHaveAttribute('title', /PyTorch project/);
  const download = page.waitForEvent('download');
  await button.click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('gan-to-export-pytorch.zip');
  const { unzipSync } = await import('fflate');
  const { readFile } = await import('node:fs/promises');
  const files = unzipSync(new Uint8Array(await readFile((await file.path())!)));
  expect(Object.keys(files)).toEqual(expect.arrayContaining(['train.py', 'requirements.txt', 'netloom/ops.py'].map((f) => `gan-to-export-pytorch/${f}`)));
});
