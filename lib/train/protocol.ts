import { z } from 'zod';
import type { GraphDoc, TrainingBackend } from '../graph/schema';
import type { EncodedCheckpoint } from './checkpoint';
import type { Diagnosis } from '../runtime/diagnostics';
import { MAX_EVALUATION_SAMPLES } from '../runtime/scores';

/** The messages between the editor (main thread) and the training worker. */

/** A backend the worker can run on, and what a project may ask for (its settings' backend). */
export type BrowserBackend = Exclude<TrainingBackend, 'auto'>;
export const BROWSER_BACKENDS: readonly BrowserBackend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
export type BackendChoice = TrainingBackend;

export const RunSettingsSchema = z.object({
  batchSize: z.number().int().min(1).max(4096),
  iterations: z.number().int().min(1).max(100_000_000),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  sampleEvery: z.number().int().min(1),
  /** Quality scores (absent or every 0: none). */
  evaluation: z.object({ every: z.number().int().min(0), samples: z.number().int().min(2).max(MAX_EVALUATION_SAMPLES) }).optional(),
});
export type RunSettings = z.infer<typeof RunSettingsSchema>;

/** What the worker found: each backend that initialised, with a note (software adapter, threads) and its measured speed. */
export interface BackendProbe {
  name: BrowserBackend;
  available: boolean;
  note?: string;
  /** Milliseconds per training step of the model to train, when measured (Auto's probe). */
  msPerStep?: number;
  /** Milliseconds from creating the program to the end of its first step (compiling its kernels). */
  warmUpMs?: number;
  /** Why it was not measured or not used: a software renderer, too slow to start, an error. */
  reason?: string;
}

