import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { zipSync } from 'fflate';
import { dump } from 'npyjs';
import { readAll } from '../../lib/data/import/files';
import { readInputFiles } from '../../lib/data/import/read';
import { parseIdx } from '../../lib/runtime/idx';
import { digitsCsv, glyphPng, smallDigits, writeGlyphFolder } from '../fixtures/images';

/**
 * Own data that came out black or was refused, imported on the Datasets
 * page in Chromium from files this test generates: a zip of RGBA glyphs on
 * transparent backgrounds in several sizes, an integer array of 0-16 (8x8
 * digits, .npz) and a CSV of those digits without a header. Each is checked
 * in what the server stored (its IDX file) and in the preview the page
 * shows; what the import assumed is on the page.
 */
type Files = Parameters<Page['setInputFiles']>[1];

async function importOn(page: Page, name: string, files: Files, choose: (page: Page) => Promise<void> = async () => {}): Promise<Locator> {
  await page.goto('/datasets');
  await page.getByLabel('Dataset files').setInputFiles(files);
  await page.getByLabel('Dataset name').fill(name);
  await choose(page);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('status')).toContainText(`Imported “${name}”`, { timeout: 60_000 });
  return page.getByLabel(`Dataset ${name}`);
}

/** The stored training images of a dataset (its IDX file, fetched as the browser's training fetches it), one array per image. */
async function storedImages(page: Page, card: Locator) {
  const src = (await card.getByRole('img').getAttribute('src'))!;
  const id = /\/api\/datasets\/(\w+)\//.exec(src)![1]!;
  const response = await page.request.get(`/api/datasets/${id}/files/train-images.idx`);
  expect(response.status()).toBe(200);
  const { dims, data } = parseIdx(new Uint8Array(await response.body()));
  const size = dims.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: dims[0]! }, (_, i) => data.subarray(i * size, (i + 1) * size));
}

/** The preview the page shows, read back from the <img> in the browser: each tile's darkest and brightest value (tiles of `side` pixels, 2-pixel gaps, 8 a row). */
async function previewTiles(card: Locator, side: number, tiles: number) {
  const img = card.getByRole('img');
  await expect(img).toHaveJSProperty('complete', true);
  return img.evaluate(
    (element: HTMLImageElement, { side, tiles }) => {
      const canvas = document.createElement('canvas');
      canvas.width = element.naturalWidth;
      canvas.height = element.naturalHeight;
      const context = canvas.getContext('2d')!;
      context.drawImage(element, 0, 0);
      const { data, width } = context.getImageData(0, 0, canvas.width, canvas.height);
      return Array.from({ length: tiles }, (_, i) => {
        const [left, top] = [(i % 8) * (side + 2), Math.floor(i / 8) * (side + 2)];
        let [min, max] = [255, 0];
        for (let y = top; y < top + side; y++) {
          for (let x = left; x < left + side; x++) {
            const v = data[(y * width + x) * 4]!;
            [min, max] = [Math.min(min, v), Math.max(max, v)];
          }
        }
        return { min, max };
      });
    },
    { side, tiles },
  );
}

