import { readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { dump } from 'npyjs';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { collect, importFiles, memoryFile, parseImportOptions, type ImportOptions, type InputFile } from '../../../lib/data/import';
import { readAll } from '../../../lib/data/import/files';
import { readInputFiles } from '../../../lib/data/import/read';
import { datasetChoice, importDataset, listDatasets, loadDataset } from '../../../lib/db/datasets';
import { migrate } from '../../../lib/db/migrate';
import { LOCAL_OWNER } from '../../../lib/db/owner';
import { datasetsDir } from '../../../lib/db/url';
import { digitsCsv, digitValue, glyphInk, glyphPng, smallDigits, writeGlyphFolder } from '../../fixtures/images';
import * as datasetsRoute from '../../../app/api/datasets/route';

/**
 * Own data as users bring it, which read as-is came out black or was
 * refused: RGBA glyphs on transparent backgrounds, integer arrays of 0-16
 * (8x8 digits), and CSV without a header. Each is generated here, imported
 * through the function the upload route and `npm run data` call, and its
 * stored pixels checked; what the import assumed is in its notes.
 */
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'netloom-own-data-'));
  const url = `file:${path.join(scratch, 'test.db')}`;
  process.env.DATABASE_URL = url;
  await migrate(url);
});

const file = (p: string, bytes: Uint8Array | string): InputFile => memoryFile(p, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : new Uint8Array(bytes));
const npy = (data: Parameters<typeof dump>[0], shape: number[]) => new Uint8Array(dump(data, shape));

/** Imports and returns every split's pixels, one array per image, and the import's notes; a refusal throws its message. */
async function read(files: InputFile[], options: ImportOptions = {}) {
  const imported = await importFiles(files, options);
  if (!imported.ok) throw new Error(imported.error);
  const { train } = imported.value.splits;
  const size = train.height * train.width * train.channels;
  const pixels = await collect(train);
  const images = Array.from({ length: train.count }, (_, i) => pixels.subarray(i * size, (i + 1) * size));
  return { ...imported.value, train, pixels, images };
}
const refusal = async (files: InputFile[], options: ImportOptions = {}) => {
  const imported = await importFiles(files, options);
  return imported.ok ? 'imported' : imported.error;
};

/** A zip of glyphs of three classes in four sizes (some grey and alpha, some RGBA), as a user's folder arrives. */
async function glyphZip(perClass: number) {
  const root = path.join(await mkdtemp(path.join(scratch, 'glyphs-')), 'glyphs');
  await writeGlyphFolder(root, { classes: ['bar', 'dash', 'plus'], perClass });
  const entries = Object.fromEntries(await Promise.all((await readInputFiles(root)).map(async (f) => [f.path, await readAll(f)])));
  // One class as grey and alpha PNGs (colour type 4), as some tools write them.
  for (let i = 0; i < perClass; i++) entries[`glyphs/plus/${String(i).padStart(4, '0')}.png`] = new Uint8Array(glyphPng(32, 32, 2, i, true));
  return file('glyphs.zip', zipSync(entries));
}

