import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { dump } from 'npyjs';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { idxBytes } from '../../../lib/runtime/idx';
import { writeImageFolder } from '../../fixtures/images';

/**
 * `npm run data` and `npm run train -- --dataset` as a user runs them, on a
 * scratch database: Debian's Fashion-MNIST and a folder of PNGs written by a
 * script, imported, listed and trained on for 30 iterations.
 */
const run = promisify(execFile);
const tsx = path.resolve('node_modules/.bin/tsx');
const FASHION = '/usr/share/datasets/fashion-mnist';

let env: NodeJS.ProcessEnv;
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'netloom-cli-data-'));
  env = { ...process.env, DATABASE_URL: `file:${path.join(scratch, 'app.db')}` };
});

async function cli(script: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(tsx, [script, ...args], { timeout: 180_000, env });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Trains `graph` 30 iterations on `dataset`: every logged loss finite, a grid written. */
async function trains(graph: string, dataset: string) {
  const out = await mkdtemp(path.join(scratch, 'out-'));
  const { code, stdout, stderr } = await cli('cli/train.ts', '--graph', graph, '--dataset', dataset, '--steps', '30', '--backend', 'wasm', '--log-every', '10', '--sample-every', '15', '--out', out, '--json');
  expect(code, stderr).toBe(0);
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { step?: number; losses: Record<string, number>; done?: boolean });
  expect(lines.at(-1)).toMatchObject({ done: true, steps: 30 });
  for (const line of lines.filter((l) => l.step !== undefined)) for (const value of Object.values(line.losses)) expect(Number.isFinite(value)).toBe(true);
  const grid = PNG.sync.read(await readFile(path.join(out, '001.png')));
  expect(grid.width).toBeGreaterThan(28 * 4);
  return lines;
}

describe('npm run data and --dataset', () => {
  it("imports Fashion-MNIST and trains the GAN template on it by id, and on Debian's folder directly", async () => {
    const imported = await cli('cli/data.ts', 'import', FASHION, '--name', 'Fashion-MNIST');
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/Imported in [\d.]+ s: (\w+) {2}Fashion-MNIST: 60000 train \+ 10000 test, 28x28x1, 10 classes, 52\.4 MB \(idx from fashion-mnist\)/);
    const id = /: (\w+) {2}Fashion-MNIST/.exec(imported.stdout)![1]!;
    expect((await cli('cli/data.ts', 'list')).stdout).toContain(`${id}  Fashion-MNIST`);
    const byId = await trains('gan', id);
    // The folder as Debian installs it, imported in memory: the same data, so the same losses.
    const byFolder = await trains('gan', FASHION);
    expect(byFolder.map((l) => l.losses)).toEqual(byId.map((l) => l.losses));
  });

  it('imports a folder of PNGs written by a script and trains the autoencoder template on it', async () => {
    const folder = path.join(scratch, 'strokes');
    await writeImageFolder(folder, { classes: ['left', 'right', 'up'], perClass: 30, height: 28, width: 28 });
    const imported = await cli('cli/data.ts', 'import', folder);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/strokes: 90 items, 28x28x1, 3 classes/);
    const id = /: (\w+) {2}strokes/.exec(imported.stdout)![1]!;
    expect(await readdir(path.join(scratch, 'datasets', id))).toEqual(['dataset.json', 'preview.png', 'train-images.idx', 'train-labels.idx']);
    await trains('conv-ae', id);
  });

  it('refuses malformed files in one line naming the file, with status 2 and no stack trace, and lists nothing of them', async () => {
    const bad = path.join(scratch, 'bad');
    await mkdir(bad, { recursive: true });
    const files: Record<string, Uint8Array> = {
      'w0-images-idx3-ubyte': idxBytes([3, 2, 0], new Uint8Array(0)),
      'zero-images-idx3-ubyte': idxBytes([3, 0, 0], new Uint8Array(0)),
      'short.npy': new Uint8Array(dump(new Uint8Array(10), [3, 2, 2])),
      'empty.csv': new TextEncoder().encode('label\n1\n'),
    };
    for (const [name, bytes] of Object.entries(files)) {
      await writeFile(path.join(bad, name), bytes);
      const result = await cli('cli/data.ts', 'import', path.join(bad, name), '--name', name);
      expect({ name, code: result.code }).toEqual({ name, code: 2 });
      expect(result.stderr.trimEnd().split('\n'), name).toEqual([expect.stringMatching(new RegExp(`^error: ${name.replace('.', '\\.')}: `))]);
    }
    expect((await cli('cli/data.ts', 'list')).stdout).not.toMatch(/w0-images|zero-images|short\.npy|empty\.csv/);
  });

  it('refuses what it cannot use, saying why', async () => {
    const notData = await cli('cli/data.ts', 'import', path.join(scratch, 'nothing-here'), '--name', 'x');
    expect(notData.code).toBe(2);
    expect(notData.stderr).toMatch(/nothing-here: no such file or folder/);
    const mnistGraph = await cli('cli/train.ts', '--graph', 'gan', '--dataset', path.join(scratch, 'nothing-here'), '--steps', '1');
    expect(mnistGraph.code).toBe(2);
    expect(mnistGraph.stderr).toMatch(/--dataset .*nothing-here: not a dataset/);
  });
});
