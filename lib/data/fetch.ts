import type { DataProvider } from '../runtime/dataset';
import { libraryProvider } from './library';

/**
 * Datasets over HTTP, for training in the browser: MNIST's IDX files from
 * /api/mnist/, a library dataset's files from /api/datasets/:id/files/ (sent
 * once: the browser caches them, a dataset never changes).
 */
export function fetchData(baseUrl = '/api/'): DataProvider {
  const get = async (url: string, what: string) => {
    const response = await fetch(url);
    if (!response.ok) {
      const detail = await response.json().then((b: { error?: string }) => b.error, () => undefined);
      throw new Error(`${what} could not be loaded (HTTP ${response.status}${detail ? `: ${detail}` : ''})`);
    }
    return new Uint8Array(await response.arrayBuffer());
  };
  return libraryProvider({
    mnist: (file) => get(`${baseUrl}mnist/${file}`, `MNIST file ${file}`),
    dataset: (id, file) => get(`${baseUrl}datasets/${encodeURIComponent(id)}/files/${encodeURIComponent(file)}`, `Dataset file ${file}`),
  });
}
