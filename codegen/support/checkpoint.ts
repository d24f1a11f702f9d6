import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/**
 * Checkpoints in Netloom's format, so the app and this project can continue
 * each other's runs: `checkpoint.json` (the tfjs weights manifest plus the
 * iteration and each optimizer's update count) and `weights.bin` (every
 * tensor's float32 values in manifest order). Weights are named
 * `network/node/weight` and optimizer slots `<optimizer>/slot<k>`, with the
 * graph's ids.
 */
const FORMAT = 'netloom-checkpoint';
const MANIFEST_FILE = 'checkpoint.json';
const WEIGHTS_FILE = 'weights.bin';

/** What a checkpoint needs from an optimizer (the runtime's OptimizerUpdater). */
export interface CheckpointedOptimizer {
  state(): { step: number; slots: tf.Tensor[] };
  restore(state: { step: number; slots: tf.Tensor[] }): void;
}

export interface TrainingState {
  iteration: number;
  /** Trainable weights, named `network/node/weight`. */
  weights: readonly tf.Variable[];
  /** By the optimizer node's id. */
  optimizers: Readonly<Record<string, CheckpointedOptimizer>>;
}

interface Manifest {
  format: typeof FORMAT;
  version: 1;
  graph: string;
  iteration: number;
  optimizerSteps: Record<string, number>;
  weightsManifest: [{ paths: [typeof WEIGHTS_FILE]; weights: tf.io.WeightsManifestEntry[] }];
}

const slotName = (optimizer: string, k: number) => `${optimizer}/slot${k}`;

export async function saveCheckpoint(dir: string, graph: string, state: TrainingState): Promise<void> {
  const tensors: Record<string, tf.Tensor> = {};
  const optimizerSteps: Record<string, number> = {};
  for (const variable of state.weights) tensors[variable.name] = variable;
  for (const [id, optimizer] of Object.entries(state.optimizers)) {
    const { step, slots } = optimizer.state();
    optimizerSteps[id] = step;
    slots.forEach((slot, k) => (tensors[slotName(id, k)] = slot));
  }
  const { data, specs } = await tf.io.encodeWeights(tensors);
  const manifest: Manifest = {
    format: FORMAT,
    version: 1,
    graph,
    iteration: state.iteration,
    optimizerSteps,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
  };
  await mkdir(dir, { recursive: true });
  // Write beside, then rename: a run stopped mid-save keeps its previous checkpoint.
  await writeFile(path.join(dir, `${WEIGHTS_FILE}.part`), new Uint8Array(data));
  await writeFile(path.join(dir, `${MANIFEST_FILE}.part`), `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(path.join(dir, `${WEIGHTS_FILE}.part`), path.join(dir, WEIGHTS_FILE));
  await rename(path.join(dir, `${MANIFEST_FILE}.part`), path.join(dir, MANIFEST_FILE));
}

/** The iteration a checkpoint was saved at (read first: a resumed run's data streams depend on it). */
export async function checkpointIteration(dir: string): Promise<number> {
  return (await readManifest(dir)).iteration;
}

async function readManifest(dir: string): Promise<Manifest> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch (e) {
    throw new Error(`${dir} is not a checkpoint folder (no readable ${MANIFEST_FILE}): ${(e as Error).message}`);
  }
  if (manifest?.format !== FORMAT || !Number.isInteger(manifest.iteration) || !Array.isArray(manifest.weightsManifest?.[0]?.weights)) {
    throw new Error(`${path.join(dir, MANIFEST_FILE)} is not a Netloom checkpoint manifest`);
  }
  return manifest;
}

/**
 * Loads a checkpoint into the weights and optimizers; returns its iteration.
 * The error says what does not match (another graph's checkpoint, a damaged file).
 */
export async function restoreCheckpoint(dir: string, state: Omit<TrainingState, 'iteration'>): Promise<number> {
  const manifest = await readManifest(dir);
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(dir, WEIGHTS_FILE));
  } catch (e) {
    throw new Error(`${dir} has no readable ${WEIGHTS_FILE}: ${(e as Error).message}`);
  }
  const specs = manifest.weightsManifest[0].weights;
  const expected = specs.reduce((n, spec) => n + 4 * spec.shape.reduce((a, b) => a * b, 1), 0);
  if (expected !== bytes.byteLength) throw new Error(`${WEIGHTS_FILE} has ${bytes.byteLength} bytes; ${MANIFEST_FILE} describes ${expected}`);
  const tensors = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, specs);
  try {
    const assignments: (() => void)[] = [];
    for (const variable of state.weights) {
      const saved = tensors[variable.name];
      if (!saved) throw new Error(`the checkpoint has no weight "${variable.name}": it was saved from a different graph`);
      if (saved.shape.join('x') !== variable.shape.join('x')) {
        throw new Error(`weight "${variable.name}" is [${saved.shape.join(', ')}] in the checkpoint but [${variable.shape.join(', ')}] here`);
      }
      assignments.push(() => variable.assign(saved));
    }
    for (const [id, optimizer] of Object.entries(state.optimizers)) {
      const slots = optimizer.state().slots.map((_, k) => tensors[slotName(id, k)]);
      const step = manifest.optimizerSteps?.[id];
      if (step === undefined || slots.some((slot) => !slot)) throw new Error(`the checkpoint lacks the state of optimizer "${id}": it was saved from a different graph`);
      assignments.push(() => optimizer.restore({ step, slots: slots as tf.Tensor[] }));
    }
    // Nothing changes unless everything matches.
    assignments.forEach((assign) => assign());
  } finally {
    Object.values(tensors).forEach((t) => t.dispose());
  }
  return manifest.iteration;
}
