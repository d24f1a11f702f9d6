import { stat } from 'node:fs/promises';
import path from 'node:path';
import { readDatasetManifest } from '../lib/data/folder';
import { collect, importFiles } from '../lib/data/import';
import { readInputFiles } from '../lib/data/import/read';
import { nodeData } from '../lib/data/node';
import { MANIFEST_FILE, type DatasetManifest } from '../lib/runtime/dataset-folder';
import { choiceChannels, type DatasetChoice } from '../lib/kinds/common';
import { datasetsDir } from '../lib/db/url';
import { err, ok, type Result } from '../lib/result';
import { memoryDataset, type DataProvider } from '../lib/runtime/dataset';

/** What `--dataset` resolved to: the choice the graph's dataset nodes take, and where its files are read. */
export interface DatasetArg {
  choice: DatasetChoice;
  data: DataProvider;
}

const choiceOf = (id: string, m: DatasetManifest): DatasetChoice => ({
  id,
  name: m.name,
  height: m.height,
  width: m.width,
  channels: choiceChannels(m.channels),
  classes: m.classes,
  train: m.splits.train,
  test: m.splits.test ?? 0,
});

/**
 * `--dataset` takes the id of a dataset in the library (data/datasets/ID), a
 * dataset folder (dataset.json beside IDX files, as exports carry them), any
 * file or folder that `npm run data -- import` takes (read in memory with
 * the same checks and not stored), or the name of a dataset in local mode's
 * library (refused, with the ids, when several have it). A path that exists
 * is read as a path: a name never shadows a file.
 */
export async function resolveDatasetArg(arg: string): Promise<Result<DatasetArg>> {
  const library = path.join(datasetsDir(), arg);
  for (const dir of /^[a-z0-9]{1,64}$/.test(arg) ? [library, arg] : [arg]) {
    const found = await fromFolder(arg, dir, dir === library ? arg : undefined);
    if (found) return found;
  }
  const exists = await stat(arg).then(() => true, () => false);
  if (!exists) {
    let named: Awaited<ReturnType<typeof libraryNamed>>;
    try {
      named = await libraryNamed(arg);
    } catch (error) {
      return err(`--dataset ${arg}: no such file or folder, and the library's database could not be read to look for a dataset of that name (${(error as Error).message.split('\n')[0]})`);
    }
    if (named.length > 1) {
      const list = named.map((d) => `${d.id} (${d.height}x${d.width}x${d.channels}, ${d.trainCount + d.testCount} items, imported ${d.createdAt.toISOString().slice(0, 16).replace('T', ' ')})`);
      return err(`--dataset ${arg}: ${named.length} datasets in the library are named "${arg}": ${list.join(', ')}; give the id of the one to train on`);
    }
    if (named.length === 1) {
      const id = named[0]!.id;
      return (await fromFolder(arg, path.join(datasetsDir(), id), id)) ?? err(`--dataset ${arg}: dataset ${id} has no files in ${datasetsDir()} (npm run data -- list shows the library)`);
    }
  }
  const files = await readInputFiles(arg).then(ok, (error: Error) => err(error.message));
  if (!files.ok) return err(`--dataset ${arg}: not a dataset's id or name in the library (${datasetsDir()}), nor a dataset folder, nor data to import (${files.error})`);
  const imported = await importFiles(files.value);
  if (!imported.ok) return err(`--dataset ${arg}: ${imported.error}`);
  const { splits, classNames } = imported.value;
  const manifest: DatasetManifest = {
    format: 'netloom-dataset',
    version: 1,
    name: path.basename(arg),
    height: splits.train.height,
    width: splits.train.width,
    channels: splits.train.channels,
    classes: splits.train.classes,
    ...(classNames ? { classNames } : {}),
    splits: { train: splits.train.count, ...(splits.test ? { test: splits.test.count } : {}) },
  };
  const base = nodeData(datasetsDir());
  const data: DataProvider = {
    dataset: async (ref) => {
      if (ref.id !== 'imported') return base.dataset(ref);
      const split = splits[ref.split];
      if (!split) throw new Error(`${arg} has no ${ref.split} split`);
      const { count, height, width, channels, classes, labels } = split;
      return memoryDataset({ count, height, width, channels, classes, labels, images: await collect(split) });
    },
  };
  return ok({ choice: choiceOf('imported', manifest), data });
}

/** The dataset folder `dir` as --dataset reads it, or nothing when it is not one: a library dataset under its `id`, any other folder under an id of its own. */
async function fromFolder(arg: string, dir: string, id: string | undefined): Promise<Result<DatasetArg> | undefined> {
  const isFolder = await stat(path.join(dir, MANIFEST_FILE)).then((s) => s.isFile(), () => false);
  if (!isFolder) return undefined;
  try {
    const manifest = await readDatasetManifest(dir);
    // A folder outside the library is read under an id of its own, so that it never shadows a library dataset.
    const as = id ?? 'folder';
    return ok({ choice: choiceOf(as, manifest), data: nodeData(datasetsDir(), new Map([[as, dir]])) });
  } catch (error) {
    return err(`--dataset ${arg}: ${(error as Error).message}`);
  }
}

/** Local mode's datasets named `name` (the database is opened, and brought up to date, only when a name is asked for). */
async function libraryNamed(name: string) {
  const [{ datasetsNamed }, { migrate }, { LOCAL_OWNER }, { databaseUrl }] = await Promise.all([import('../lib/db/datasets'), import('../lib/db/migrate'), import('../lib/db/owner'), import('../lib/db/url')]);
  await migrate(databaseUrl());
  return datasetsNamed(LOCAL_OWNER, name);
}
