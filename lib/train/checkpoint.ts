import type * as tfjs from '@tensorflow/tfjs';
import { unzipSync, zipSync, strToU8, strFromU8 } from 'fflate';
import { z } from 'zod';
import type { ProgramState } from '../compile/program';
import type { TF } from '../kinds/kind';
import { err, ok, type Result } from '../result';

/**
 * Checkpoints in the tfjs weights format: a JSON manifest whose
 * `weightsManifest` lists every tensor's name, shape and dtype, and one
 * binary file with their values in that order. The manifest also records
 * the iteration and each optimizer's update count, so a resumed run's weights
 * and optimizers continue exactly where they were.
 */
export const CHECKPOINT_FORMAT = 'netloom-checkpoint';
export const MANIFEST_FILE = 'checkpoint.json';
export const WEIGHTS_FILE = 'weights.bin';

const WeightSpec = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().min(0)),
  dtype: z.literal('float32'),
});

export const CheckpointManifestSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(1),
  /** The graph's name, for people reading the file. */
  graph: z.string(),
  iteration: z.number().int().min(0),
  optimizerSteps: z.record(z.string(), z.number().int().min(0)),
  weightsManifest: z.tuple([z.object({ paths: z.tuple([z.literal(WEIGHTS_FILE)]), weights: z.array(WeightSpec) })]),
});
export type CheckpointManifest = z.infer<typeof CheckpointManifestSchema>;

export interface EncodedCheckpoint {
  manifest: CheckpointManifest;
  weights: Uint8Array;
}

export async function encodeCheckpoint(tf: TF, graph: string, state: ProgramState): Promise<EncodedCheckpoint> {
  const named = Object.fromEntries(state.tensors);
  const { data, specs } = await tf.io.encodeWeights(named);
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: 1,
    graph,
    iteration: state.iteration,
    optimizerSteps: { ...state.optimizerSteps },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs.map(({ name, shape }) => ({ name, shape, dtype: 'float32' as const })) }],
  };
  return { manifest, weights: new Uint8Array(data) };
}

/** Checks a manifest and its weights file agree; the error names what is wrong. */
export function parseCheckpoint(manifestJson: unknown, weights: Uint8Array): Result<EncodedCheckpoint> {
  let raw = manifestJson;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return err(`${MANIFEST_FILE} is not JSON`);
    }
  }
  const parsed = CheckpointManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return err(`${MANIFEST_FILE}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  const expected = parsed.data.weightsManifest[0].weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (expected !== weights.byteLength) return err(`${WEIGHTS_FILE} has ${weights.byteLength} bytes; ${MANIFEST_FILE} describes ${expected}`);
  return ok({ manifest: parsed.data, weights });
}

/** Tensors for TrainingProgram.restore; the caller disposes them. */
export function decodeCheckpoint(tf: TF, { manifest, weights }: EncodedCheckpoint): ProgramState {
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const tensors = tf.io.decodeWeights(buffer, manifest.weightsManifest[0].weights as tfjs.io.WeightsManifestEntry[]);
  return { iteration: manifest.iteration, tensors: new Map(Object.entries(tensors)), optimizerSteps: manifest.optimizerSteps };
}

/** One zip with both files: what the app downloads and accepts back. */
export function zipCheckpoint({ manifest, weights }: EncodedCheckpoint): Uint8Array {
  return zipSync({ [MANIFEST_FILE]: strToU8(`${JSON.stringify(manifest, null, 2)}\n`), [WEIGHTS_FILE]: weights }, { level: 0 });
}

export function unzipCheckpoint(zip: Uint8Array): Result<EncodedCheckpoint> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch {
    return err('The checkpoint is not a zip file');
  }
  const manifest = files[MANIFEST_FILE];
  const weights = files[WEIGHTS_FILE];
  if (!manifest || !weights) return err(`A checkpoint zip holds ${MANIFEST_FILE} and ${WEIGHTS_FILE}; this one has ${Object.keys(files).join(', ') || 'nothing'}`);
  return parseCheckpoint(strFromU8(manifest), weights);
}
