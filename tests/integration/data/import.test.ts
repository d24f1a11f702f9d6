import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { dump } from 'npyjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { collect, importFiles, memoryFile, type InputFile } from '../../../lib/data/import';
import { readAll } from '../../../lib/data/import/files';
import { readInputFiles } from '../../../lib/data/import/read';
import { DATASET_LIMITS } from '../../../lib/data/limits';
import { deleteDataset, getDataset, importDataset, listDatasets, loadDataset, renameDataset } from '../../../lib/db/datasets';
import { migrate } from '../../../lib/db/migrate';
import { LOCAL_OWNER } from '../../../lib/db/owner';
import { createProject, getProject, saveGraph } from '../../../lib/db/projects';
import { datasetsDir } from '../../../lib/db/url';
import { idxBytes } from '../../../lib/runtime/idx';
import { pixel, pngBytes, writeImageFolder } from '../../fixtures/images';
import * as datasetsRoute from '../../../app/api/datasets/route';

/**
 * Importing data as users have it, through the same function as the upload
 * route and `npm run data`: Debian's Fashion-MNIST (IDX .gz, third-party
 * files), folders of PNGs and JPEGs written by a script, NumPy and CSV; and
 * every kind of bad input refused with the file named, storing nothing.
 */
const FASHION = '/usr/share/datasets/fashion-mnist';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'netloom-data-'));
  const url = `file:${path.join(scratch, 'test.db')}`;
  process.env.DATABASE_URL = url;
  await migrate(url);
});

const file = (p: string, bytes: Uint8Array | string): InputFile => memoryFile(p, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : new Uint8Array(bytes));
const refused = async (files: InputFile[], message: RegExp, options = {}) => {
  const before = (await listDatasets(LOCAL_OWNER)).length;
  const result = await importDataset(LOCAL_OWNER, { name: 'Bad', files, options });
  expect(result.ok ? 'stored' : result.error.message).toMatch(message);
  expect((await listDatasets(LOCAL_OWNER)).length).toBe(before);
};