export type TrainCommand =
  | { type: 'start'; doc: GraphDoc; settings: RunSettings; backend: BackendChoice; resume?: EncodedCheckpoint; checkpointSeconds: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step' }
  | { type: 'stop' }
  /**
   * A checkpoint now, saved by the worker itself to the run `runId` (the page
   * is being left or hidden: its own thread may be blocked by the leave
   * warning, or about to go). Answered with `checkpoint-saved` or a notice.
   */
  | { type: 'checkpoint'; runId: string }
  | { type: 'interpolate'; from: number; to: number }
  /** Loads a checkpoint without training, to show its samples. */
  | { type: 'inspect'; doc: GraphDoc; checkpoint: EncodedCheckpoint; backend: BackendChoice };

export const RUN_STATUSES = ['running', 'paused', 'completed', 'stopped', 'diverged', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** A run in one of these states has ended: nothing more is written to it. */
export const ENDED: readonly RunStatus[] = ['completed', 'stopped', 'diverged', 'failed'];

/** Values one logged point may carry (its losses, monitors and scores), and the longest name one may have. */
export const MAX_POINT_VALUES = 100;
export const MAX_VALUE_NAME_LENGTH = 200;

/** One logged iteration: every loss, and the monitors when they were measured. */
export const MetricPointSchema = z.object({
  step: z.number().int().min(0),
  values: z.record(z.string(), z.number()).superRefine((values, ctx) => {
    const names = Object.keys(values);
    if (names.length > MAX_POINT_VALUES) ctx.addIssue({ code: 'custom', message: `A point carries at most ${MAX_POINT_VALUES} values; this one has ${names.length}` });
    const long = names.find((name) => name.length === 0 || name.length > MAX_VALUE_NAME_LENGTH);
    if (long !== undefined) ctx.addIssue({ code: 'custom', message: `A value's name is 1 to ${MAX_VALUE_NAME_LENGTH} characters; one here has ${long.length}` });
  }),
});
export type MetricPoint = z.infer<typeof MetricPointSchema>;

export const DiagnosisSchema = z.object({
  id: z.enum(['mode-collapse', 'discriminator-wins', 'posterior-collapse']),
  step: z.number().int().min(0),
  title: z.string().max(200),
  evidence: z.string().max(1000),
  meaning: z.string().max(1000),
  remedy: z.string().max(1000),
}) satisfies z.ZodType<Diagnosis>;

/** Points one report to the server may carry (the training tab reports every few seconds). */
export const MAX_POINTS_PER_REPORT = 10_000;
/** Bytes of points (as JSON, UTF-8) one report may carry. */
export const MAX_REPORT_POINT_BYTES = 2 * 1024 * 1024;

/**
 * A point as the server takes it: at most MAX_POINT_VALUES values, names of at
 * most MAX_VALUE_NAME_LENGTH characters. A graph with more (hundreds of
 * losses, labels longer than the limit) is charted live and stored in part,
 * rather than having every report refused.
 */
export function storablePoint(point: MetricPoint): MetricPoint {
  const entries = Object.entries(point.values);
  if (entries.length <= MAX_POINT_VALUES && entries.every(([name]) => name.length >= 1 && name.length <= MAX_VALUE_NAME_LENGTH)) return point;
  // A cut name keeps its place among the values, so that names alike at the start stay apart (and stay the same from point to point).
  const fit = (name: string, i: number) => (name.length === 0 ? `(${i})` : name.length <= MAX_VALUE_NAME_LENGTH ? name : `${name.slice(0, MAX_VALUE_NAME_LENGTH - 6)}…(${i})`);
  return { step: point.step, values: Object.fromEntries(entries.slice(0, MAX_POINT_VALUES).map(([name, value], i) => [fit(name, i), value])) };
}

/** Bytes that points take as the server stores them (JSON, UTF-8). */
export const pointBytes = (points: readonly MetricPoint[]): number => new TextEncoder().encode(JSON.stringify(points)).byteLength;

/** The first of `points` that one report may carry: at most MAX_POINTS_PER_REPORT, within MAX_REPORT_POINT_BYTES (at least one). */
export function reportChunk(points: readonly MetricPoint[]): MetricPoint[] {
  const chunk: MetricPoint[] = [];
  let bytes = 2;
  for (const point of points.slice(0, MAX_POINTS_PER_REPORT)) {
    bytes += pointBytes([point]) - 1;
    if (chunk.length > 0 && bytes > MAX_REPORT_POINT_BYTES) break;
    chunk.push(point);
  }
  return chunk;
}
/** Grids a run keeps of each kind: enough for 100,000 iterations sampled every 50. */
export const MAX_PICTURES_PER_RUN = 2_000;

/** Every k-th point (k the smallest that fits `target`), always keeping the last. */
export function thinPoints(points: MetricPoint[], target: number): MetricPoint[] {
  if (points.length <= target) return points;
  const stride = Math.ceil(points.length / target);
  const kept = points.filter((_, i) => i % stride === 0);
  if (kept.at(-1) !== points.at(-1)) kept[kept.length - 1] = points.at(-1)!;
  return kept;
}

export interface Picture {
  /** A PNG of the grid. */
  png: Blob;
  step: number;
  index: number;
}

/** What a sampler generates for: the sample grid, or the quality scores' batch. */
export type SamplingWork = 'samples' | 'scores';

export type TrainEvent =
  | { type: 'backend'; backend: BrowserBackend; probes: BackendProbe[] }
  /** `scoreNames`: the quality scores this run charts (none when it is not scored), `scoreNote` what they compare or why there are none. */
  | { type: 'started'; lossNames: string[]; monitorNames: string[]; scoreNames: string[]; scoreNote?: string; iteration: number; total: number }
  /** A failure mode recognised (said once per run). */
  | { type: 'diagnosis'; diagnosis: Diagnosis }
  | { type: 'progress'; iteration: number; points: MetricPoint[]; itPerSec: number; seconds: number }
  | { type: 'picture'; kind: 'samples' | 'reconstructions'; picture: Picture }
  /** How far a sampler has got (a diffusion model's grid or scores take many passes of its network); 1 when done. */
  | { type: 'sampling'; what: SamplingWork; fraction: number }
  | { type: 'interpolation'; png: Blob }
  /** Something the user should know that does not change the run (a preview that failed). */
  | { type: 'notice'; message: string }
  | { type: 'checkpoint'; checkpoint: EncodedCheckpoint }
  /** A checkpoint asked for with the `checkpoint` command, saved by the worker. */
  | { type: 'checkpoint-saved'; id: string; iteration: number }
  | { type: 'status'; status: RunStatus; message?: string; iteration: number };
