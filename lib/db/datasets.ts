import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { z } from 'zod';
import { readDatasetSplit, writeDatasetFolder, type WrittenDataset } from '../data/folder';
import { importFiles, type ImportOptions, type InputFile } from '../data/import';
import { ImportError } from '../data/import/files';
import { DATASET_LIMITS, type ImportLimits } from '../data/limits';
import { datasetsUsed } from '../graph/datasets';
import { loadGraphDoc } from '../graph/migrations';
import type { GraphDoc } from '../graph/schema';
import { choiceChannels, MNIST_CHOICE, type DatasetChoice } from '../kinds/common';
import { ok } from '../result';
import type { DatasetRef, InMemoryDataset } from '../runtime/dataset';
import type { DatasetManifest } from '../runtime/dataset-folder';
import { db } from './client';
import { invalid, notFound, type DataResult } from './errors';
import { ownProjects, type Owner } from './owner';
import { folderOf, partOf } from './dataset-files';

/**
 * The owner's dataset library: a row per dataset (what it is, for lists and
 * the editor) and a folder of files per dataset (its arrays, see
 * lib/data/folder.ts). An import is checked whole before anything is stored
 * and stored all or nothing; a dataset a saved graph reads cannot be deleted.
 */
export interface DatasetStats {
  classNames: string[] | null;
  classCounts: { train: number[]; test?: number[] };
  /** Darkest and brightest pixel, 0-255. */
  range: [number, number];
  /** What the import assumed or did to the data (a scaled range, a guessed label column, transparency), in words; absent on datasets imported before notes were kept. */
  notes?: string[];
}

export interface DatasetSummary {
  id: string;
  name: string;
  format: string;
  source: string;
  height: number;
  width: number;
  channels: number;
  classes: number;
  trainCount: number;
  testCount: number;
  bytes: number;
  stats: DatasetStats;
  createdAt: Date;
}

const GONE = 'This dataset does not exist (it may have been deleted)';
const Name = z.string().trim().min(1, 'A dataset needs a name').max(200, 'Names are at most 200 characters');
const Id = z.string().regex(/^[a-z0-9]{1,64}$/, 'Not a dataset id');

type Row = Omit<DatasetSummary, 'stats'> & { stats: string };
const summary = (row: Row): DatasetSummary => ({ ...row, stats: JSON.parse(row.stats) as DatasetStats });

/** What the dataset node's `dataset` param holds: enough for shapes, without a database. */
export const datasetChoice = (d: DatasetSummary): DatasetChoice => ({
  id: d.id,
  name: d.name,
  height: d.height,
  width: d.width,
  channels: choiceChannels(d.channels),
  classes: d.classes,
  train: d.trainCount,
  test: d.testCount,
});

export interface ImportInput {
  name: unknown;
  files: readonly InputFile[];
  options?: ImportOptions;
  /** The app's limits by default; the CLI imports with those of the user's own disk. */
  limits?: ImportLimits;
}

export async function importDataset(owner: Owner, input: ImportInput): Promise<DataResult<DatasetSummary>> {
  const name = Name.safeParse(input.name);
  if (!name.success) return invalid(name.error.issues[0]!.message);
  const count = await db().dataset.count({ where: ownProjects(owner) });
  if (count >= DATASET_LIMITS.perOwner) return invalid(`${count} datasets, the most one library keeps: delete some first`);
  const imported = await importFiles(input.files, input.options, input.limits);
  if (!imported.ok) return invalid(imported.error);
  const { splits, classNames, format, notes } = imported.value;
  const train = splits.train;
  const manifest: DatasetManifest = {
    format: 'netloom-dataset',
    version: 1,
    name: name.data,
    height: train.height,
    width: train.width,
    channels: train.channels,
    classes: train.classes,
    ...(classNames ? { classNames } : {}),
    splits: { train: train.count, ...(splits.test ? { test: splits.test.count } : {}) },
  };
  const source = describeSource(input.files);
  // The files under a temporary name, then the row, then the rename into place (see dataset-files.ts: a kill at any point is finished or rolled back at start).
  const id = randomBytes(12).toString('hex');
  const part = partOf(id);
  let written: WrittenDataset;
  try {
    written = await writeDatasetFolder(part, manifest, splits);
  } catch (error) {
    if (error instanceof ImportError) return invalid(/^cannot be stored/.test(error.message) ? `${source}: ${error.message}` : error.message);
    throw error;
  }
  const stats: DatasetStats = { classNames: classNames ?? null, classCounts: written.classCounts, range: written.range, notes };
  try {
    const row = await db().dataset.create({
      data: {
        id,
        ownerId: owner.userId,
        name: name.data,
        format,
        source,
        height: train.height,
        width: train.width,
        channels: train.channels,
        classes: train.classes,
        trainCount: train.count,
        testCount: splits.test?.count ?? 0,
        stats: JSON.stringify(stats),
        bytes: written.bytes,
      },
    });
    await rename(part, folderOf(id));
    return ok(summary(row));
  } catch (error) {
    await db().dataset.deleteMany({ where: { id } }).catch(() => undefined);
    await rm(part, { recursive: true, force: true });
    throw error;
  }
}

