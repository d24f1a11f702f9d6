import { expect, test } from '@playwright/test';
import { TARGET_CATALOG } from '../../codegen/targets/catalog';
import { templates } from '../../lib/templates';
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

/** What the canvas shows on screen: each node's box, and how large its name is drawn (font size times zoom). */
async function onScreen(page: import('@playwright/test').Page) {
  return page.evaluate(() => {
    const viewport = document.querySelector<HTMLElement>('.react-flow__viewport')!;
    const zoom = new DOMMatrixReadOnly(getComputedStyle(viewport).transform).a;
    const far = document.querySelector('.canvas')!.classList.contains('far');
    const pane = document.querySelector('.react-flow__pane')!.getBoundingClientRect();
    const nodes = [...document.querySelectorAll<HTMLElement>('.graph-node')].map((el) => {
      const name = el.querySelector<HTMLElement>(far ? '.graph-node-far-label' : '.graph-node-label')!;
      const box = el.getBoundingClientRect();
      return { id: el.dataset.node!, box: { x: box.x, y: box.y, width: box.width, height: box.height }, text: parseFloat(getComputedStyle(name).fontSize) * zoom };
    });
    return { zoom, far, pane: { x: pane.x, y: pane.y, width: pane.width, height: pane.height }, nodes };
  });
}

const overlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test('nodes added with Enter land clear of each other, in view, and the last is selected', async ({ page }) => {
  await createProject(page, 'Enter, Enter, Enter');
  const dense = page.locator('.palette-item[data-kind="dense"]');
  for (let i = 0; i < 5; i++) {
    await dense.focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('.graph-node')).toHaveCount(i + 1);
  }
  const { nodes, pane } = await onScreen(page);
  for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) expect(overlap(nodes[i]!.box, nodes[j]!.box), `${nodes[i]!.id} and ${nodes[j]!.id}`).toBe(false);
  // Around the view's centre, every one of them within the canvas.
  for (const { box } of nodes) expect(box.x >= pane.x && box.y >= pane.y && box.x + box.width <= pane.x + pane.width && box.y + box.height <= pane.y + pane.height).toBe(true);
  await expect(page.getByLabel('Inspector')).toContainText('dense_5');
});

for (const template of ['ali', 'dcgan']) {
  test(`${template} opens on the whole graph with every node's name legible`, async ({ page }) => {
    await createProject(page, `First fit ${template}`, template);
    await expect(page.locator('.graph-node').first()).toBeVisible();
    await page.waitForTimeout(500);
    const { nodes, pane, zoom, far } = await onScreen(page);
    // Zoomed out to show it whole, nodes draw their names at about 12 px on screen (they were 5 px).
    expect(far).toBe(zoom < 0.8);
    for (const n of nodes) {
      expect(n.text, n.id).toBeGreaterThanOrEqual(9.9);
      expect(n.box.x >= pane.x - 1 && n.box.x + n.box.width <= pane.x + pane.width + 1, n.id).toBe(true);
    }
    // Zoomed in, the details come back.
    await page.getByRole('button', { name: 'Zoom In' }).click();
    await page.getByRole('button', { name: 'Zoom In' }).click();
    await page.getByRole('button', { name: 'Zoom In' }).click();
    await page.getByRole('button', { name: 'Zoom In' }).click();
    await expect(page.locator('.canvas')).not.toHaveClass(/far/);
  });
}

test('an invalid field says what it takes in words, and the other fields keep their values', async ({ page }) => {
  await createProject(page, 'Fields');
  await page.locator('.palette-item[data-kind="dense"]').focus();
  await page.keyboard.press('Enter');
  const inspector = page.getByLabel('Inspector');
  const units = inspector.getByLabel('units', { exact: true });
  for (const [typed, message] of [
    ['-5', 'units must be a whole number from 1 to 65,536'],
    ['2.5', 'units must be a whole number from 1 to 65,536'],
    ['', 'units needs a value: a whole number from 1 to 65,536'],
  ]) {
    await units.fill(typed!);
    await units.press('Tab');
    await expect(inspector.getByRole('alert')).toHaveText(message!);
    await expect(page.getByLabel('Problems')).toContainText(message!);
    await expect(units).toHaveValue(typed!);
    // The others still show what applies.
    await expect(inspector.getByLabel('stddev', { exact: true })).toHaveValue('0.01');
    await expect(inspector.getByLabel('useBias', { exact: true })).toBeChecked();
  }
  await units.fill('64');
  await units.press('Tab');
  await expect(inspector.getByRole('alert')).toHaveCount(0);
});

