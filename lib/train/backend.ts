import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export type NodeBackend = 'wasm' | 'cpu';
export const NODE_BACKENDS: readonly NodeBackend[] = ['wasm', 'cpu'];

/** Selects a tfjs backend in Node and fails loudly if it cannot (tfjs would silently fall back). */
export async function useBackend(name: NodeBackend): Promise<typeof tf> {
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`tfjs backend "${name}" is not available here (active: ${tf.getBackend()})`);
  return tf;
}
