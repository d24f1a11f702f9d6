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
 *
 * Integrity: `weightsCrc32` is the CRC-32 of weights.bin and (version 2)
 * `crc32` that of the canonical manifest (sorted keys, no spaces, ASCII, every
 * field but `crc32`) followed by weights.bin, so a damaged or edited file of
 * either is refused. A CRC is no signature: whoever edits a file on purpose
 * can compute it again. Version 1 (no `crc32`) is still read, its weights
 * checked and its manifest range checked. netloom/checkpoint.py reads and
 * writes the same format, with the same checks and messages.
 */
export const CHECKPOINT_FORMAT = 'netloom-checkpoint';
export const CHECKPOINT_VERSION = 2;
export const MANIFEST_FILE = 'checkpoint.json';
export const WEIGHTS_FILE = 'weights.bin';
/** The most iterations a checkpoint may record (a run's settings allow 100,000,000). */
export const MAX_CHECKPOINT_ITERATION = 1_000_000_000;
/** The most updates one optimizer makes per iteration: a schedule step repeats at most 1,000 times. */
export const MAX_STEPS_PER_ITERATION = 1_000;
/** The most bytes of checkpoint.json, and the most dimensions of a tensor. */
export const MAX_MANIFEST_BYTES = 64 * 2 ** 20;
const MAX_RANK = 8;