describe('importing a dataset', () => {
  it("reads Debian's Fashion-MNIST IDX .gz files: both splits, ten classes, every byte as shipped", async () => {
    const files = await readInputFiles(FASHION);
    expect(files.map((f) => f.path).sort()).toEqual(['fashion-mnist/t10k-images-idx3-ubyte.gz', 'fashion-mnist/t10k-labels-idx1-ubyte.gz', 'fashion-mnist/train-images-idx3-ubyte.gz', 'fashion-mnist/train-labels-idx1-ubyte.gz']);
    const imported = await importDataset(LOCAL_OWNER, { name: 'Fashion-MNIST', files });
    if (!imported.ok) throw new Error(imported.error.message);
    expect(imported.value).toMatchObject({ name: 'Fashion-MNIST', format: 'idx', height: 28, width: 28, channels: 1, classes: 10, trainCount: 60000, testCount: 10000 });
    // Fashion-MNIST is balanced: 6,000 of each class in train, 1,000 in test.
    expect(imported.value.stats.classCounts).toEqual({ train: new Array(10).fill(6000), test: new Array(10).fill(1000) });
    expect(imported.value.stats.range).toEqual([0, 255]);
    const train = await loadDataset(LOCAL_OWNER, { id: imported.value.id, split: 'train' });
    if (!train.ok) throw new Error(train.error.message);
    const { gunzipSync } = await import('node:zlib');
    const shipped = gunzipSync(await readFile(path.join(FASHION, 'train-images-idx3-ubyte.gz')));
    expect(Buffer.from(train.value.images).equals(shipped.subarray(16))).toBe(true);
    expect(train.value.labels[0]).toBe(gunzipSync(await readFile(path.join(FASHION, 'train-labels-idx1-ubyte.gz')))[8]);
  });

  it('reads a folder of PNGs written by a script: classes from subfolders, pixels exact', async () => {
    const root = path.join(scratch, 'shapes');
    await writeImageFolder(root, { classes: ['circle', 'square', 'triangle'], perClass: 5, height: 12, width: 10 });
    const imported = await importDataset(LOCAL_OWNER, { name: 'Shapes', files: await readInputFiles(root) });
    if (!imported.ok) throw new Error(imported.error.message);
    expect(imported.value).toMatchObject({ format: 'images', height: 12, width: 10, channels: 1, classes: 3, trainCount: 15, testCount: 0 });
    expect(imported.value.stats).toMatchObject({ classNames: ['circle', 'square', 'triangle'], classCounts: { train: [5, 5, 5] } });
    const train = await loadDataset(LOCAL_OWNER, { id: imported.value.id, split: 'train' });
    if (!train.ok) throw new Error(train.error.message);
    // Image 2 of class 1 (square) is item 7.
    expect(train.value.labels[7]).toBe(1);
    expect(Array.from(train.value.images.subarray(7 * 120, 7 * 120 + 4))).toEqual([0, 1, 2, 3].map((p) => pixel(1, 2, p, 0)));
  });

  it('reads RGB JPEGs in a zip with train/ and test/ folders, resized to the size asked for', async () => {
    const root = path.join(scratch, 'colours');
    await writeImageFolder(path.join(root, 'train'), { classes: ['a', 'b'], perClass: 3, height: 20, width: 30, rgb: true, jpeg: true });
    await writeImageFolder(path.join(root, 'test'), { classes: ['a', 'b'], perClass: 2, height: 20, width: 30, rgb: true, jpeg: true });
    const entries = Object.fromEntries(await Promise.all((await readInputFiles(root)).map(async (f) => [f.path, await readAll(f)])));
    const zip = zipSync(entries);
    const imported = await importFiles([file('colours.zip', zip)], { size: { height: 16, width: 16 } });
    if (!imported.ok) throw new Error(imported.error);
    const { train, test } = imported.value.splits;
    expect([train.count, train.height, train.width, train.channels, train.classes]).toEqual([6, 16, 16, 3, 2]);
    expect(test?.count).toBe(4);
    expect(imported.value.classNames).toEqual(['a', 'b']);
  });

  it('reads NumPy arrays (.npz as Keras saves MNIST-like data) and CSV pixel rows', async () => {
    const images = Uint8Array.from({ length: 6 * 4 * 4 }, (_, i) => i % 256);
    const npz = zipSync({ 'x_train.npy': new Uint8Array(dump(images, [6, 4, 4])), 'y_train.npy': new Uint8Array(dump(Int32Array.from([0, 1, 2, 0, 1, 2]), [6])) });
    const fromNpz = await importFiles([file('small.npz', npz)]);
    if (!fromNpz.ok) throw new Error(fromNpz.error);
    expect(fromNpz.value.splits.train).toMatchObject({ count: 6, height: 4, width: 4, channels: 1, classes: 3 });
    expect(Array.from(await collect(fromNpz.value.splits.train))).toEqual(Array.from(images));
    const floats = await importFiles([file('floats.npy', new Uint8Array(dump(Float32Array.from([0, 0.5, 1, 1]), [1, 2, 2])))]);
    expect(floats.ok && Array.from(await collect(floats.value.splits.train))).toEqual([0, 128, 255, 255]);

    const csv = ['label,p1,p2,p3,p4', '3,0,10,20,255', '1,5,6,7,8', ''].join('\n');
    const fromCsv = await importFiles([file('digits.csv', csv)]);
    if (!fromCsv.ok) throw new Error(fromCsv.error);
    expect(fromCsv.value.splits.train).toMatchObject({ count: 2, height: 2, width: 2, channels: 1, classes: 4 });
    expect(Array.from(fromCsv.value.splits.train.labels)).toEqual([3, 1]);
    expect(Array.from(await collect(fromCsv.value.splits.train))).toEqual([0, 10, 20, 255, 5, 6, 7, 8]);
  });

  it('refuses bad input, naming the file (and row or entry), and stores nothing', async () => {
    const png = (h: number, w: number) => pngBytes(h, w, () => 9);
    await refused([file('x/a/1.png', png(4, 4)), file('x/a/2.png', png(5, 4))], /x\/a\/2\.png: 4x5, but x\/a\/1\.png is 4x4: images must share one size, or choose a size/);
    await refused([file('x/a/1.png', png(4, 4)), file('x/a/notes.txt', 'hello')], /x\/a\/notes\.txt: not an image \(PNG or JPEG\)/);
    await refused([file('x/a/1.png', png(4, 4)), file('x/a/2.png', new TextEncoder().encode('not a png'))], /x\/a\/2\.png: not a readable PNG/);
    await refused([file('broken.zip', new Uint8Array([0x50, 0x4b, 3, 4, 1, 2, 3]))], /broken\.zip: not a readable zip archive/);
    await refused([file('empty.zip', zipSync({}))], /No files to import/);
    const images = idxBytes([3, 2, 2], new Uint8Array(12));
    await refused([file('train-images-idx3-ubyte', images), file('train-labels-idx1-ubyte', idxBytes([2], new Uint8Array(2)))], /train-labels-idx1-ubyte: 2 labels for the 3 images of train-images-idx3-ubyte/);
    const badMagic = idxBytes([3, 2, 2], new Uint8Array(12));
    badMagic[2] = 0x0d;
    await refused([file('train-images-idx3-ubyte', badMagic)], /train-images-idx3-ubyte: element type 0xd is not supported/);
    await refused([file('train-images-idx3-ubyte', idxBytes([0, 2, 2], new Uint8Array(0)))], /train-images-idx3-ubyte: holds no images/);
    await refused([file('digits.csv', 'label,a,b,c,d\n1,0,0,0,0\n2,0,x,0,0\n')], /digits\.csv row 3, column b: "x" is not a pixel value/);
    await refused([file('digits.csv', 'label,a,b,c,d\n1,0,0,0,0\n300,0,0,0,0\n')], /digits\.csv row 3: label 300 is not a class index/);
    await refused([file('labels.npy', new Uint8Array(dump(Int32Array.from([1, -1]), [2]))), file('x.npy', new Uint8Array(dump(new Uint8Array(8), [2, 2, 2])))], /labels\.npy: label -1 at item 1 is not a class index/);
    await refused([file('data.bin', new Uint8Array([1, 2, 3, 4]))], /data\.bin: not a dataset file/);
    // A zip whose directory promises more than an import may unpack is refused before anything is inflated.
    const bomb = zipSync({ 'train-images-idx3-ubyte': images });
    const central = Buffer.from(bomb).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    new DataView(bomb.buffer).setUint32(central + 24, DATASET_LIMITS.unpackedBytes + 1, true);
    await refused([file('bomb.zip', bomb)], /bomb\.zip: unpacks to more than \d+ bytes/);
    await refused([file('huge.csv', new Uint8Array(DATASET_LIMITS.uploadBytes + 1))], /bytes sent: an import takes at most/);
    expect(await importDataset(LOCAL_OWNER, { name: ' ', files: [file('x/1.png', png(4, 4))] })).toMatchObject({ ok: false, error: { message: 'A dataset needs a name' } });
  });

  it('refuses every malformed IDX, NumPy and CSV file with a 400 naming the file, never storing it or failing with a 500', async () => {
    const npy = (data: Parameters<typeof dump>[0], shape: number[]) => new Uint8Array(dump(data, shape));
    /** A .npy whose header claims `shape` over whatever data follows (npyjs trusts the header). */
    const npyClaiming = (shape: string, data: Uint8Array) => {
      const header = `{'descr': '|u1', 'fortran_order': False, 'shape': ${shape}, }`.padEnd(118, ' ') + '\n';
      return new Uint8Array([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length, 0, ...new TextEncoder().encode(header), ...data]);
    };
    const cases: [string, InputFile[], RegExp][] = [
      ['IDX images of width 0', [file('train-images-idx3-ubyte', idxBytes([3, 2, 0], new Uint8Array(0)))], /^train-images-idx3-ubyte: 2x0 images; an image is at least 1x1$/],
      ['IDX images of 0x0', [file('train-images-idx3-ubyte', idxBytes([3, 0, 0], new Uint8Array(0)))], /^train-images-idx3-ubyte: 0x0 images/],
      ['IDX images of 0 channels', [file('train-images-idx3-ubyte', idxBytes([2, 2, 2, 0], new Uint8Array(0)))], /^train-images-idx3-ubyte: 0 channels/],
      ['IDX images and labels of width 0', [file('train-images-idx3-ubyte', idxBytes([2, 0, 5], new Uint8Array(0))), file('train-labels-idx1-ubyte', idxBytes([2], new Uint8Array(2)))], /^train-images-idx3-ubyte: 0x5 images/],
      ['NPY of width 0', [file('x.npy', npy(new Uint8Array(0), [3, 2, 0]))], /^x\.npy: 2x0 images/],
      ['NPY with less data than its shape', [file('x.npy', npy(new Uint8Array(10), [3, 2, 2]))], /^x\.npy: shape \[3, 2, 2\] is 12 values but the file holds 10$/],
      ['NPY with more data than its shape', [file('x.npy', npy(new Uint8Array(20), [3, 2, 2]))], /^x\.npy: shape \[3, 2, 2\] is 12 values but the file holds 20$/],
      ['NPY with a negative size', [file('x.npy', npyClaiming('(-3, 2, 2)', new Uint8Array(12)))], /^x\.npy: shape \(-3, 2, 2\) is not a list of sizes$/],
      ['NPY with a size that is no number', [file('x.npy', npyClaiming('(3, two, 2)', new Uint8Array(12)))], /^x\.npy: shape \(3, NaN, 2\) is not a list of sizes$/],
      ['NPZ labels that disagree with their shape', [file('d.npz', zipSync({ 'x_train.npy': npy(new Uint8Array(8), [2, 2, 2]), 'y_train.npy': npyClaiming('(2,)', new Uint8Array(3)) }))], /^d\.npz\/y_train\.npy: shape \[2\] is 2 values but the file holds 3$/],
      ['CSV with a label column and no pixels', [file('digits.csv', 'label\n1\n2\n')], /^digits\.csv: 0x0 images/],
    ];
    for (const [what, files, message] of cases) {
      // The function both the route and the CLI call: a refusal, never an exception.
      const read = await importFiles(files);
      expect(read.ok ? 'imported' : read.error, what).toMatch(message);
      await refused(files, message);
      // The upload route: 400 with the message.
      const form = new FormData();
      form.set('name', what);
      for (const f of files) form.append('files', new File([new Uint8Array(await readAll(f))], f.path));
      form.set('paths', JSON.stringify(files.map((f) => f.path)));
      const request = new Request('http://localhost/api/datasets', { method: 'POST', body: form });
      const body = await request.arrayBuffer();
      const response = await datasetsRoute.POST(new Request(request.url, { method: 'POST', body, headers: { 'Content-Type': request.headers.get('Content-Type')!, 'Content-Length': String(body.byteLength) } }), {});
      expect({ what, status: response.status, error: ((await response.json()) as { error: string }).error }).toMatchObject({ what, status: 400, error: expect.stringMatching(message) });
    }
    // Every dataset the library holds reads back (nothing of the above was stored half-way).
    for (const dataset of await listDatasets(LOCAL_OWNER)) expect((await loadDataset(LOCAL_OWNER, { id: dataset.id, split: 'train' })).ok, dataset.name).toBe(true);
  });

  it('renames, and refuses to delete a dataset that a saved graph reads, naming the project', async () => {
    const root = path.join(scratch, 'tiny');
    await writeImageFolder(root, { classes: ['0', '1'], perClass: 2, height: 4, width: 4 });
    const imported = await importDataset(LOCAL_OWNER, { name: 'Tiny', files: await readInputFiles(root) });
    if (!imported.ok) throw new Error(imported.error.message);
    const id = imported.value.id;
    expect((await renameDataset(LOCAL_OWNER, id, '  Tiny digits ')).ok).toBe(true);
    expect((await getDataset(LOCAL_OWNER, id)).ok && (await getDataset(LOCAL_OWNER, id))).toMatchObject({ value: { name: 'Tiny digits' } });

    const project = await createProject(LOCAL_OWNER, { name: 'Uses tiny', template: 'gan' });
    if (!project.ok) throw new Error(project.error.message);
    const saved = await getProject(LOCAL_OWNER, project.value.id);
    if (!saved.ok) throw new Error(saved.error.message);
    const graph = structuredClone(saved.value.graph);
    const x = graph.nodes.find((n) => n.id === 'X')!;
    x.params = { ...x.params, dataset: { id, name: 'Tiny digits', height: 4, width: 4, channels: 1, classes: 2, train: 4, test: 0 } };
    expect((await saveGraph(LOCAL_OWNER, project.value.id, saved.value.version, graph)).ok).toBe(true);
    expect(await deleteDataset(LOCAL_OWNER, id)).toEqual({ ok: false, error: { kind: 'invalid', message: '"Tiny digits" is used by "Uses tiny": change its data nodes first' } });
    expect(existsSync(path.join(datasetsDir(), id))).toBe(true);

    const other = await importDataset(LOCAL_OWNER, { name: 'Unused', files: await readInputFiles(root) });
    if (!other.ok) throw new Error(other.error.message);
    expect(await deleteDataset(LOCAL_OWNER, other.value.id)).toEqual({ ok: true, value: true });
    expect(existsSync(path.join(datasetsDir(), other.value.id))).toBe(false);
    expect((await getDataset(LOCAL_OWNER, other.value.id)).ok).toBe(false);
    // No half-written folders are left behind by anything above.
    expect((await readdir(datasetsDir())).filter((name) => name.includes('.part-'))).toEqual([]);
  });
});
