import { PNG } from 'pngjs';
import { z } from 'zod';
import { loadGraphDoc } from '../graph/migrations';
import type { GraphDoc } from '../graph/schema';
import { ok } from '../result';
import { parseCheckpoint, type EncodedCheckpoint } from '../train/checkpoint';
import type { Diagnosis } from '../runtime/diagnostics';
import { DiagnosisSchema, ENDED, MAX_PICTURES_PER_RUN, MAX_POINTS_PER_REPORT, MAX_REPORT_POINT_BYTES, MetricPointSchema, pointBytes, thinPoints, RUN_STATUSES, RunSettingsSchema, type MetricPoint, type RunSettings, type RunStatus } from '../train/protocol';
import { averageItPerSec } from '../train/speed';
import { db } from './client';
import { ended, invalid, notFound, type DataResult } from './errors';
import { ownProjects, ownRuns, type Owner } from './owner';

/**
 * Training runs of a project: what was trained and how, the logged points,
 * the pictures and checkpoints. The tab training a run is its only writer;
 * it reports at least every few seconds, and a run not heard from for
 * STALE_SECONDS is marked interrupted (a closed tab, a crashed browser).
 * An ended run accepts no more writes.
 */
/** Longer than a hidden tab's throttled timers (about one a minute in Chrome). */
export const STALE_SECONDS = 180;
/** Checkpoints kept per run: the newest ones (the final one is the newest). */
export const CHECKPOINTS_KEPT = 3;
const MAX_PICTURE_BYTES = 2 * 1024 * 1024;
/** Logged points kept per run: past it, every other point is dropped (the chart shows the whole run, coarser). */
export const MAX_STORED_POINTS = 20_000;
/** Bytes of points (JSON) kept per run, whatever their count: past it they are thinned the same way, to half of it. */
export const MAX_RUN_POINT_BYTES = 16 * 1024 * 1024;
/** Diagnoses a run keeps. */
const MAX_DIAGNOSES = 10;
/** Runs kept per project. */
export const MAX_RUNS_PER_PROJECT = 1_000;
/** Sample grids are small: 4x4 images of 28x28 (or x beside P(Q(x))): a picture larger than this is not one. */
const MAX_PICTURE_SIDE = 2048;
/** A PNG's signature, then its first chunk's length (13) and type (IHDR). */
const PNG_START = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

export interface RunSummary {
  id: string;
  number: number;
  status: RunStatus;
  message: string | null;
  backend: string;
  settings: RunSettings;
  iteration: number;
  itPerSec: number | null;
  seconds: number;
  series: string[];
  resumedFrom: string | null;
  /** The iteration it started from: 0, or its checkpoint's when resumed. */
  startIteration: number;
  /** Iterations per second over the whole run (training time, pauses excluded). */
  averageItPerSec: number | null;
  /** The latest quality scores, by name, and the iteration they were taken at (null before the first). */
  scores: MetricPoint | null;
  /** What the scores compare (or why the run has none). */
  scoreNote: string | null;
  /** Failure modes recognised during the run, in order. */
  diagnoses: Diagnosis[];
  createdAt: Date;
  updatedAt: Date;
}

export interface RunDetail extends RunSummary {
  graph: GraphDoc;
  points: MetricPoint[];
  pictures: { kind: PictureKind; index: number; step: number }[];
  checkpoints: { id: string; iteration: number; createdAt: Date }[];
}

export type PictureKind = 'samples' | 'reconstructions';

const Id = z.string().min(1).max(100);
const NotFound = 'This run does not exist (it may have been deleted)';

type Row = Awaited<ReturnType<ReturnType<typeof db>['run']['findUniqueOrThrow']>>;