export interface CheckpointTensor {
  name: string;
  shape: number[];
  dtype: 'float32';
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  /** 2 since the manifest is covered by `crc32`; 1 is still read. */
  version: 1 | 2;
  /** The graph's name, for people reading the file. */
  graph: string;
  iteration: number;
  optimizerSteps: Record<string, number>;
  weightsManifest: [{ paths: [typeof WEIGHTS_FILE]; weights: CheckpointTensor[] }];
  /** CRC-32 of weights.bin: a damaged file is refused, not loaded. */
  weightsCrc32: number;
  /** Version 2: CRC-32 of the canonical manifest without this field, then weights.bin (see `checkpointCrc`). */
  crc32?: number;
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

/** Names in a message: the first few, and how many more. */
const listed = (names: readonly string[]) => (names.length <= 5 ? names : [...names.slice(0, 5), `and ${names.length - 5} more`]).join(', ');
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
  if (missing.length) throw new Error(`the checkpoint lacks weight(s) ${listed(missing)}: it was saved from a different graph`);
  // Every tensor it holds is one this graph trains: a name the graph does not have is another graph's, or an edit.
  const own = new Set([...weights.keys(), ...Object.entries(optimizers).flatMap(([id, o]) => o.state().slots.map((_, k) => slotName(id, k)))]);
  const foreign = [...state.tensors.keys()].filter((name) => !own.has(name));
  if (foreign.length) throw new Error(`the checkpoint holds ${listed(foreign)}, which this graph does not train: it was saved from a different graph`);
  const strangers = Object.keys(state.optimizerSteps).filter((id) => !(id in optimizers));
  if (strangers.length) throw new Error(`the checkpoint holds the state of optimizer(s) ${listed(strangers)}, which this graph does not have: it was saved from a different graph`);
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
  const weights = new Uint8Array(data);
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    graph,
    iteration: state.iteration,
    optimizerSteps: { ...state.optimizerSteps },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs.map(({ name, shape }) => ({ name, shape, dtype: 'float32' as const })) }],
    weightsCrc32: crc32(weights),
    ...(state.structure !== undefined && { structure: state.structure }),
    ...(state.optimizerKinds !== undefined && { optimizerKinds: { ...state.optimizerKinds } }),
  };
  return { manifest: { ...manifest, crc32: checkpointCrc(manifest, weights) }, weights };
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
const isWhole = (value: unknown, max: number): value is number => Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max;
const isCrc = (value: unknown): value is number => isWhole(value, 2 ** 32 - 1);
/** A value as a refusal quotes it: JSON, on one line, short. */
const show = (value: unknown): string => {
  let text: string;
  try {
    text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  } catch {
    // Nested past the stack: JSON.parse builds what JSON.stringify cannot write back.
    text = Array.isArray(value) ? '[…]' : '{…}';
  }
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

/**
 * Checks a manifest (JSON text or parsed) and its weights file agree, and
 * that both are whole: every field in range, the sizes, the CRCs. The error
 * is one line naming the file (and field) at fault.
 */
export function parseCheckpoint(manifestJson: unknown, weights: Uint8Array): Checked<EncodedCheckpoint> {
  let raw = manifestJson;
  if (typeof raw === 'string') {
    if (raw.length > MAX_MANIFEST_BYTES) return { ok: false, error: `${MANIFEST_FILE} has ${raw.length} characters; a checkpoint's manifest has at most ${MAX_MANIFEST_BYTES}` };
    try {
      raw = JSON.parse(raw);
    } catch (error) {
      return { ok: false, error: `${MANIFEST_FILE} is not JSON (${(error as Error).message.split('\n')[0]})` };
    }
  }
  const manifest = checkManifest(raw);
  if (typeof manifest === 'string') return { ok: false, error: `${MANIFEST_FILE}: ${manifest}` };
  const expected = manifest.weightsManifest[0].weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (expected !== weights.byteLength) return { ok: false, error: `${WEIGHTS_FILE} has ${weights.byteLength} bytes; ${MANIFEST_FILE} describes ${expected}` };
  const weightsCrc = crc32(weights);
  if (weightsCrc !== manifest.weightsCrc32) return { ok: false, error: `${WEIGHTS_FILE} is damaged: its CRC-32 is ${weightsCrc}, ${MANIFEST_FILE} says ${manifest.weightsCrc32}` };
  if (manifest.version === 2 && checkpointCrc(manifest, weights) !== manifest.crc32) {
    return { ok: false, error: `${MANIFEST_FILE} was changed after it was written: its crc32 (${manifest.crc32}) does not match its fields and ${WEIGHTS_FILE} (${checkpointCrc(manifest, weights)})` };
  }
  return { ok: true, value: { manifest, weights } };
}

const TOP_FIELDS = ['format', 'version', 'graph', 'iteration', 'optimizerSteps', 'weightsManifest', 'weightsCrc32', 'crc32', 'structure', 'optimizerKinds'];

/** The manifest with every field checked and nothing else (version 2 allows no other field), or the first thing wrong as `field: problem`. */
function checkManifest(raw: unknown): CheckpointManifest | string {
  if (!isRecord(raw)) return `expected a JSON object, got ${show(raw)}`;
  if (raw.format !== CHECKPOINT_FORMAT) return `format: expected "${CHECKPOINT_FORMAT}", got ${show(raw.format)}`;
  if (raw.version !== 1 && raw.version !== 2) return `version: expected 1 or 2, got ${show(raw.version)}`;
  const strict = raw.version === 2;
  const unknown = Object.keys(raw).find((key) => !TOP_FIELDS.includes(key));
  if (strict && unknown !== undefined) return `${show(unknown)}: not a field of a checkpoint`;
  if (typeof raw.graph !== 'string') return `graph: expected a string, got ${show(raw.graph)}`;
  const iteration = raw.iteration;
  if (!isWhole(iteration, MAX_CHECKPOINT_ITERATION)) return `iteration: expected a whole number from 0 to ${MAX_CHECKPOINT_ITERATION}, got ${show(iteration)}`;
  if (!isRecord(raw.optimizerSteps)) return `optimizerSteps: expected an object, got ${show(raw.optimizerSteps)}`;
  for (const [id, step] of Object.entries(raw.optimizerSteps)) {
    // Each iteration runs every scheduled optimizer 1 to MAX_STEPS_PER_ITERATION times (an unscheduled one never).
    const most = iteration * MAX_STEPS_PER_ITERATION;
    if (!isWhole(step, most)) return `optimizerSteps.${show(id)}: expected a whole number from 0 to ${most} (${MAX_STEPS_PER_ITERATION} per iteration), got ${show(step)}`;
  }
  if (raw.structure !== undefined && typeof raw.structure !== 'string') return `structure: expected a string, got ${show(raw.structure)}`;
  if (raw.optimizerKinds !== undefined) {
    if (!isRecord(raw.optimizerKinds)) return `optimizerKinds: expected an object, got ${show(raw.optimizerKinds)}`;
    const kinds = raw.optimizerKinds;
    const odd = Object.keys(kinds).find((id) => typeof kinds[id] !== 'string');
    if (odd !== undefined) return `optimizerKinds.${show(odd)}: expected a name, got ${show(kinds[odd])}`;
    const steps = Object.keys(raw.optimizerSteps);
    const unmatched = [...steps.filter((id) => !(id in kinds)), ...Object.keys(kinds).filter((id) => !steps.includes(id))];
    if (unmatched.length) return `optimizerSteps and optimizerKinds name different optimizers (${show(unmatched[0])} is in one only)`;
  }
  const groups = raw.weightsManifest;
  if (!Array.isArray(groups) || groups.length !== 1 || !isRecord(groups[0])) return 'weightsManifest: expected one group';
  const group = groups[0];
  if (strict && Object.keys(group).some((key) => key !== 'paths' && key !== 'weights')) return 'weightsManifest.0: expected only paths and weights';
  const { paths, weights } = group;
  if (!Array.isArray(paths) || paths.length !== 1 || paths[0] !== WEIGHTS_FILE) return `weightsManifest.0.paths: expected ["${WEIGHTS_FILE}"], got ${show(paths)}`;
  if (!Array.isArray(weights)) return `weightsManifest.0.weights: expected a list, got ${show(weights)}`;
  const names = new Set<string>();
  const specs: CheckpointTensor[] = [];
  for (const [i, spec] of weights.entries()) {
    const at = `weightsManifest.0.weights.${i}`;
    if (!isRecord(spec)) return `${at}: expected an object, got ${show(spec)}`;
    if (strict && Object.keys(spec).some((key) => key !== 'name' && key !== 'shape' && key !== 'dtype')) return `${at}: expected only name, shape and dtype`;
    if (typeof spec.name !== 'string' || spec.name.length === 0) return `${at}.name: expected a name, got ${show(spec.name)}`;
    if (names.has(spec.name)) return `${at}.name: ${show(spec.name)} appears twice`;
    names.add(spec.name);
    if (!Array.isArray(spec.shape) || spec.shape.length > MAX_RANK || !spec.shape.every((d) => isWhole(d, 2 ** 31 - 1))) return `${at}.shape: expected a list of at most ${MAX_RANK} sizes, got ${show(spec.shape)}`;
    if (spec.dtype !== 'float32') return `${at}.dtype: expected "float32", got ${show(spec.dtype)}`;
    specs.push({ name: spec.name, shape: [...(spec.shape as number[])], dtype: 'float32' });
  }
  if (!isCrc(raw.weightsCrc32)) return `weightsCrc32: expected the CRC-32 of ${WEIGHTS_FILE} (a whole number below 2^32), got ${show(raw.weightsCrc32)}`;
  if (strict && !isCrc(raw.crc32)) return `crc32: expected the CRC-32 of the manifest and ${WEIGHTS_FILE} (a whole number below 2^32), got ${show(raw.crc32)}`;
  return {
    format: CHECKPOINT_FORMAT,
    version: raw.version,
    graph: raw.graph,
    iteration,
    optimizerSteps: { ...(raw.optimizerSteps as Record<string, number>) },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
    weightsCrc32: raw.weightsCrc32,
    ...(strict && { crc32: raw.crc32 as number }),
    ...(raw.structure !== undefined && { structure: raw.structure }),
    ...(raw.optimizerKinds !== undefined && { optimizerKinds: { ...(raw.optimizerKinds as Record<string, string>) } }),
  };
}

/** Compares strings by code point, as Python sorts them (JavaScript's default compares UTF-16 units). */
const byCodePoint = (a: string, b: string): number => {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
  return x.length - y.length;
};

/** A string as JSON with every character outside printable ASCII escaped, as Python's `json.dumps(ensure_ascii=True)` writes it. */
const asciiString = (text: string) => JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** JSON with sorted keys, no spaces, ASCII only: `json.dumps(value, sort_keys=True, separators=(",", ":"))` in Python, byte for byte. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort(byCodePoint);
    return `{${keys.map((key) => `${asciiString(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return typeof value === 'string' ? asciiString(value) : JSON.stringify(value);
}

/** Version 2's `crc32`: the canonical manifest without it, then the weights. */
export function checkpointCrc(manifest: CheckpointManifest, weights: Uint8Array): number {
  const { crc32: _own, ...rest } = manifest;
  return crc32(weights, crc32(new TextEncoder().encode(canonicalJson(rest))));
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE, as zip, PNG and Python's zlib.crc32 compute it); `previous` continues one over more bytes. */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
