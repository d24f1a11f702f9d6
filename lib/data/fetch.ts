import { loadClassifier, type Classifier, type ClassifierManifest } from '../runtime/classifier';
import type { DataProvider } from '../runtime/dataset';
import type { TF } from '../runtime/ops';
import { DATASET_LIMITS } from './limits';
import { libraryProvider, type DataFiles } from './library';

/**
 * Datasets over HTTP, for training in the browser: MNIST's IDX files from
 * /api/mnist/, a library dataset's files from /api/datasets/:id/files/ (sent
 * once: the browser caches them, a dataset never changes).
 */
export function fetchData(baseUrl = '/api/'): DataProvider {
  return libraryProvider(fetchFiles(baseUrl), { maxBytes: BROWSER_DATASET_BYTES });
}

/** The most pixel bytes of a dataset split the browser trains on (what an import through the app may hold). */
export const BROWSER_DATASET_BYTES = DATASET_LIMITS.pixelBytes;

/** The files behind datasets and the classifier, over HTTP. */
function fetchFiles(baseUrl: string): DataFiles {
  const get = async (url: string, what: string) => {
    const response = await fetch(url);
    if (!response.ok) {
      const detail = await response.json().then((b: { error?: string }) => b.error, () => undefined);
      throw new Error(`${what} could not be loaded (HTTP ${response.status}${detail ? `: ${detail}` : ''})`);
    }
    return new Uint8Array(await response.arrayBuffer());
  };
  return {
    mnist: (file) => get(`${baseUrl}mnist/${file}`, `MNIST file ${file}`),
    dataset: (id, file) => get(`${baseUrl}datasets/${encodeURIComponent(id)}/files/${encodeURIComponent(file)}`, `Dataset file ${file}`),
    classifier: (file) => get(`${baseUrl}quality/classifier/${encodeURIComponent(file)}`, `The quality classifier's ${file}`),
  };
}

/** The bundled MNIST classifier, its files fetched once per worker (the browser caches them too). */
export function fetchClassifier(tf: TF, baseUrl = '/api/'): () => Promise<Classifier> {
  const files = fetchFiles(baseUrl);
  let fetched: Promise<[Uint8Array, Uint8Array]> | undefined;
  return async () => {
    fetched ??= Promise.all([files.classifier('model.json'), files.classifier('weights.bin')]);
    fetched.catch(() => (fetched = undefined));
    const [manifest, weights] = await fetched;
    return loadClassifier(tf, JSON.parse(new TextDecoder().decode(manifest)) as ClassifierManifest, weights);
  };
}
