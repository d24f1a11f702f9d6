import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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
 * `weights.bin`. A save writes `weights.bin.part`, then `checkpoint.json.part`
 * (once that is whole, whose CRC covers both, the save counts), then renames
 * them into place; a save killed at any point is finished or rolled back by
 * `recoverCheckpoint`, which every save and every read runs first, so the
 * folder always holds one whole checkpoint: the previous one or the new one.
 * (Do not resume from a folder that a running training is writing.)
 */
const part = (file: string) => `${file}.part`;

/** A checkpoint read from a folder, which its refusals name. */
export interface CheckpointFolder extends EncodedCheckpoint {
  dir: string;
}

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
  await recoverCheckpoint(dir);
  await writeFile(path.join(dir, part(WEIGHTS_FILE)), weights);
  await writeFile(path.join(dir, part(MANIFEST_FILE)), `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(path.join(dir, part(WEIGHTS_FILE)), path.join(dir, WEIGHTS_FILE));
  await rename(path.join(dir, part(MANIFEST_FILE)), path.join(dir, MANIFEST_FILE));
}

/**
 * What a save killed mid-way left: a whole `checkpoint.json.part` that matches
 * `weights.bin.part` (or the renamed `weights.bin`) is the new checkpoint and is
 * renamed into place; anything else of the save is removed, leaving the
 * previous checkpoint. Says which, or undefined when no save was interrupted.
 */
export async function recoverCheckpoint(dir: string): Promise<'finished' | 'rolled back' | undefined> {
  const at = (file: string) => path.join(dir, file);
  const manifest = await readFile(at(part(MANIFEST_FILE)), 'utf8').catch(() => undefined);
  if (manifest !== undefined) {
    for (const weights of [part(WEIGHTS_FILE), WEIGHTS_FILE]) {
      const bytes = await readFile(at(weights)).catch(() => undefined);
      if (bytes && parseCheckpoint(manifest, new Uint8Array(bytes)).ok) {
        if (weights !== WEIGHTS_FILE) await rename(at(weights), at(WEIGHTS_FILE));
        await rename(at(part(MANIFEST_FILE)), at(MANIFEST_FILE));
        return 'finished';
      }
    }
  }
  const left = manifest !== undefined || (await stat(at(part(WEIGHTS_FILE))).then(() => true, () => false));
  await rm(at(part(MANIFEST_FILE)), { force: true });
  await rm(at(part(WEIGHTS_FILE)), { force: true });
  return left ? 'rolled back' : undefined;
}

/** Reads and checks a checkpoint folder (after finishing or rolling back an interrupted save); the error is one line naming the folder's file and what is wrong. */
export async function readCheckpoint(dir: string): Promise<CheckpointFolder> {
  try {
    await recoverCheckpoint(dir);
  } catch (e) {
    throw new Error(`${dir}: an interrupted save cannot be finished or rolled back (${(e as Error).message})`);
  }
  const read = async (file: string) => {
    try {
      return await readFile(path.join(dir, file));
    } catch (e) {
      throw new Error(`${dir} is not a checkpoint folder (no readable ${file}): ${(e as Error).message}`);
    }
  };
  const manifest = (await read(MANIFEST_FILE)).toString('utf8');
  const parsed = parseCheckpoint(manifest, new Uint8Array(await read(WEIGHTS_FILE)));
  if (!parsed.ok) throw new Error(`${dir.replace(/[\\/]+$/, '')}${path.sep}${parsed.error}`);
  return { ...parsed.value, dir };
}

/** Loads a checkpoint into the weights and optimizers; nothing changes unless all of it fits (the error says what does not). */
export function restoreCheckpoint(checkpoint: EncodedCheckpoint | CheckpointFolder, trained: Trained): void {
  const state = decodeCheckpoint(tf, checkpoint);
  try {
    restoreState(state, trained.weights, trained.optimizers, trained.identity);
  } catch (e) {
    throw 'dir' in checkpoint ? new Error(`${checkpoint.dir}: ${(e as Error).message}`) : e;
  } finally {
    state.tensors.forEach((t) => t.dispose());
  }
}