describe('transparent images', () => {
  it('composites RGBA glyphs of several sizes over white by default: none is black, the glyphs are dark, the notes say so', async () => {
    const zip = await glyphZip(12);
    const { train, images, notes, classNames } = await read([zip], { size: { height: 32, width: 32 }, channels: 3 });
    expect([train.count, train.height, train.width, train.channels, train.classes]).toEqual([36, 32, 32, 3, 3]);
    expect(classNames).toEqual(['bar', 'dash', 'plus']);
    for (const [i, image] of images.entries()) {
      // The corner is background: white. The centre is glyph (every class covers it): its dark ink.
      expect({ i, corner: image[0], max: Math.max(...image) }).toEqual({ i, corner: 255, max: 255 });
      const centre = (16 * 32 + 16) * 3;
      expect(image[centre]!, `image ${i}`).toBeLessThan(70);
    }
    expect(notes).toEqual(['36 of 36 images have an alpha channel or a transparent colour: any transparent pixels composited over white; choose black, or keep alpha as a fourth channel (RGBA), to read them otherwise']);
  });

  it('over black, as before, the same glyphs are black: what the option is for', async () => {
    const { images, notes } = await read([await glyphZip(4)], { size: { height: 32, width: 32 }, channels: 3, background: 'black' });
    for (const image of images) expect(Math.max(...image)).toBeLessThan(60);
    expect(notes[0]).toMatch(/composited over black; choose white/);
  });

  it('composites same-size PNGs (decoded by pngjs, not resized) alike: over white, glyph ink exact', async () => {
    const files = [0, 1, 2, 3].map((i) => file(`g/${i % 2 ? 'a' : 'b'}/${i}.png`, glyphPng(20, 20, i % 2, i)));
    const { train, images } = await read(files);
    expect([train.height, train.width, train.channels]).toEqual([20, 20, 3]);
    for (const [n, image] of images.entries()) {
      expect(image[0]).toBe(255);
      expect(Math.min(...image)).toBe(glyphInk(n));
    }
    // Half-transparent edges are mixed with the white: between the ink and white.
    const edge = images[0]!.find((v) => v > 70 && v < 255);
    expect(edge).toBeDefined();
  });

  it('keeps alpha as a fourth channel when asked: an RGBA dataset, stored, read back and previewed over a checkerboard', async () => {
    const zip = await glyphZip(4);
    const imported = await importDataset(LOCAL_OWNER, { name: 'Glyphs RGBA', files: [zip], options: { size: { height: 16, width: 16 }, background: 'alpha' } });
    if (!imported.ok) throw new Error(imported.error.message);
    expect(imported.value).toMatchObject({ height: 16, width: 16, channels: 4, classes: 3, trainCount: 12 });
    expect(imported.value.stats.notes).toEqual(['transparency kept as a fourth channel (RGBA): 12 of 12 images have an alpha channel or a transparent colour']);
    expect(datasetChoice(imported.value).channels).toBe(4);
    const train = await loadDataset(LOCAL_OWNER, { id: imported.value.id, split: 'train' });
    if (!train.ok) throw new Error(train.error.message);
    const first = train.value.item(0);
    expect(first.length).toBe(16 * 16 * 4);
    // The corner is transparent, the centre opaque dark ink.
    expect(first[3]).toBe(0);
    const centre = (8 * 16 + 8) * 4;
    expect(first[centre + 3]).toBeGreaterThan(240);
    expect(first[centre]).toBeLessThan(70);
    const preview = PNG.sync.read(await readFile(path.join(datasetsDir(), imported.value.id, 'preview.png')));
    // Transparent pixels show the checkerboard (light), not black.
    expect(preview.data[0]).toBeGreaterThan(200);
  });

  it('refuses options that do not apply, saying to what they apply', async () => {
    const png = file('g/a/1.png', glyphPng(8, 8, 0, 0));
    expect(await refusal([png], { range: { low: 0, high: 16 } })).toBe('A pixel range applies to NumPy and CSV data; images are 0-255');
    expect(await refusal([file('d.csv', digitsCsv(4))], { background: 'black' })).toMatch(/^A background for transparent pixels applies to image files/);
    expect(await refusal([file('x.npy', npy(new Uint8Array(8), [2, 2, 2]))], { label: 'last' })).toBe('A label column and an image shape apply to CSV files; x.npy is not one');
  });
});

