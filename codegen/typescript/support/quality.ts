import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { loadClassifier, type ClassifierManifest } from '../runtime/classifier';
import type { Dataset } from '../runtime/dataset';
import { classifierFeatures, datasetImages, pixelFeatures, QualityEvaluator } from '../runtime/quality';

/**
 * The quality scores' evaluator, as Netloom builds it: `samples` held-out
 * images of `reference` as the real side, seen through the MNIST classifier
 * in `dir` (quality/ in this project) or as pooled pixels.
 */
export async function createEvaluator(
  tfjs: typeof tf,
  features: 'mnist-classifier' | 'pixels',
  reference: Dataset,
  samples: number,
  dir = 'quality',
): Promise<QualityEvaluator> {
  let source = pixelFeatures();
  if (features === 'mnist-classifier') {
    const read = (file: string) =>
      readFile(path.join(dir, file)).catch(() => {
        throw new Error(`${path.resolve(dir, file)} is missing: the quality scores need the MNIST classifier this project was exported with`);
      });
    const manifest = JSON.parse((await read('model.json')).toString('utf8')) as ClassifierManifest;
    source = classifierFeatures(loadClassifier(tfjs, manifest, new Uint8Array(await read('weights.bin'))));
  }
  return QualityEvaluator.create(tfjs, source, datasetImages(reference, samples));
}