function describeSource(files: readonly InputFile[]): string {
  const roots = [...new Set(files.map((f) => f.path.split('/')[0]!))];
  const text = roots.length <= 4 ? roots.join(', ') : `${roots.slice(0, 3).join(', ')} and ${roots.length - 3} more`;
  return text.slice(0, 500);
}

export async function listDatasets(owner: Owner): Promise<DatasetSummary[]> {
  const rows = await db().dataset.findMany({ where: ownProjects(owner), orderBy: { createdAt: 'desc' } });
  return rows.map(summary);
}

/**
 * The owner's datasets named `name` (as given at import, or renamed since):
 * those named exactly so, or else those whose names differ only in case and
 * surrounding spaces. Several is for the caller to refuse as ambiguous.
 */
export async function datasetsNamed(owner: Owner, name: string): Promise<DatasetSummary[]> {
  const all = await listDatasets(owner);
  const exact = all.filter((d) => d.name === name);
  if (exact.length > 0) return exact;
  const loose = name.trim().toLocaleLowerCase();
  return all.filter((d) => d.name.trim().toLocaleLowerCase() === loose);
}

export async function getDataset(owner: Owner, id: unknown): Promise<DataResult<DatasetSummary>> {
  const parsed = Id.safeParse(id);
  if (!parsed.success) return invalid('Not a dataset id');
  const row = await db().dataset.findFirst({ where: { id: parsed.data, ...ownProjects(owner) } });
  return row ? ok(summary(row)) : notFound(GONE);
}

export async function renameDataset(owner: Owner, id: unknown, name: unknown): Promise<DataResult<DatasetSummary>> {
  const parsedName = Name.safeParse(name);
  if (!parsedName.success) return invalid(parsedName.error.issues[0]!.message);
  const found = await getDataset(owner, id);
  if (!found.ok) return found;
  return ok(summary(await db().dataset.update({ where: { id: found.value.id }, data: { name: parsedName.data } })));
}

/** Deletes a dataset and its files; refused while a saved graph of the owner's reads it, naming the project. */
export async function deleteDataset(owner: Owner, id: unknown): Promise<DataResult<true>> {
  const found = await getDataset(owner, id);
  if (!found.ok) return found;
  const users = await projectsUsing(owner, found.value.id);
  if (users.length > 0) {
    return invalid(`"${found.value.name}" is used by ${users.map((n) => `"${n}"`).join(', ')}: change ${users.length === 1 ? 'its' : 'their'} data nodes first`);
  }
  // The folder moves aside first, then the row goes, then the folder (a kill in between is finished or undone at start).
  const aside = partOf(found.value.id);
  const moved = await rename(folderOf(found.value.id), aside).then(() => true, () => false);
  const deleted = await db().dataset.deleteMany({ where: { id: found.value.id, ...ownProjects(owner) } });
  if (deleted.count === 0) {
    if (moved) await rename(aside, folderOf(found.value.id));
    return notFound(GONE);
  }
  await rm(aside, { recursive: true, force: true });
  return ok(true);
}

async function projectsUsing(owner: Owner, id: string): Promise<string[]> {
  const projects = await db().project.findMany({ where: ownProjects(owner), select: { name: true, graph: true } });
  return projects.filter((p) => p.graph.includes(id)).flatMap((p) => {
    const doc = loadGraphDoc(p.graph);
    return doc.ok && datasetsUsed(doc.value).some((ref) => ref.id === id) ? [p.name] : [];
  });
}

/** The folder of one of the owner's datasets, for reading its files (the browser's training, exports). */
export async function datasetFolder(owner: Owner, id: unknown): Promise<DataResult<string>> {
  const found = await getDataset(owner, id);
  return found.ok ? ok(folderOf(found.value.id)) : found;
}

/** One split of one of the owner's datasets, loaded and checked. */
export async function loadDataset(owner: Owner, ref: DatasetRef): Promise<DataResult<InMemoryDataset>> {
  const folder = await datasetFolder(owner, ref.id);
  if (!folder.ok) return folder;
  return ok(await readDatasetSplit(folder.value, ref.split));
}

/** The folders of the library datasets a graph reads, each checked to be the owner's; an error names the one that is not. */
export async function datasetFolders(owner: Owner, doc: GraphDoc): Promise<DataResult<Record<string, string>>> {
  const folders: Record<string, string> = {};
  for (const ref of datasetsUsed(doc)) {
    if (ref.id === MNIST_CHOICE.id || folders[ref.id]) continue;
    const folder = await datasetFolder(owner, ref.id);
    if (!folder.ok) return notFound(`The graph reads dataset ${ref.id}, which is not in your library (deleted, or imported elsewhere): choose another in its data node`);
    folders[ref.id] = folder.value;
  }
  return ok(folders);
}
