import type * as tfjs from '@tensorflow/tfjs';
import type { TF, Tensor } from './ops';
import type { OptimizerUpdater } from './optimizers';

/**
 * Netloom's checkpoint format, the one implementation the app, the CLI and
 * exported projects share: the tfjs weights format, a JSON manifest whose
 * `weightsManifest` lists every tensor's name, shape and dtype plus one binary
 * file with their float32 values in that order. The manifest also records the
 * iteration and each optimizer's update count, so a resumed run's weights and
 * optimizers continue exactly where they were. Weights are named
 * `network/node/weight` and optimizer slots `<optimizer node>/slot<k>`, with
 * the graph's ids.
 */
export const CHECKPOINT_FORMAT = 'netloom-checkpoint';
export const MANIFEST_FILE = 'checkpoint.json';
export const WEIGHTS_FILE = 'weights.bin';

export interface CheckpointTensor {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  /** The graph's name, for people reading the file. */
  graph: string;
  iteration: number;
  optimizerSteps: Record<string, number>;
  weightsManifest: [{ paths: [typeof WEIGHTS_FILE]; weights: CheckpointTensor[] }];
  /** CRC-32 of weights.bin: a damaged file is refused, not loaded. */
  weightsCrc32?: number;
  /** What the graph trains (its weights and optimizers): a checkpoint resumes only the same structure. */
  structure?: string;
  /** Each optimizer's kind: Adam's slots are not Adadelta's. */
  optimizerKinds?: Record<string, string>;
}

export interface EncodedCheckpoint {
  manifest: CheckpointManifest;
  weights: Uint8Array;
}

/** What a program trains, beyond its tensors' names and shapes: checked when a checkpoint is restored. */
export interface TrainingIdentity {
  structure: string;
  optimizerKinds: Readonly<Record<string, string>>;
}

/** Everything a checkpoint holds so that training continues where it was. */
export interface TrainingState extends Partial<TrainingIdentity> {
  iteration: number;
  /** Weights by `network/node/weight`, optimizer slots by `<optimizer node>/slot<k>`. */
  tensors: ReadonlyMap<string, Tensor>;
  /** Each optimizer's update count (Adam's bias correction depends on it). */
  optimizerSteps: Readonly<Record<string, number>>;
}

/** A check's outcome: the value, or what is wrong (the same shape as the app's Result). */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

export const slotName = (optimizer: string, k: number): string => `${optimizer}/slot${k}`;

/** The live tensors of the weights and optimizer slots: read them before the next step. */
export function captureState(
  iteration: number,
  weights: ReadonlyMap<string, tfjs.Variable>,
  optimizers: Readonly<Record<string, OptimizerUpdater>>,
  identity?: TrainingIdentity,
): TrainingState {
  const tensors = new Map<string, Tensor>(weights);
  const optimizerSteps: Record<string, number> = {};
  for (const [id, optimizer] of Object.entries(optimizers)) {
    const { step, slots } = optimizer.state();
    optimizerSteps[id] = step;
    slots.forEach((slot, k) => tensors.set(slotName(id, k), slot));
  }
  return { iteration, tensors, optimizerSteps, ...identity };
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const formatShape = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Assigns a saved state to the weights and optimizers after checking that it
 * holds every one of them with the right shape; nothing changes unless all
 * of it fits. The error says what does not match (another graph's checkpoint).
 */
export function restoreState(
  state: TrainingState,
  weights: ReadonlyMap<string, tfjs.Variable>,
  optimizers: Readonly<Record<string, OptimizerUpdater>>,
  identity?: TrainingIdentity,
): void {
  const assignments: (() => void)[] = [];
  const missing = [...weights.keys()].filter((name) => !state.tensors.has(name));
  if (missing.length) throw new Error(`the checkpoint lacks weight(s) ${missing.join(', ')}: it was saved from a different graph`);
  for (const [name, variable] of weights) {
    const saved = state.tensors.get(name)!;
    if (!sameShape(saved.shape, variable.shape)) {
      throw new Error(`weight "${name}" is ${formatShape(saved.shape)} in the checkpoint but ${formatShape(variable.shape)} here`);
    }
    assignments.push(() => variable.assign(saved));
  }
  // Older checkpoints carry no identity: their names and shapes are still checked.
  for (const [id, kind] of Object.entries(identity?.optimizerKinds ?? {})) {
    const saved = state.optimizerKinds?.[id];
    if (saved !== undefined && saved !== kind) throw new Error(`the checkpoint's optimizer "${id}" is ${saved}, this graph's is ${kind}: its state cannot continue another rule`);
  }
  for (const [id, optimizer] of Object.entries(optimizers)) {
    const own = optimizer.state().slots;
    const slots = own.map((_, k) => state.tensors.get(slotName(id, k)));
    const step = state.optimizerSteps[id];
    if (step === undefined || slots.some((slot) => !slot)) throw new Error(`the checkpoint lacks the state of optimizer "${id}": it was saved from a different graph`);
    own.forEach((slot, k) => {
      if (slots[k]!.size !== slot.size) throw new Error(`optimizer "${id}" slot ${k} has ${slots[k]!.size} values in the checkpoint but ${slot.size} here`);
    });
    assignments.push(() => optimizer.restore({ step, slots: slots as Tensor[] }));
  }
  if (identity && state.structure !== undefined && state.structure !== identity.structure) {
    throw new Error(`the checkpoint was saved from a graph that trains other weights or optimizers (structure ${state.structure}, this graph ${identity.structure})`);
  }
  assignments.forEach((assign) => assign());
}

export async function encodeCheckpoint(tf: TF, graph: string, state: TrainingState): Promise<EncodedCheckpoint> {
  const { data, specs } = await tf.io.encodeWeights(Object.fromEntries(state.tensors));
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: 1,
    graph,
    iteration: state.iteration,
    optimizerSteps: { ...state.optimizerSteps },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs.map(({ name, shape }) => ({ name, shape, dtype: 'float32' as const })) }],
    weightsCrc32: crc32(new Uint8Array(data)),
    ...(state.structure !== undefined && { structure: state.structure }),
    ...(state.optimizerKinds !== undefined && { optimizerKinds: { ...state.optimizerKinds } }),
  };
  return { manifest, weights: new Uint8Array(data) };
}

