import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../lib/compile/program';
import { withFittedDataset } from '../../lib/graph/datasets';
import { getTemplate, templates } from '../../lib/templates';
import { writeImageFolder } from '../fixtures/images';
import { shapedChoice, shapedData } from '../fixtures/shaped-data';
import { wasm } from '../helpers';
import { budget } from '../fixtures/budget';

/**
 * Templates drawn for MNIST train on data of other sizes without hand
 * surgery: through `npm run train -- --dataset` on a folder of 32x32 RGB PNGs
 * (as a user runs it), and compiled, fitted to 32x32x3 and 64x64x3 data.
 */
const run = promisify(execFile);
const tsx = path.resolve('node_modules/.bin/tsx');

let scratch: string;
let folder: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'netloom-fit-'));
  folder = path.join(scratch, 'swatches');
  await writeImageFolder(folder, { classes: ['warm', 'cool', 'grey'], perClass: 32, height: 32, width: 32, rgb: true });
});

async function train(graph: string) {
  const out = path.join(scratch, `out-${graph}`);
  const args = ['cli/train.ts', '--graph', graph, '--dataset', folder, '--steps', '30', '--backend', 'wasm', '--batch-size', '32', '--log-every', '10', '--sample-every', '15', '--out', out, '--json'];
  const env = { ...process.env, DATABASE_URL: `file:${path.join(scratch, 'app.db')}` };
  try {
    const { stdout, stderr } = await run(tsx, args, { timeout: 240_000, env });
    return { code: 0, stdout, stderr, out };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr, out };
  }
}

describe('npm run train --dataset with 32x32 RGB images', () => {
  it.each([
    ['dcgan', ['G / deconv2: filters 1 -> 3', 'G / to 7x7x32: shape [7, 7, 32] -> [8, 8, 32]', 'G / project: units 1568 -> 2048', 'D / x: shape [28, 28, 1] -> [32, 32, 3]']],
    ['gan', ['G / G_prob: units 784 -> 3072', 'D / x: shape [784] -> [3072]']],
  ])('fits %s to the data, says what it changed, and trains 30 iterations drawing colour grids of 32x32', async (graph, changes) => {
    const { code, stdout, stderr, out } = await train(graph);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(`Fitted ${graph} to swatches (32x32x3), ${changes.length} changes:\n${changes.map((c) => `  ${c}\n`).join('')}`);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { step?: number; losses: Record<string, number>; done?: boolean });
    expect(lines.at(-1)).toMatchObject({ done: true, graph, steps: 30 });
    const logged = lines.filter((l) => l.step !== undefined);
    expect(logged.map((l) => l.step)).toEqual([0, 10, 20, 29]);
    for (const line of logged) for (const value of Object.values(line.losses)) expect(Number.isFinite(value)).toBe(true);
    expect(logged[0]!.losses).not.toEqual(logged.at(-1)!.losses);
    const grid = PNG.sync.read(await readFile(path.join(out, '002.png')));
    expect([grid.width, grid.height, grid.colorType]).toEqual([4 * 32 + 3 * 2, 4 * 32 + 3 * 2, 2]);
  });
});

describe('templates fitted to other data, compiled', () => {
  beforeAll(wasm);

  it.each(templates.map((t) => [t.id] as const))('%s fitted to 32x32x3 trains with finite losses, its pictures 32x32x3', async (id) => {
    const data = shapedChoice(32, 32, 3);
    const slice = budget(getTemplate(id)!.doc, { iterations: 3, batch: 8 });
    const { doc } = withFittedDataset(slice.doc, data);
    const program = await compile(doc, { tf, data: shapedData(data), seed: 1, batchSize: slice.batch });
    try {
      for (let i = 0; i < slice.iterations; i++) for (const [name, value] of Object.entries(program.step()!)) expect(Number.isFinite(value), `${name} at ${i}`).toBe(true);
      const samples = await program.samples();
      const recon = await program.reconstructions();
      for (const batch of [samples, recon?.inputs, recon?.outputs]) if (batch) expect(batch).toMatchObject({ height: 32, width: 32, channels: 3 });
      expect(samples ?? recon).toBeTruthy();
    } finally {
      program.dispose();
    }
  });

  it('dcgan fitted to 64x64x3 trains: moving, finite losses and 64x64 colour samples', async () => {
    const data = shapedChoice(64, 64, 3);
    const { doc } = withFittedDataset(getTemplate('dcgan')!.doc, data);
    const program = await compile(doc, { tf, data: shapedData(data), seed: 2, batchSize: 16 });
    try {
      const first = program.step()!;
      let last = first;
      for (let i = 0; i < 9; i++) last = program.step()!;
      for (const value of [...Object.values(first), ...Object.values(last)]) expect(Number.isFinite(value)).toBe(true);
      expect(last).not.toEqual(first);
      const samples = (await program.samples())!;
      expect(samples).toMatchObject({ count: 16, height: 64, width: 64, channels: 3 });
      expect(samples.pixels.length).toBe(16 * 64 * 64 * 3);
    } finally {
      program.dispose();
    }
  });
});
