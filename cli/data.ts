/**
 * npm run data -- import <file|folder>... --name NAME [--size HxW] [--channels grey|rgb] [--background white|black|alpha]
 *                                         [--range LOW-HIGH] [--label first|last|none|COLUMN] [--shape HxW[xC]]
 * npm run data -- list
 * npm run data -- delete ID
 *
 * The dataset library of local mode, from the command line: the same import,
 * checks and storage as the app's Datasets page.
 */
import { parseArgs } from 'node:util';
import { importDataset, deleteDataset, listDatasets, type DatasetSummary } from '../lib/db/datasets';
import { migrate } from '../lib/db/migrate';
import { LOCAL_OWNER } from '../lib/db/owner';
import { databaseUrl } from '../lib/db/url';
import { recoverDatasets, recoveryLine } from '../lib/db/dataset-files';
import { readInputFiles } from '../lib/data/import/read';
import { LOCAL_IMPORT_LIMITS } from '../lib/data/limits';
import { parseImportOptions, type InputFile } from '../lib/data/import';

const USAGE = `usage:
  npm run data -- import <file|folder>... --name NAME [--size HxW] [--channels grey|rgb] [--background white|black|alpha]
                                          [--range LOW-HIGH] [--label first|last|none|COLUMN] [--shape HxW[xC]]
  npm run data -- list
  npm run data -- delete ID`;

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

/** What start-up finished or rolled back of an import a kill interrupted, if anything. */
const say = (recovered: Awaited<ReturnType<typeof recoverDatasets>>) => {
  const line = recoveryLine(recovered);
  if (line) process.stderr.write(`${line}\n`);
};

const oneLine = (text: string) => text.split('\n')[0]!.trim() || 'failed';

const megabytes = (bytes: number) => (bytes < 2 ** 20 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 2 ** 20).toFixed(1)} MB`);

export function describe(d: DatasetSummary): string {
  const split = d.testCount ? `${d.trainCount} train + ${d.testCount} test` : `${d.trainCount} items`;
  return `${d.id}  ${d.name}: ${split}, ${d.height}x${d.width}x${d.channels}, ${d.classes} class${d.classes === 1 ? '' : 'es'}, ${megabytes(d.bytes)} (${d.format} from ${d.source})`;
}

async function main() {
  let parsed;
  try {
    const text = { type: 'string' } as const;
    parsed = parseArgs({ allowPositionals: true, options: { name: text, size: text, channels: text, background: text, range: text, label: text, shape: text } });
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  const [command, ...targets] = parsed.positionals;
  const { values } = parsed;
  await migrate(databaseUrl());
  say(await recoverDatasets());
  if (command === 'list') {
    const datasets = await listDatasets(LOCAL_OWNER);
    process.stdout.write(datasets.length ? `${datasets.map(describe).join('\n')}\n` : 'No datasets yet: npm run data -- import <file|folder> --name NAME\n');
    return;
  }
  if (command === 'delete') {
    const deleted = await deleteDataset(LOCAL_OWNER, targets[0]);
    if (!deleted.ok) fail(deleted.error.message);
    process.stdout.write(`Deleted ${targets[0]}\n`);
    return;
  }
  if (command !== 'import' || targets.length === 0) fail(USAGE);
  const options = parseImportOptions(values);
  if (!options.ok) fail(`--${options.error}`);
  const started = performance.now();
  const files: InputFile[] = [];
  for (const target of targets) {
    try {
      files.push(...(await readInputFiles(target, LOCAL_IMPORT_LIMITS)));
    } catch (e) {
      fail((e as Error).message);
    }
  }
  const imported = await importDataset(LOCAL_OWNER, { name: values.name ?? targets[0]!.replace(/[\\/]+$/, '').replace(/^.*[\\/]/, ''), files, options: options.value, limits: LOCAL_IMPORT_LIMITS });
  if (!imported.ok) fail(imported.error.message);
  process.stdout.write(`Imported in ${((performance.now() - started) / 1000).toFixed(1)} s: ${describe(imported.value)}\n`);
  // What the import assumed (a scaled range, a guessed label column, transparency): said, so that a wrong guess is seen before training.
  for (const note of imported.value.stats.notes ?? []) process.stdout.write(`  note: ${note}\n`);
}

// Whatever went wrong, one line that says what (never a stack trace): the user acts on the message, not on our call stack.
main().catch((e) => fail(oneLine(e instanceof Error ? e.message : String(e))));