test('a log-loss fed no probability says which layer to change; losses show their target', async ({ page }) => {
  await createProject(page, 'Bounds', 'ali');
  await expect(node(page, 'log_D_enc')).toContainText('target 1 (real)');
  await expect(node(page, 'log_1_D_gen')).toContainText('target 0 (fake)');
  await node(page, 'D_enc').dblclick();
  await setParams(page, 'D_prob', { activation: 'linear' });
  await expect(page.getByLabel('Problems')).toContainText('nothing keeps the values of D_prob (in D) between 0 and 1');
  await expect(page.getByLabel('Problems')).toContainText("Set D_prob's activation to sigmoid (in D), or use sigmoid cross-entropy on the logits instead of log-loss.");
  await expect(page.getByLabel('Problems')).not.toContainText('unknown bounds');
});

test('the minimap steps aside for the training drawer; the history says what each version changed', async ({ page }) => {
  await createProject(page, 'Drawer and history', 'gan');
  await expect(page.locator('.react-flow__minimap')).toHaveCount(1);
  await page.getByRole('button', { name: 'Training' }).click();
  await expect(page.locator('.react-flow__minimap')).toHaveCount(0);
  await page.getByRole('button', { name: 'Hide training' }).click();
  await expect(page.locator('.react-flow__minimap')).toHaveCount(1);

  await setParams(page, 'X', { Label: 'digits' });
  await expectSaved(page);
  await page.getByRole('button', { name: 'History' }).click();
  const history = page.getByRole('dialog', { name: 'Version history' });
  await expect(history.locator('li').first()).toContainText('renamed Dataset "X" to "digits"');
  await expect(history.locator('li').last()).toContainText('created the project');
});

test('a grouped call is named by its network and arguments, as a call from the palette is', async ({ page }) => {
  await createProject(page, 'Names', 'ali');
  page.once('dialog', (d) => d.accept('Prior'));
  await select(page, 'z');
  await page.getByRole('button', { name: 'Network from selection' }).click();
  await expect(page.locator('.graph-node-label', { hasText: /^Prior\(\)$/ })).toHaveCount(1);
  await expect(page.locator('.graph-node-label', { hasText: '(…)' })).toHaveCount(0);
});

test('the home page shows each template with a picture and a sentence; a card chooses it', async ({ page }) => {
  await page.goto('/');
  const browser = page.locator('.template-browser');
  if (!(await browser.evaluate((d: HTMLDetailsElement) => d.open))) await browser.locator('summary').click();
  // Every template, and the blank graph.
  await expect(page.locator('.template-card')).toHaveCount(templates.length + 1);
  const dcgan = page.locator('.template-card[data-template="dcgan"]');
  await expect(dcgan.locator('svg rect').first()).toBeVisible();
  await expect(dcgan).toContainText('A convolutional GAN');
  await dcgan.click();
  await expect(page.getByLabel('Template', { exact: true })).toHaveValue('dcgan');
  await expect(dcgan).toHaveAttribute('aria-pressed', 'true');
});

test('an unknown address: a page with a way home, and no script refused by the content security policy', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
  page.on('pageerror', (e) => void problems.push(e.message));
  const response = await page.goto('/no/such/page');
  expect(response!.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Nothing here' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  // The 404's own scripts run (hydration is done when the link navigates client-side).
  await page.getByRole('link', { name: 'Back to your projects' }).click();
  await expect(page).toHaveURL(/\/$/);
  expect(problems.filter((p) => !/404/.test(p))).toEqual([]);
});
