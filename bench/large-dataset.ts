/**
 * A CelebA-sized dataset end to end, as a user with one would go: 200,000 RGB
 * images of 64x64 (2.46 GB of pixels) as NumPy arrays, imported with
 * `npm run data -- import`, trained for a few iterations by `npm run train`,
 * exported with `npm run export -- --target pytorch` and trained by the
 * export. Prints each step's wall time and peak resident memory (GNU time's
 * maximum RSS), which stay under 2 GB however large the dataset. Needs about
 * 10 GB of disk (the arrays, the library's copy, the export's copy).
 *   npx tsx bench/large-dataset.ts [--images 200000] [--iterations 300] [--dir /tmp/...]
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { getTemplate } from '../lib/templates';
import { torchPython } from '../tests/fixtures/python';

const { values } = parseArgs({ options: { images: { type: 'string', default: '200000' }, iterations: { type: 'string', default: '300' }, dir: { type: 'string' } } });
const COUNT = Number(values.images);
const SIDE = 64;
const ITEM = SIDE * SIDE * 3;

/** A .npy header for `shape` of `dtype`, padded as numpy pads it. */
function npyHeader(dtype: string, shape: number[]): Buffer {
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const header = dict.padEnd(Math.ceil((dict.length + 11) / 64) * 64 - 11, ' ') + '\n';
  return Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, header.length & 255, header.length >> 8]), Buffer.from(header, 'latin1')]);
}

/** x_train.npy (uint8 [n, 64, 64, 3]: smooth colour fields that differ per image) and y_train.npy (two classes), written a block of images at a time. */
async function writeArrays(dir: string) {
  const images = createWriteStream(path.join(dir, 'x_train.npy'));
  images.write(npyHeader('|u1', [COUNT, SIDE, SIDE, 3]));
  const block = Buffer.alloc(1000 * ITEM);
  for (let start = 0; start < COUNT; start += 1000) {
    const n = Math.min(1000, COUNT - start);
    for (let i = 0; i < n; i++) for (let p = 0; p < ITEM; p++) block[i * ITEM + p] = ((start + i) * 13 + (p % 192) * 5 + (p >> 7)) & 255;
    if (!images.write(block.subarray(0, n * ITEM))) await new Promise<void>((resolve) => images.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => images.end(() => resolve()));
  const labels = Buffer.alloc(COUNT * 8);
  for (let i = 0; i < COUNT; i++) labels.writeBigInt64LE(BigInt(i % 2), i * 8);
  await writeFile(path.join(dir, 'y_train.npy'), Buffer.concat([npyHeader('<i8', [COUNT]), labels]));
}

/** Runs a command under GNU time: its wall seconds, peak resident MB, and output. */
async function measure(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const report = path.join(cwd, `.time-${process.pid}`);
  const started = performance.now();
  const stdout = execFileSync('/usr/bin/time', ['-f', '%M', '-o', report, command, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - started) / 1000;
  const peakMB = Number((await readFile(report, 'utf8')).trim().split('\n').at(-1)) / 1024;
  await rm(report);
  return { seconds, peakMB, stdout };
}

async function main() {
  const root = values.dir ?? (await mkdtemp(path.join(tmpdir(), 'netloom-large-')));
  const sources = path.join(root, 'celeba-sized');
  await mkdir(sources, { recursive: true });
  const env = { ...process.env, DATABASE_URL: `file:${path.join(root, 'library.db')}`, OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? '1' };
  const line = (what: string, run: { seconds: number; peakMB: number }) => console.log(`${what.padEnd(58)} ${run.seconds.toFixed(1).padStart(7)} s   peak ${run.peakMB.toFixed(0).padStart(5)} MB resident`);

  const started = performance.now();
  await writeArrays(sources);
  console.log(`${COUNT.toLocaleString('en')} RGB images of ${SIDE}x${SIDE} as NumPy arrays (${((COUNT * ITEM) / 1e9).toFixed(2)} GB) written in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const tsx = path.resolve('node_modules/.bin/tsx');
  const imported = await measure(tsx, [path.resolve('cli/data.ts'), 'import', sources, '--name', 'CelebA-sized'], process.cwd(), env);
  line('npm run data -- import (NumPy, from disk)', imported);
  const id = /Imported in .*?: ([a-z0-9]+) /.exec(imported.stdout)?.[1];
  if (!id) throw new Error(`no dataset id in: ${imported.stdout}`);

  // The vanilla GAN's MLPs, sized to the data: 64x64x3 flat in and out.
  const doc = structuredClone(getTemplate('gan')!.doc);
  for (const network of doc.networks) for (const node of network.nodes) {
    if (node.params.units === 784) node.params.units = ITEM;
    if (node.kind === 'network-input' && JSON.stringify(node.params.shape) === '[784]') node.params.shape = [ITEM];
  }
  const x = doc.nodes.find((n) => n.kind === 'dataset')!;
  x.params.dataset = { id, name: 'CelebA-sized', height: SIDE, width: SIDE, channels: 3, classes: 2, train: COUNT, test: 0 };
  doc.name = 'MLP GAN on CelebA-sized data';
  const graph = path.join(root, 'graph.json');
  await writeFile(graph, JSON.stringify(doc));

  const iterations = values.iterations!;
  const cli = await measure(tsx, [path.resolve('cli/train.ts'), '--graph', graph, '--steps', '20', '--backend', 'wasm', '--out', path.join(root, 'cli-out'), '--log-every', '10'], process.cwd(), env);
  line('npm run train (wasm, 20 iterations, items read as drawn)', cli);

  const exportDir = path.join(root, 'torch');
  const exported = await measure(tsx, [path.resolve('cli/export.ts'), '--graph', graph, '--target', 'pytorch', '--out', exportDir], process.cwd(), env);
  line('npm run export -- --target pytorch (the data copied)', exported);

  const trained = await measure(torchPython(), ['train.py', '--device', 'cpu', '--iterations', iterations, '--log-every', String(Math.max(1, Number(iterations) / 3)), '--sample-every', '100000', '--eval-every', '0', '--out', 'out'], exportDir, env);
  line(`python train.py (PyTorch export, ${iterations} iterations, batch 128)`, trained);
  console.log(trained.stdout.trim().split('\n').slice(-2).join('\n'));
  if (!values.dir) await rm(root, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
