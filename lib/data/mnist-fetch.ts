import type { DataProvider } from '../runtime/dataset';
import { mnistProvider } from './mnist';

/** MNIST over HTTP: the four IDX files under `baseUrl` (the app serves them at /api/mnist/). */
export function fetchMnist(baseUrl: string): DataProvider {
  return mnistProvider(async (file) => {
    const response = await fetch(`${baseUrl}${file}`);
    if (!response.ok) throw new Error(`MNIST file ${file} could not be loaded (HTTP ${response.status})`);
    return new Uint8Array(await response.arrayBuffer());
  });
}
