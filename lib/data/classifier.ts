import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CLASSIFIER_FILES, loadClassifier, type Classifier, type ClassifierManifest } from '../runtime/classifier';

export { CLASSIFIER_FILES };
import type { TF } from '../runtime/ops';

/** The bundled MNIST classifier's folder (model.json, weights.bin), trained by scripts/train-classifier.py. */
export const CLASSIFIER_DIR = path.join(/*turbopackIgnore: true*/ process.cwd(), 'assets', 'mnist-classifier');

/** Loads the bundled classifier from disk (Node: the CLI, tests, the server's route reads the same files). */
export async function nodeClassifier(tf: TF, dir = CLASSIFIER_DIR): Promise<Classifier> {
  const manifest = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as ClassifierManifest;
  return loadClassifier(tf, manifest, new Uint8Array(await readFile(path.join(dir, 'weights.bin'))));
}