describe('integer arrays of a small range', () => {
  const { values, labels } = smallDigits(30);

  it('scales int64 8x8 digits of 0-16 in an .npz by 255/16, and says so', async () => {
    const npz = zipSync({ 'x_train.npy': npy(BigInt64Array.from(values, BigInt), [30, 8, 8]), 'y_train.npy': npy(BigInt64Array.from(labels, BigInt), [30]) });
    const { train, pixels, notes } = await read([file('digits.npz', npz)]);
    expect([train.count, train.height, train.width, train.channels, train.classes]).toEqual([30, 8, 8, 1, 10]);
    expect(Array.from(pixels)).toEqual(values.map((v) => Math.round((v * 255) / 16)));
    expect(Math.max(...pixels)).toBe(255);
    expect(notes).toEqual([expect.stringMatching(/^pixel values are whole numbers from 0 to 16, far below 255: read as 0 to 16 and scaled to 0-255/)]);
  });

  it('scales uint8 and float64 arrays of whole numbers 0-16 alike (scikit-learn keeps digits as float64)', async () => {
    const expected = values.map((v) => Math.round((v * 255) / 16));
    expect(Array.from((await read([file('x.npy', npy(Uint8Array.from(values), [30, 8, 8]))])).pixels)).toEqual(expected);
    expect(Array.from((await read([file('x.npy', npy(Float64Array.from(values), [30, 8, 8]))])).pixels)).toEqual(expected);
  });

  it('scales the test split by the same rule as the train split, and takes a declared range instead when given', async () => {
    const test = Int32Array.from(values, (v) => Math.min(v, 12));
    const files = () => [file('x_train.npy', npy(Int32Array.from(values), [30, 8, 8])), file('x_test.npy', npy(test, [30, 8, 8]))];
    const imported = await importFiles(files());
    if (!imported.ok) throw new Error(imported.error);
    expect(Math.max(...(await collect(imported.value.splits.test!)))).toBe(Math.round((12 * 255) / 16));
    const declared = await read(files(), { range: { low: 0, high: 32 } });
    expect(Math.max(...declared.pixels)).toBe(128);
    expect(declared.notes).toEqual(['pixel values read as 0 (black) to 32 (white), as declared, and scaled to 0-255']);
    expect(await refusal(files(), { range: { low: 0, high: 10 } })).toMatch(/^x_train\.npy, image \d+ \(value \d+\): value 16 is above the declared range 0 to 10$/);
  });

  it('keeps 0-255 images as they are, and refuses a range it cannot read, naming the image', async () => {
    const bright = Uint8Array.from({ length: 2 * 16 }, (_, i) => (i * 9) % 256);
    const kept = await read([file('x.npy', npy(bright, [2, 4, 4]))]);
    expect(Array.from(kept.pixels)).toEqual(Array.from(bright));
    expect(kept.notes).toEqual([]);
    const wide = Int32Array.from({ length: 32 }, (_, i) => (i === 21 ? 4095 : i));
    expect(await refusal([file('x.npy', npy(wide, [2, 4, 4]))])).toBe('x.npy, image 1 (value 21): value 4095 is above 255: pixels must be 0-255, or floats in [0, 1] or [-1, 1]; declare their range (e.g. 0-4095) to scale others');
    expect(Math.max(...(await read([file('x.npy', npy(wide, [2, 4, 4]))], { range: { low: 0, high: 4095 } })).pixels)).toBe(255);
  });
});

