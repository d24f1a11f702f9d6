import type { Dataset } from '../lib/runtime/dataset';
import { nodeMnist } from '../lib/data/node';
import { useBackend } from '../lib/train/backend';

/** One MNIST provider per test process: the IDX files are read once. */
export const mnistData = nodeMnist();

export async function trainSplit(): Promise<Dataset> {
  return mnistData.dataset({ id: 'mnist', split: 'train' });
}

export const wasm = () => useBackend('wasm');
export const cpu = () => useBackend('cpu');

/** |a - b| within `tolerance`, relative to the size of b (absolute below 1). */
export function close(a: number, b: number, tolerance = 1e-5): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));
}
