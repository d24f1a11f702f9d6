import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  captureState,
  decodeCheckpoint,
  encodeCheckpoint,
  MANIFEST_FILE,
  parseCheckpoint,
  restoreState,
  WEIGHTS_FILE,
  type EncodedCheckpoint,
  type TrainingIdentity,
} from '../runtime/checkpoint';
import type { OptimizerUpdater } from '../runtime/optimizers';

/**
 * Checkpoint folders in Netloom's format (runtime/checkpoint.ts), so the app
 * and this project continue each other's runs: `checkpoint.json` and
 * `weights.bin`, written beside and renamed, so a run stopped mid-save keeps
 * its previous checkpoint.
 */
export interface Trained {
  /** Every weight, by its name `network/node/weight`. */
  weights: ReadonlyMap<string, tf.Variable>;
  /** By the optimizer node's id. */
  optimizers: Readonly<Record<string, OptimizerUpdater>>;
  /** The graph's structure and optimizer kinds, as the app records them: a checkpoint of another graph is refused. */
  identity: TrainingIdentity;
}

export async function saveCheckpoint(dir: string, graph: string, iteration: number, trained: Trained): Promise<void> {
  const { manifest, weights } = await encodeCheckpoint(tf, graph, captureState(iteration, trained.weights, trained.optimizers, trained.identity));
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${WEIGHTS_FILE}.part`), weights);
  await writeFile(path.join(dir, `${MANIFEST_FILE}.part`), `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(path.join(dir, `${WEIGHTS_FILE}.part`), path.join(dir, WEIGHTS_FILE));
  await rename(path.join(dir, `${MANIFEST_FILE}.part`), path.join(dir, MANIFEST_FILE));
}

/** Reads and checks a checkpoint folder; the error names the folder and what is wrong. */
export async function readCheckpoint(dir: string): Promise<EncodedCheckpoint> {
  const read = async (file: string) => {
    try {
      return await readFile(path.join(dir, file));
    } catch (e) {
      throw new Error(`${dir} is not a checkpoint folder (no readable ${file}): ${(e as Error).message}`);
    }
  };
  const manifest = (await read(MANIFEST_FILE)).toString('utf8');
  const parsed = parseCheckpoint(manifest, new Uint8Array(await read(WEIGHTS_FILE)));
  if (!parsed.ok) throw new Error(`${dir}: ${parsed.error}`);
  return parsed.value;
}

/** Loads a checkpoint into the weights and optimizers; nothing changes unless all of it fits (the error says what does not). */
export function restoreCheckpoint(checkpoint: EncodedCheckpoint, trained: Trained): void {
  const state = decodeCheckpoint(tf, checkpoint);
  try {
    restoreState(state, trained.weights, trained.optimizers, trained.identity);
  } finally {
    state.tensors.forEach((t) => t.dispose());
  }
}
