import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'npyjs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { close } from '../../helpers';
import { tinyDiffusion, type TinyDiffusion } from '../../fixtures/diffusion';
import { torchPython } from '../../fixtures/python';
import { exec, jsonLines, trainCompiled, trainExported, workspace, writeExport } from '../../fixtures/workspace';

/**
 * Diffusion's numerics everywhere: a small diffusion graph trained by
 * `npm run train`, by its TypeScript export and by its PyTorch export gives
 * the same losses (timesteps, noise and the schedule's table drawn alike)
 * and the same sample grids, which its sampler draws in each: DDPM's
 * ancestral steps (fresh noise from the sampler's own stream), Euler steps
 * on a flow, and guided DDIM on a conditional model.
 */
const python = torchPython();
const ITERATIONS = '6';
const args = ['--seed', '3', '--json', '--log-every', '1', '--sample-every', '3', '--eval-every', '0'];
const lossLines = (lines: ReturnType<typeof jsonLines>) => lines.filter((l) => l.step !== undefined && l.losses !== undefined);

async function npy(file: string) {
  const bytes = await readFile(file);
  return parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

async function grid(file: string) {
  return PNG.sync.read(await readFile(file));
}

describe('diffusion in every target', () => {
  it.each<[string, TinyDiffusion]>([
    ['cosine schedule, DDPM ancestral sampling', { schedule: 'cosine', method: 'ddpm', samplerSteps: 20 }],
    ['flow matching, Euler steps', { schedule: 'flow', method: 'euler' }],
    ['conditional, DDIM with guidance 2', { conditional: true, guidance: 2 }],
  ])('%s: the app, the TypeScript export and the PyTorch export give the same losses and samples', async (_name, options) => {
    const dir = await workspace();
    const graph = path.join(dir, 'graph.json');
    await writeFile(graph, JSON.stringify(tinyDiffusion(options)));
    const ts = await writeExport(path.join(dir, 'ts'), tinyDiffusion(options), undefined, 'typescript');
    const torch = await writeExport(path.join(dir, 'torch'), tinyDiffusion(options), undefined, 'pytorch');
    const [app, exportedTs, exportedTorch] = await Promise.all([
      trainCompiled('--graph', graph, '--steps', ITERATIONS, '--backend', 'cpu', '--out', path.join(dir, 'app'), ...args),
      trainExported(ts, '--iterations', ITERATIONS, '--backend', 'cpu', '--out', path.join(dir, 'ts-out'), ...args),
      exec(python, ['train.py', '--device', 'cpu', '--iterations', ITERATIONS, '--out', path.join(dir, 'torch-out'), ...args], torch),
    ]);
    const reference = lossLines(jsonLines(app));
    expect(reference).toHaveLength(Number(ITERATIONS));
    for (const [target, run] of [['typescript', exportedTs], ['pytorch', exportedTorch]] as const) {
      const lines = lossLines(jsonLines(run));
      expect(lines.map((l) => l.step)).toEqual(reference.map((l) => l.step));
      for (const [i, line] of lines.entries()) {
        for (const [name, value] of Object.entries(line.losses)) expect(close(value, reference[i]!.losses[name]!, 1e-4), `${target} ${name} at ${line.step}: ${value}, app ${reference[i]!.losses[name]}`).toBe(true);
      }
    }
    for (const file of ['000.png', '001.png', '002.png']) {
      const ours = await grid(path.join(dir, 'app', file));
      for (const out of ['ts-out', 'torch-out']) {
        const theirs = await grid(path.join(dir, out, file));
        expect([theirs.width, theirs.height]).toEqual([ours.width, ours.height]);
        const far = theirs.data.filter((v, k) => Math.abs(v - ours.data[k]!) > 2).length;
        expect(far, `${out}/${file}: pixels more than 2 levels from the app's`).toBe(0);
      }
    }
  });

  it('--samples and --labels-out: the PyTorch export generates the images and classes npm run train does, and refuses what a graph cannot give', async () => {
    const dir = await workspace();
    const doc = tinyDiffusion({ conditional: true, guidance: 2 });
    const graph = path.join(dir, 'graph.json');
    await writeFile(graph, JSON.stringify(doc));
    const torch = await writeExport(path.join(dir, 'torch'), doc, undefined, 'pytorch');
    const files = (who: string) => ['--samples', '40', '--samples-out', path.join(dir, `${who}-samples.npy`), '--labels-out', path.join(dir, `${who}-classes.npy`)];
    const [app, exported] = await Promise.all([
      trainCompiled('--graph', graph, '--steps', '2', '--backend', 'cpu', '--out', path.join(dir, 'app'), ...args, ...files('app')),
      exec(python, ['train.py', '--device', 'cpu', '--iterations', '2', '--out', path.join(dir, 'torch-out'), ...args, ...files('torch')], torch),
    ]);
    expect(app.code, app.stderr).toBe(0);
    expect(exported.code, exported.stderr).toBe(0);
    expect(jsonLines(exported).at(-1)).toMatchObject({ done: true, samples: path.join(dir, 'torch-samples.npy') });
    const read = async (who: string) => ({ images: await npy(path.join(dir, `${who}-samples.npy`)), classes: await npy(path.join(dir, `${who}-classes.npy`)) });
    const [ours, theirs] = [await read('app'), await read('torch')];
    expect([theirs.classes.dtype, theirs.classes.shape, theirs.images.dtype, theirs.images.shape]).toEqual(['u1', [40], ours.images.dtype, [40, ...ours.images.shape.slice(1)]]);
    expect(Array.from(theirs.classes.data as Uint8Array)).toEqual(Array.from(ours.classes.data as Uint8Array));
    const worst = (theirs.images.data as Float32Array).reduce((m, v, i) => Math.max(m, Math.abs(v - (ours.images.data as Float32Array)[i]!)), 0);
    expect(worst).toBeLessThan(1e-3);

    const unconditioned = await writeExport(path.join(dir, 'plain'), tinyDiffusion({}), undefined, 'pytorch');
    const refused = await exec(python, ['train.py', '--device', 'cpu', '--iterations', '0', '--samples', '2', '--labels-out', path.join(dir, 'x.npy'), '--out', path.join(dir, 'plain-out')], unconditioned);
    expect([refused.code, refused.stderr.trim()]).toEqual([1, '--labels-out: the samples of this graph are not conditioned on class labels']);
    const alone = await exec(python, ['train.py', '--labels-out', path.join(dir, 'x.npy')], torch);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--labels-out: the class of each sample goes with --samples N/);
  });
});