describe('CSV without a header', () => {
  const { values, labels } = smallDigits(30);
  const scaled = values.map((v) => Math.round((v * 255) / 16));

  it('reads 64 pixel columns then the label (no header) as 8x8 digits, the label the last column, and says what it assumed', async () => {
    const { train, pixels, notes } = await read([file('optdigits.csv', digitsCsv(30))]);
    expect([train.count, train.height, train.width, train.channels, train.classes]).toEqual([30, 8, 8, 1, 10]);
    expect(Array.from(train.labels)).toEqual(labels);
    expect(Array.from(pixels)).toEqual(scaled);
    expect(notes).toEqual([
      'optdigits.csv: no header (its first row is numbers); its last column (65) taken as the label (10 classes) and the other 64 as 8x8 greyscale images: declare the label column (label first, last or none) to read it otherwise',
      expect.stringMatching(/^pixel values are whole numbers from 0 to 16/),
    ]);
  });

  it('finds the label first when it is there (a border pixel is constant, the label is not), or where it is declared', async () => {
    const first = await read([file('digits.csv', digitsCsv(30, true))]);
    expect(Array.from(first.train.labels)).toEqual(labels);
    expect(Array.from(first.pixels)).toEqual(scaled);
    expect(first.notes[0]).toMatch(/its first column \(1\) taken as the label/);
    // MNIST-like: the label first, and the last pixel always 0.
    const rows = labels.map((l, i) => [l, ...values.slice(i * 64, i * 64 + 63), 0].join(','));
    const mnistLike = await read([file('m.csv', rows.join('\n'))]);
    expect(Array.from(mnistLike.train.labels)).toEqual(labels);
    // Declared: the first column as the label, whatever it looks like.
    const declared = await read([file('digits.csv', digitsCsv(30))], { label: 'first' });
    expect(declared.train.classes).toBe(17);
    expect(declared.notes).toHaveLength(1);
  });

  it('reads a header naming no label column by the count, names as labels, and a declared shape', async () => {
    const header = `${Array.from({ length: 64 }, (_, p) => `px${p}`).join(',')},digit\n`;
    const named = await read([file('d.csv', header + digitsCsv(30))]);
    expect(Array.from(named.train.labels)).toEqual(labels);
    expect(named.notes[0]).toMatch(/^d\.csv: no column named label, class, y or target; its last column \(digit\) taken as the label/);
    expect((await read([file('d.csv', header + digitsCsv(30))], { label: { name: 'digit' } })).notes).toHaveLength(1);
    // Labels that are names: a first row of numbers and one word is data, not a header.
    const words = ['zero', 'one', 'two'];
    const text = labels.map((l, i) => `${words[l % 3]},${values.slice(i * 64, (i + 1) * 64).join(',')}`).join('\n');
    const fromWords = await read([file('w.csv', text)]);
    expect(fromWords.classNames).toEqual(['one', 'two', 'zero']);
    expect(fromWords.train.count).toBe(30);
    // A 4x5 image per row is no square: its shape is declared.
    const wide = labels.map((l, i) => [...values.slice(i * 64, i * 64 + 20), l].join(',')).join('\n');
    expect(await refusal([file('wide.csv', wide)])).toMatch(/^wide\.csv: 21 columns, and neither all of them nor all but one make a square image .*declare the image shape/);
    const shaped = await read([file('wide.csv', wide)], { shape: { height: 4, width: 5, channels: 1 } });
    expect([shaped.train.height, shaped.train.width, shaped.train.classes]).toEqual([4, 5, 10]);
    // Unlabelled: as many columns as a square image.
    const bare = await read([file('bare.csv', values.join(',').replace(/((?:\d+,){63}\d+),/g, '$1\n'))]);
    expect([bare.train.count, bare.train.height, bare.train.classes]).toEqual([30, 8, 1]);
    expect(bare.notes[0]).toMatch(/its 64 columns read as one 8x8 greyscale image per row, without labels/);
  });

  it('refuses a CSV it cannot read, naming the file, row and column', async () => {
    // In the second row (a word in the first would make it a header).
    const lines = digitsCsv(3).split('\n');
    lines[1] = lines[1]!.split(',').map((cell, c) => (c === 5 ? 'x' : cell)).join(',');
    expect(await refusal([file('d.csv', lines.join('\n'))])).toMatch(/^d\.csv row 2, column 6: "x" is not a pixel value/);
    expect(await refusal([file('d.csv', `${digitsCsv(3)}1,2,3\n`)])).toBe('d.csv row 4: 3 columns, the first row of data has 65');
    const big = digitsCsv(3).split('\n');
    big[1] = big[1]!.replace(/^\d+/, '300');
    expect(await refusal([file('d.csv', big.join('\n'))])).toMatch(/^d\.csv row 2, column 1: value 300 is above 255/);
    expect(await refusal([file('d.csv', digitsCsv(3))], { label: { name: 'digit' } })).toBe('d.csv: has no header, so no column is named "digit": declare the label column as first, last or none');
  });

  it('stores the notes with the dataset, and the upload route reads the options, refusing a bad one by name', async () => {
    const imported = await importDataset(LOCAL_OWNER, { name: 'Digits CSV', files: [file('optdigits.csv', digitsCsv(30))] });
    if (!imported.ok) throw new Error(imported.error.message);
    expect(imported.value.stats.notes).toHaveLength(2);
    expect(imported.value.stats.range).toEqual([0, 255]);
    expect((await listDatasets(LOCAL_OWNER)).find((d) => d.id === imported.value.id)?.stats.notes).toEqual(imported.value.stats.notes);

    const post = async (fields: Record<string, string>) => {
      const form = new FormData();
      form.set('name', 'Via route');
      form.append('files', new File([digitsCsv(30)], 'optdigits.csv'));
      form.set('paths', JSON.stringify(['optdigits.csv']));
      for (const [k, v] of Object.entries(fields)) form.set(k, v);
      const request = new Request('http://localhost/api/datasets', { method: 'POST', body: form });
      const body = await request.arrayBuffer();
      const response = await datasetsRoute.POST(new Request(request.url, { method: 'POST', body, headers: { 'Content-Type': request.headers.get('Content-Type')!, 'Content-Length': String(body.byteLength) } }), {});
      return { status: response.status, body: (await response.json()) as { error?: string; classes?: number; stats?: { notes?: string[] } } };
    };
    expect(await post({ range: 'lots' })).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^range must be LOW-HIGH/) } });
    const declared = await post({ label: 'first', range: '0-16' });
    expect(declared).toMatchObject({ status: 201, body: { classes: 17, stats: { notes: ['pixel values read as 0 (black) to 16 (white), as declared, and scaled to 0-255'] } } });
    expect(parseImportOptions({ label: 'first', range: '0-16' }).ok).toBe(true);
  });
});

// The fixtures' own check: what the tests above count on.
it('digit values span 0-16', () => {
  const all = Array.from({ length: 300 }, (_, i) => digitValue(i % 10, i, i % 64));
  expect([Math.min(...all), Math.max(...all)]).toEqual([0, 16]);
});
