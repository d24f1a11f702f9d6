import { readFile, stat } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type ClassifierManifest } from '../../../lib/runtime/classifier';
import { mnistData, wasm } from '../../helpers';

/**
 * The MNIST classifier behind the quality scores, as committed: under 1 MB
 * of weights, and the test accuracy its training script recorded (at least
 * 99%) measured again here through tfjs on MNIST's 10,000 test digits.
 */
const DIR = 'assets/mnist-classifier';

describe('the quality classifier', () => {
  beforeAll(wasm);

  it('is under 1 MB and classifies 99% or more of the MNIST test digits, as recorded', async () => {
    expect((await stat(`${DIR}/weights.bin`)).size).toBeLessThan(1024 * 1024);
    const manifest = JSON.parse(await readFile(`${DIR}/model.json`, 'utf8')) as ClassifierManifest;
    expect(manifest.testAccuracy).toBeGreaterThanOrEqual(0.99);
    const classifier = loadClassifier(tf, manifest, new Uint8Array(await readFile(`${DIR}/weights.bin`)));
    const test = await mnistData.dataset({ id: 'mnist', split: 'test' });
    let right = 0;
    for (let start = 0; start < test.count; start += 1000) {
      const count = Math.min(1000, test.count - start);
      const pixels = new Uint8Array(count * 784);
      for (let i = 0; i < count; i++) pixels.set(test.item(start + i), i * 784);
      const images = tf.tidy(() => tf.div(tf.tensor4d(pixels, [count, 28, 28, 1], 'float32'), 255));
      const { features, logits } = classifier.apply(images);
      expect(features.shape).toEqual([count, 64]);
      const predicted = await tf.argMax(logits, 1).data();
      predicted.forEach((p, i) => (right += p === test.labels[start + i] ? 1 : 0));
      tf.dispose([images, features, logits]);
    }
    const accuracy = right / test.count;
    expect(accuracy).toBeGreaterThanOrEqual(0.99);
    expect(Math.abs(accuracy - manifest.testAccuracy)).toBeLessThanOrEqual(0.002);
    classifier.dispose();
  });
});