test('RGBA glyphs, an integer array of 0-16 and a header-less CSV import as their data, visible in the preview, saying what was assumed', async ({ page }) => {
  test.setTimeout(180_000);
  const scratch = await mkdtemp(path.join(tmpdir(), 'netloom-e2e-own-'));

  // Dark glyphs on transparent backgrounds, four sizes, three class folders (one as grey and alpha PNGs), in a zip.
  const root = path.join(scratch, 'glyphs');
  await writeGlyphFolder(root, { classes: ['bar', 'dash'], perClass: 20 });
  const entries = Object.fromEntries(await Promise.all((await readInputFiles(root)).map(async (f) => [f.path, await readAll(f)])));
  for (let i = 0; i < 20; i++) entries[`glyphs/plus/${i}.png`] = new Uint8Array(glyphPng(40, 40, 2, i, true));
  const zip = { name: 'glyphs.zip', mimeType: 'application/zip', buffer: Buffer.from(zipSync(entries)) };

  const glyphs = await importOn(page, 'Glyphs', zip, async (p) => {
    await p.getByLabel('Resize').selectOption('32x32');
    await p.getByLabel('Channels').selectOption('rgb');
    await expect(p.getByLabel('Transparency')).toHaveValue('white');
  });
  await expect(page.getByRole('status')).toContainText('60 of 60 images have an alpha channel or a transparent colour: any transparent pixels composited over white');
  await expect(glyphs).toContainText('60 images · 32×32×3 (RGB)');
  await expect(glyphs.getByLabel('Import notes')).toContainText('composited over white');
  // Every stored glyph survived: a white background and dark ink, none black.
  const stored = await storedImages(page, glyphs);
  expect(stored).toHaveLength(60);
  const blackOnes = stored.flatMap((image, i) => (Math.max(...image) < 128 ? [i] : []));
  expect(blackOnes).toEqual([]);
  for (const image of stored) expect(Math.min(...image)).toBeLessThan(70);
  // And in the preview the page shows: each tile white and dark.
  for (const tile of await previewTiles(glyphs, 32, 32)) {
    expect(tile.min).toBeLessThan(70);
    expect(tile.max).toBe(255);
  }

  // Kept as a fourth channel when asked: RGBA.
  const rgba = await importOn(page, 'Glyphs RGBA', zip, async (p) => {
    await p.getByLabel('Transparency').selectOption('alpha');
    await p.getByLabel('Resize').selectOption('32x32');
  });
  await expect(rgba).toContainText('32×32×4 (RGBA)');
  await expect(rgba.getByLabel('Import notes')).toContainText('transparency kept as a fourth channel (RGBA)');

  // 8x8 digits of 0-16 as int64 in an .npz: scaled from 0-16, visible.
  const { values, labels } = smallDigits(100);
  const npz = zipSync({ 'x_train.npy': new Uint8Array(dump(BigInt64Array.from(values, BigInt), [100, 8, 8])), 'y_train.npy': new Uint8Array(dump(BigInt64Array.from(labels, BigInt), [100])) });
  const digits = await importOn(page, 'Digits', { name: 'digits.npz', mimeType: 'application/octet-stream', buffer: Buffer.from(npz) });
  await expect(digits).toContainText('100 images · 8×8×1 (greyscale)');
  await expect(digits).toContainText('pixels 0–255');
  await expect(digits.getByLabel('Import notes')).toContainText('whole numbers from 0 to 16, far below 255: read as 0 to 16 and scaled to 0-255');
  expect(Math.max(...(await storedImages(page, digits)).map((image) => Math.max(...image)))).toBe(255);
  const tiles = await previewTiles(digits, 8, 32);
  // Every digit in the preview spans dark to bright (before, the brightest was 16 of 255).
  for (const tile of tiles) expect(tile.max).toBeGreaterThan(200);

  // The same digits as a CSV with no header: 64 pixel columns, then the label.
  const csv = await importOn(page, 'Digits CSV', { name: 'optdigits.csv', mimeType: 'text/csv', buffer: Buffer.from(digitsCsv(100)) });
  await expect(csv).toContainText('100 images · 8×8×1 (greyscale)');
  await expect(csv.getByLabel('Import notes')).toContainText('optdigits.csv: no header (its first row is numbers); its last column (65) taken as the label (10 classes)');
  await csv.getByText('10 classes', { exact: true }).click();
  await expect(csv.locator('.class-counts')).toContainText('010');
  for (const tile of await previewTiles(csv, 8, 32)) expect(tile.max).toBeGreaterThan(200);

  // A bad option is refused by name, nothing stored.
  const cards = await page.locator('.dataset-card').count();
  await page.getByLabel('Dataset files').setInputFiles({ name: 'optdigits.csv', mimeType: 'text/csv', buffer: Buffer.from(digitsCsv(10)) });
  await page.getByLabel('Dataset name').fill('Bad range');
  await page.getByLabel('Pixel range').fill('lots');
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.locator('p[role=alert]')).toContainText('range must be LOW-HIGH');
  await page.reload();
  await expect(page.locator('.dataset-card')).toHaveCount(cards);
  // The page as a user sees it, among the test's results (to look at: the options, the notes, the previews).
  await page.screenshot({ path: test.info().outputPath('datasets.png'), fullPage: true });
});
