import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { zipSync } from 'fflate';
import { dump } from 'npyjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveDatasetArg } from '../../../cli/dataset-arg';
import { digitsCsv, smallDigits, writeImageFolder } from '../../fixtures/images';

/**
 * `npm run data -- import` with the new options, and `npm run train --
 * --dataset NAME` by the name a dataset was given: a unique name (in any
 * case) trains, an ambiguous one is refused with the matching ids, on a
 * scratch database.
 */
const run = promisify(execFile);
const tsx = path.resolve('node_modules/.bin/tsx');

let scratch: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'netloom-dataset-name-'));
  env = { ...process.env, DATABASE_URL: `file:${path.join(scratch, 'app.db')}` };
  // resolveDatasetArg, called in this process, reads the same library.
  process.env.DATABASE_URL = env.DATABASE_URL;
});

async function cli(script: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(tsx, [script, ...args], { timeout: 180_000, env, cwd: path.resolve('.') });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
const idOf = (stdout: string, name: string) => new RegExp(`: (\\w+) {2}${name}:`).exec(stdout)?.[1];

describe('datasets by name', () => {
  let strokes: string;
  let digits: string[];

  it('imports a header-less CSV and an .npz of 0-16 from the command line, printing what it assumed', async () => {
    const csv = path.join(scratch, 'optdigits.csv');
    await writeFile(csv, digitsCsv(40));
    const fromCsv = await cli('cli/data.ts', 'import', csv, '--name', 'Digits');
    expect(fromCsv.code, fromCsv.stderr).toBe(0);
    expect(fromCsv.stdout).toMatch(/Digits: 40 items, 8x8x1, 10 classes/);
    expect(fromCsv.stdout).toContain('  note: optdigits.csv: no header (its first row is numbers); its last column (65) taken as the label (10 classes)');
    expect(fromCsv.stdout).toMatch(/ {2}note: pixel values are whole numbers from 0 to 16, far below 255/);

    const { values, labels } = smallDigits(40);
    const npz = path.join(scratch, 'digits.npz');
    await writeFile(npz, zipSync({ 'x_train.npy': new Uint8Array(dump(Int32Array.from(values), [40, 8, 8])), 'y_train.npy': new Uint8Array(dump(Int32Array.from(labels), [40])) }));
    const fromNpz = await cli('cli/data.ts', 'import', npz, '--name', 'Digits', '--range', '0-16');
    expect(fromNpz.code, fromNpz.stderr).toBe(0);
    expect(fromNpz.stdout).toContain('  note: pixel values read as 0 (black) to 16 (white), as declared, and scaled to 0-255');
    digits = [idOf(fromCsv.stdout, 'Digits')!, idOf(fromNpz.stdout, 'Digits')!];

    const folder = path.join(scratch, 'strokes');
    await writeImageFolder(folder, { classes: ['left', 'right'], perClass: 20, height: 28, width: 28 });
    const fromFolder = await cli('cli/data.ts', 'import', folder, '--name', 'Strokes');
    expect(fromFolder.code, fromFolder.stderr).toBe(0);
    strokes = idOf(fromFolder.stdout, 'Strokes')!;

    const refused = await cli('cli/data.ts', 'import', csv, '--name', 'x', '--range', 'lots');
    expect({ code: refused.code, stderr: refused.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(/^error: --range must be LOW-HIGH/) });
  });

  it('resolves a unique name (in any case) to its dataset, and refuses an ambiguous or unknown one with the ids', async () => {
    for (const name of ['Strokes', ' strokes ']) {
      const found = await resolveDatasetArg(name);
      if (!found.ok) throw new Error(found.error);
      expect(found.value.choice).toMatchObject({ id: strokes, name: 'Strokes', height: 28, width: 28, channels: 1, classes: 2, train: 40 });
      const data = await found.value.data.dataset({ id: strokes, split: 'train' });
      expect(data.count).toBe(40);
    }
    const ambiguous = await resolveDatasetArg('Digits');
    expect(ambiguous.ok ? 'resolved' : ambiguous.error).toMatch(new RegExp(`^--dataset Digits: 2 datasets in the library are named "Digits": (${digits[0]}|${digits[1]}) \\(8x8x1, 40 items, imported .*\\), (${digits[0]}|${digits[1]}) .*; give the id of the one to train on$`));
    const unknown = await resolveDatasetArg('Nothing like it');
    expect(unknown.ok ? 'resolved' : unknown.error).toMatch(/^--dataset Nothing like it: not a dataset's id or name in the library/);
    // An id still resolves as before.
    expect((await resolveDatasetArg(digits[0]!)).ok).toBe(true);
  });

  it('npm run train -- --dataset NAME trains on it; an ambiguous name exits with status 2 listing the ids', async () => {
    const out = await mkdtemp(path.join(scratch, 'out-'));
    const trained = await cli('cli/train.ts', '--graph', 'gan', '--dataset', 'Strokes', '--steps', '2', '--backend', 'wasm', '--log-every', '1', '--out', out, '--json');
    expect(trained.code, trained.stderr).toBe(0);
    expect(JSON.parse(trained.stdout.trim().split('\n').at(-1)!)).toMatchObject({ done: true, steps: 2 });
    const ambiguous = await cli('cli/train.ts', '--graph', 'gan', '--dataset', 'Digits', '--steps', '1');
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr.trim()).toMatch(/^error: --dataset Digits: 2 datasets in the library are named "Digits": /);
    for (const id of digits) expect(ambiguous.stderr).toContain(id);
  });
});