const summary = (row: Row): RunSummary => ({
  id: row.id,
  number: row.number,
  status: row.status as RunStatus,
  message: row.message,
  backend: row.backend,
  settings: JSON.parse(row.settings) as RunSettings,
  iteration: row.iteration,
  itPerSec: row.itPerSec,
  seconds: row.seconds,
  series: JSON.parse(row.series) as string[],
  resumedFrom: row.resumedFrom,
  startIteration: row.startIteration,
  averageItPerSec: averageItPerSec(row),
  scores: row.scores ? (JSON.parse(row.scores) as MetricPoint) : null,
  scoreNote: row.scoreNote,
  diagnoses: JSON.parse(row.diagnoses) as Diagnosis[],
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

/** A path segment as a message shows it: a value's name may be long, and a message is one short line. */
const segment = (part: PropertyKey) => {
  const text = JSON.stringify(String(part)).slice(1, -1);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

const issue = (error: z.ZodError) => {
  const first = error.issues[0]!;
  return `${first.path.map(segment).join('.') || 'request'}: ${first.message}`;
};

const CreateInput = z.object({
  graph: z.unknown(),
  settings: RunSettingsSchema,
  backend: z.string().min(1).max(40),
  series: z.array(z.string().max(200)).max(100).default([]),
  resumedFrom: Id.optional(),
  startIteration: z.number().int().min(0).default(0),
  scoreNote: z.string().max(1000).optional(),
});

export async function createRun(owner: Owner, projectId: unknown, input: unknown): Promise<DataResult<RunSummary>> {
  const project = Id.safeParse(projectId);
  if (!project.success) return invalid('Not a project id');
  const parsed = CreateInput.safeParse(input);
  if (!parsed.success) return invalid(issue(parsed.error));
  const graph = loadGraphDoc(parsed.data.graph);
  if (!graph.ok) return invalid(`graph: ${graph.error}`);
  const { settings, backend, series, resumedFrom, startIteration, scoreNote } = parsed.data;
  return db().$transaction(async (tx) => {
    if (!(await tx.project.findFirst({ where: { id: project.data, ...ownProjects(owner) }, select: { id: true } }))) return notFound('This project does not exist (it may have been deleted)');
    const count = await tx.run.count({ where: { projectId: project.data } });
    if (count >= MAX_RUNS_PER_PROJECT) return invalid(`This project has ${count} runs, the most one project keeps: duplicate the project to train further`);
    const last = await tx.run.findFirst({ where: { projectId: project.data }, orderBy: { number: 'desc' }, select: { number: true } });
    const row = await tx.run.create({
      data: {
        projectId: project.data,
        number: (last?.number ?? 0) + 1,
        graph: JSON.stringify(graph.value),
        settings: JSON.stringify(settings),
        backend,
        status: 'running',
        series: JSON.stringify(series),
        resumedFrom,
        startIteration,
        iteration: startIteration,
        scoreNote,
      },
    });
    return ok(summary(row));
  });
}

/** The project's runs, newest first; runs whose tab went quiet are marked interrupted first. */
export async function listRuns(owner: Owner, projectId: unknown): Promise<DataResult<RunSummary[]>> {
  const project = Id.safeParse(projectId);
  if (!project.success) return invalid('Not a project id');
  if (!(await db().project.findFirst({ where: { id: project.data, ...ownProjects(owner) }, select: { id: true } }))) return notFound('This project does not exist (it may have been deleted)');
  await markInterrupted({ projectId: project.data });
  const rows = await db().run.findMany({ where: { projectId: project.data }, orderBy: { number: 'desc' } });
  return ok(rows.map(summary));
}

export async function getRun(owner: Owner, runId: unknown): Promise<DataResult<RunDetail>> {
  const id = Id.safeParse(runId);
  if (!id.success) return invalid('Not a run id');
  await markInterrupted({ id: id.data, ...ownRuns(owner) });
  const row = await db().run.findFirst({
    where: { id: id.data, ...ownRuns(owner) },
    include: {
      metrics: { orderBy: { seq: 'asc' } },
      pictures: { orderBy: { index: 'asc' }, select: { kind: true, index: true, step: true } },
      checkpoints: { orderBy: { iteration: 'asc' }, select: { id: true, iteration: true, createdAt: true } },
    },
  });
  if (!row) return notFound(NotFound);
  const graph = loadGraphDoc(row.graph);
  if (!graph.ok) return invalid(`The run's graph cannot be read: ${graph.error}`);
  return ok({
    ...summary(row),
    graph: graph.value,
    points: row.metrics.flatMap((m) => JSON.parse(m.points) as MetricPoint[]),
    pictures: row.pictures.map((p) => ({ ...p, kind: p.kind as PictureKind })),
    checkpoints: row.checkpoints,
  });
}

const UpdateInput = z.object({
  status: z.enum(RUN_STATUSES).exclude(['interrupted']).optional(),
  message: z.string().max(2000).optional(),
  iteration: z.number().int().min(0),
  itPerSec: z.number().min(0).optional(),
  seconds: z.number().min(0).optional(),
  backend: z.string().min(1).max(40).optional(),
  series: z.array(z.string().max(200)).max(100).optional(),
  points: z.array(MetricPointSchema).max(MAX_POINTS_PER_REPORT, `A report carries at most ${MAX_POINTS_PER_REPORT} points`).default([]),
  /** The latest quality scores. */
  scores: MetricPointSchema.optional(),
  /** Diagnoses recognised since the last report (each kind is kept once). */
  diagnoses: z.array(DiagnosisSchema).max(MAX_DIAGNOSES).default([]),
});

/**
 * The training tab's report: new points (appended), progress, maybe a new
 * status. Doubles as the heartbeat. Refused once the run has ended, so a
 * late or repeated request cannot reopen it.
 */
export async function updateRun(owner: Owner, runId: unknown, input: unknown): Promise<DataResult<RunSummary>> {
  const id = Id.safeParse(runId);
  if (!id.success) return invalid('Not a run id');
  const parsed = UpdateInput.safeParse(input);
  if (!parsed.success) return invalid(issue(parsed.error));
  const { points, series, scores, diagnoses, ...fields } = parsed.data;
  const bytes = points.length ? pointBytes(points) : 0;
  if (bytes > MAX_REPORT_POINT_BYTES) return invalid(`points: ${bytes} bytes of points in one report; a report carries at most ${MAX_REPORT_POINT_BYTES}`);
  return db().$transaction(async (tx) => {
    const row = await tx.run.findFirst({ where: { id: id.data, ...ownRuns(owner) }, select: { status: true, pointCount: true, pointBytes: true, diagnoses: true } });
    if (!row) return notFound(NotFound);
    if (ENDED.includes(row.status as RunStatus)) return ended(`Run already ${row.status}: nothing more is recorded`);
    let { pointCount, pointBytes: storedBytes } = row;
    if (points.length) {
      const last = await tx.runMetrics.findFirst({ where: { runId: id.data }, orderBy: { seq: 'desc' }, select: { seq: true } });
      const seq = (last?.seq ?? -1) + 1;
      if (pointCount + points.length <= MAX_STORED_POINTS && storedBytes + bytes <= MAX_RUN_POINT_BYTES) {
        await tx.runMetrics.create({ data: { runId: id.data, seq, points: JSON.stringify(points) } });
        pointCount += points.length;
        storedBytes += bytes;
      } else {
        // Over a limit: the run's points so far and these, thinned to half of it (count and bytes), become one batch.
        const stored = await tx.runMetrics.findMany({ where: { runId: id.data }, orderBy: { seq: 'asc' }, select: { points: true } });
        const all = [...stored.flatMap((m) => JSON.parse(m.points) as MetricPoint[]), ...points];
        const fitting = Math.floor((all.length * MAX_RUN_POINT_BYTES) / 2 / Math.max(1, storedBytes + bytes));
        const kept = thinPoints(all, Math.max(1, Math.min(MAX_STORED_POINTS / 2, fitting)));
        const text = JSON.stringify(kept);
        await tx.runMetrics.deleteMany({ where: { runId: id.data } });
        await tx.runMetrics.create({ data: { runId: id.data, seq, points: text } });
        pointCount = kept.length;
        storedBytes = Buffer.byteLength(text);
      }
    }
    const updated = await tx.run.update({
      where: { id: id.data },
      data: {
        ...fields,
        ...(series && { series: JSON.stringify(series) }),
        ...(scores && { scores: JSON.stringify(scores) }),
        ...(diagnoses.length && { diagnoses: JSON.stringify(mergeDiagnoses(JSON.parse(row.diagnoses) as Diagnosis[], diagnoses)) }),
        pointCount,
        pointBytes: storedBytes,
        heartbeatAt: new Date(),
      },
    });
    return ok(summary(updated));
  });
}

/** Each kind of diagnosis once, the first time it was recognised. */
function mergeDiagnoses(stored: Diagnosis[], added: Diagnosis[]): Diagnosis[] {
  const seen = new Set(stored.map((d) => d.id));
  return [...stored, ...added.filter((d) => !seen.has(d.id) && seen.add(d.id))].slice(0, MAX_DIAGNOSES);
}

/**
 * Called as the tab closes (a beacon), or by the page that replaced it: the
 * closing page's last report, when it sent one (its points since its last
 * report, its progress: as a report, its status aside), is recorded, then a
 * run still going is marked interrupted at once, in that order. A report
 * that cannot be recorded does not keep the run from being marked.
 */
export async function interruptRun(owner: Owner, runId: unknown, lastReport?: unknown): Promise<DataResult<true>> {
  const id = Id.safeParse(runId);
  if (!id.success) return invalid('Not a run id');
  // A run that ended on the page (stopped) before its last report was saved ends as it did; any other leaves interrupted.
  const report = typeof lastReport === 'object' && lastReport !== null ? (lastReport as { status?: unknown }) : undefined;
  const endedThere = report !== undefined && ENDED.includes(report.status as RunStatus);
  if (endedThere) {
    const recorded = await updateRun(owner, id.data, lastReport);
    return recorded.ok || recorded.error.kind === 'ended' ? ok(true) : recorded;
  }
  const recorded = lastReport === undefined ? ok(true) : await updateRun(owner, id.data, report ? { ...report, status: undefined, message: undefined } : lastReport);
  await db().run.updateMany({
    where: { id: id.data, ...ownRuns(owner), status: { in: ['running', 'paused'] } },
    data: { status: 'interrupted', message: 'The page training this run was closed' },
  });
  return recorded.ok || recorded.error.kind === 'ended' ? ok(true) : recorded;
}

async function markInterrupted(where: { id?: string; projectId?: string; project?: ReturnType<typeof ownProjects> }) {
  await db().run.updateMany({
    where: { ...where, status: { in: ['running', 'paused'] }, heartbeatAt: { lt: new Date(Date.now() - STALE_SECONDS * 1000) } },
    data: { status: 'interrupted', message: `No word from the training page for ${STALE_SECONDS} s (closed or crashed); the last checkpoint is kept` },
  });
}

const PictureInput = z.object({
  kind: z.enum(['samples', 'reconstructions']),
  index: z.number().int().min(0).max(MAX_PICTURES_PER_RUN - 1, `A run keeps at most ${MAX_PICTURES_PER_RUN} grids of each kind: sample less often`),
  step: z.number().int().min(0),
});

export async function addPicture(owner: Owner, runId: unknown, meta: unknown, png: Uint8Array): Promise<DataResult<true>> {
  const id = Id.safeParse(runId);
  if (!id.success) return invalid('Not a run id');
  const parsed = PictureInput.safeParse(meta);
  if (!parsed.success) return invalid(issue(parsed.error));
  if (png.byteLength > MAX_PICTURE_BYTES) return invalid(`picture: ${png.byteLength} bytes is over the ${MAX_PICTURE_BYTES}-byte limit`);
  const problem = pngProblem(png);
  if (problem) return invalid(`picture: ${problem}`);
  const run = await db().run.findFirst({ where: { id: id.data, ...ownRuns(owner) }, select: { status: true } });
  if (!run) return notFound(NotFound);
  if (ENDED.includes(run.status as RunStatus)) return ended(`Run already ${run.status}: nothing more is recorded`);
  const { kind, index, step } = parsed.data;
  const bytes = new Uint8Array(png);
  await db().runPicture.upsert({
    where: { runId_kind_index: { runId: id.data, kind, index } },
    create: { runId: id.data, kind, index, step, png: bytes },
    update: { step, png: bytes },
  });
  return ok(true);
}

export async function getPicture(owner: Owner, runId: unknown, kind: unknown, index: unknown): Promise<DataResult<Uint8Array>> {
  const id = Id.safeParse(runId);
  const parsed = PictureInput.pick({ kind: true, index: true }).safeParse({ kind, index });
  if (!id.success || !parsed.success) return invalid('A picture is named by run, kind (samples or reconstructions) and index');
  const row = await db().runPicture.findFirst({ where: { runId: id.data, ...parsed.data, run: ownRuns(owner) } });
  return row ? ok(new Uint8Array(row.png)) : notFound(`Run has no ${parsed.data.kind} picture ${parsed.data.index}`);
}

/** Stores a checkpoint after checking its manifest and weights agree; keeps the newest CHECKPOINTS_KEPT. */
export async function addCheckpoint(owner: Owner, runId: unknown, manifest: unknown, weights: Uint8Array): Promise<DataResult<{ id: string; iteration: number }>> {
  const id = Id.safeParse(runId);
  if (!id.success) return invalid('Not a run id');
  const checkpoint = parseCheckpoint(manifest, weights);
  if (!checkpoint.ok) return invalid(checkpoint.error);
  const iteration = checkpoint.value.manifest.iteration;
  return db().$transaction(async (tx) => {
    const run = await tx.run.findFirst({ where: { id: id.data, ...ownRuns(owner) }, select: { status: true } });
    if (!run) return notFound(NotFound);
    if (ENDED.includes(run.status as RunStatus)) return ended(`Run already ${run.status}: nothing more is recorded`);
    const row = await tx.checkpoint.create({
      data: { runId: id.data, iteration, manifest: JSON.stringify(checkpoint.value.manifest), weights: new Uint8Array(weights) },
    });
    const old = await tx.checkpoint.findMany({ where: { runId: id.data }, orderBy: [{ iteration: 'desc' }, { createdAt: 'desc' }], skip: CHECKPOINTS_KEPT, select: { id: true } });
    if (old.length) await tx.checkpoint.deleteMany({ where: { id: { in: old.map((c) => c.id) } } });
    return ok({ id: row.id, iteration });
  });
}

export async function getCheckpoint(owner: Owner, checkpointId: unknown): Promise<DataResult<EncodedCheckpoint & { runId: string; runNumber: number; projectName: string }>> {
  const id = Id.safeParse(checkpointId);
  if (!id.success) return invalid('Not a checkpoint id');
  const row = await db().checkpoint.findFirst({ where: { id: id.data, run: ownRuns(owner) }, include: { run: { select: { number: true, project: { select: { name: true } } } } } });
  if (!row) return notFound('This checkpoint does not exist (only the newest few of each run are kept)');
  const parsed = parseCheckpoint(row.manifest, new Uint8Array(row.weights));
  if (!parsed.ok) return invalid(parsed.error);
  return ok({ ...parsed.value, runId: row.runId, runNumber: row.run.number, projectName: row.run.project.name });
}

/** Why these bytes are not a picture this app drew: undefined when they decode as a PNG of a sensible size. */
function pngProblem(bytes: Uint8Array): string | undefined {
  // The size from the header (IHDR, always first) before decoding, so that a small file cannot inflate to gigabytes.
  if (bytes.byteLength < 24 || !PNG_START.equals(bytes.subarray(0, PNG_START.length))) return 'not a valid PNG file (no PNG header)';
  const header = new DataView(bytes.buffer, bytes.byteOffset, 24);
  const [width, height] = [header.getUint32(16), header.getUint32(20)];
  if (width > MAX_PICTURE_SIDE || height > MAX_PICTURE_SIDE) return `${width}x${height} is larger than ${MAX_PICTURE_SIDE}x${MAX_PICTURE_SIDE}`;
  try {
    PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return undefined;
  } catch (error) {
    return `not a valid PNG file (${(error as Error).message})`;
  }
}