/** Tensors for restoreState; the caller disposes them. */
export function decodeCheckpoint(tf: TF, { manifest, weights }: EncodedCheckpoint): TrainingState {
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const tensors = tf.io.decodeWeights(buffer, manifest.weightsManifest[0].weights as tfjs.io.WeightsManifestEntry[]);
  return {
    iteration: manifest.iteration,
    tensors: new Map(Object.entries(tensors)),
    optimizerSteps: manifest.optimizerSteps,
    structure: manifest.structure,
    optimizerKinds: manifest.optimizerKinds,
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/** Checks a manifest (JSON text or parsed) and its weights file agree; the error names the file and field that is wrong. */
export function parseCheckpoint(manifestJson: unknown, weights: Uint8Array): Checked<EncodedCheckpoint> {
  let raw = manifestJson;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return { ok: false, error: `${MANIFEST_FILE} is not JSON` };
    }
  }
  const manifest = checkManifest(raw);
  if (typeof manifest === 'string') return { ok: false, error: `${MANIFEST_FILE}: ${manifest}` };
  const expected = manifest.weightsManifest[0].weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (expected !== weights.byteLength) return { ok: false, error: `${WEIGHTS_FILE} has ${weights.byteLength} bytes; ${MANIFEST_FILE} describes ${expected}` };
  if (manifest.weightsCrc32 !== undefined && crc32(weights) !== manifest.weightsCrc32) {
    return { ok: false, error: `${WEIGHTS_FILE} is damaged: its CRC-32 is ${crc32(weights)}, ${MANIFEST_FILE} says ${manifest.weightsCrc32}` };
  }
  return { ok: true, value: { manifest, weights } };
}

/** The manifest, or the first thing wrong with it as `field: problem`. */
function checkManifest(raw: unknown): CheckpointManifest | string {
  if (!isRecord(raw)) return 'file: expected a JSON object';
  if (raw.format !== CHECKPOINT_FORMAT) return `format: expected "${CHECKPOINT_FORMAT}"`;
  if (raw.version !== 1) return 'version: expected 1';
  if (typeof raw.graph !== 'string') return 'graph: expected a string';
  if (!isCount(raw.iteration)) return 'iteration: expected a whole number of at least 0';
  if (!isRecord(raw.optimizerSteps)) return 'optimizerSteps: expected an object';
  for (const [id, step] of Object.entries(raw.optimizerSteps)) if (!isCount(step)) return `optimizerSteps.${id}: expected a whole number of at least 0`;
  const groups = raw.weightsManifest;
  if (!Array.isArray(groups) || groups.length !== 1 || !isRecord(groups[0])) return 'weightsManifest: expected one group';
  const { paths, weights } = groups[0];
  if (!Array.isArray(paths) || paths.length !== 1 || paths[0] !== WEIGHTS_FILE) return `weightsManifest.0.paths: expected ["${WEIGHTS_FILE}"]`;
  if (!Array.isArray(weights)) return 'weightsManifest.0.weights: expected a list';
  const names = new Set<string>();
  for (const [i, spec] of weights.entries()) {
    const at = `weightsManifest.0.weights.${i}`;
    if (!isRecord(spec) || typeof spec.name !== 'string' || spec.name.length === 0) return `${at}.name: expected a name`;
    if (names.has(spec.name)) return `${at}.name: "${spec.name}" appears twice`;
    names.add(spec.name);
    if (!Array.isArray(spec.shape) || !spec.shape.every(isCount)) return `${at}.shape: expected a list of sizes`;
    if (spec.dtype !== 'float32') return `${at}.dtype: expected "float32"`;
  }
  if (raw.weightsCrc32 !== undefined && !(Number.isInteger(raw.weightsCrc32) && (raw.weightsCrc32 as number) >= 0 && (raw.weightsCrc32 as number) < 2 ** 32)) return 'weightsCrc32: expected a 32-bit checksum';
  if (raw.structure !== undefined && typeof raw.structure !== 'string') return 'structure: expected a string';
  if (raw.optimizerKinds !== undefined && (!isRecord(raw.optimizerKinds) || !Object.values(raw.optimizerKinds).every((k) => typeof k === 'string'))) {
    return 'optimizerKinds: expected an object of names';
  }
  return raw as unknown as CheckpointManifest;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE, as zip and PNG use it). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
