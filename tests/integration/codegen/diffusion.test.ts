import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
});
