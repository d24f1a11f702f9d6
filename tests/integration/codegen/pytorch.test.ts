import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { exportProject } from '../../../codegen/export';
import { getTemplate, templates } from '../../../lib/templates';
import { close } from '../../helpers';
import { hostileDoc } from '../../fixtures/hostile';
import { torchPython } from '../../fixtures/python';
import { exec, jsonLines, trainCompiled, trainExported, workspace, writeExport } from '../../fixtures/workspace';

/**
 * The PyTorch export as a user runs it: `python train.py` in the exported
 * folder (Debian's PyTorch, on CPU), against `npm run train` on the same
 * graph, seed and data.
 */
const python = torchPython();

/** A TCP port nothing listens on now. */
const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

async function exported(id: string, batchSize?: number) {
  const doc = structuredClone(getTemplate(id)!.doc);
  if (batchSize) doc.training.batchSize = batchSize;
  const dir = await writeExport(await mkdtemp(path.join(tmpdir(), `netloom-torch-${id}-`)), doc, undefined, 'pytorch');
  return { dir, doc };
}

const trainTorch = (dir: string, ...args: string[]) => exec(python, ['train.py', '--device', 'cpu', '--out', path.join(dir, 'out'), ...args], dir);

describe('the PyTorch export', () => {
  it.each(['gan', 'ali'])('%s: 20 iterations give npm run train\'s losses to 1e-4 (same seed, same data)', async (id) => {
    const { dir } = await exported(id);
    const args = ['--seed', '5', '--json', '--log-every', '1'];
    const torch = jsonLines(await trainTorch(dir, '--iterations', '20', ...args)).filter((l) => l.step !== undefined);
    const compiled = jsonLines(await trainCompiled('--graph', id, '--steps', '20', '--backend', 'wasm', '--out', path.join(dir, 'cli-out'), ...args)).filter((l) => l.step !== undefined);
    expect(torch.map((l) => l.step)).toEqual(compiled.map((l) => l.step));
    for (const [i, line] of torch.entries()) {
      expect(Object.keys(line.losses)).toEqual(Object.keys(compiled[i]!.losses));
      for (const [name, value] of Object.entries(line.losses)) expect(close(value, compiled[i]!.losses[name]!, 1e-4), `${id} ${name} at ${i}: torch ${value}, tfjs ${compiled[i]!.losses[name]}`).toBe(true);
    }
  });

  const printable = templates.filter((t) => exportProject(t.doc, 'pytorch').ok).map((t) => t.id);
  it.each(printable)('%s trains 20 iterations with finite losses and draws its grids', async (id) => {
    const { dir } = await exported(id, 32);
    const lines = jsonLines(await trainTorch(dir, '--iterations', '20', '--log-every', '5', '--sample-every', '10', '--json'));
    expect(lines.at(-1)).toMatchObject({ done: true, steps: 20 });
    for (const line of lines.filter((l) => l.step !== undefined)) for (const value of Object.values(line.losses)) expect(Number.isFinite(value)).toBe(true);
    const grid = PNG.sync.read(await readFile(path.join(dir, 'out', '002.png')));
    expect(grid.width).toBeGreaterThan(4 * 28);
  });

  it('keeps hostile names in strings and comments: the graph trains exactly as it says, with its losses named as the graph names them', async () => {
    const doc = hostileDoc();
    const dir = await writeExport(await mkdtemp(path.join(tmpdir(), 'netloom-torch-hostile-')), doc, undefined, 'pytorch');
    const file = path.join(dir, 'hostile.json');
    await writeFile(file, JSON.stringify(doc));
    const args = ['--seed', '2', '--json', '--log-every', '1'];
    const torch = jsonLines(await trainTorch(dir, '--iterations', '3', '--batch-size', '16', ...args)).filter((l) => l.step !== undefined);
    const small = path.join(dir, 'small.json');
    await writeFile(small, JSON.stringify({ ...doc, training: { ...doc.training, batchSize: 16 } }));
    const compiled = jsonLines(await trainCompiled('--graph', small, '--steps', '3', '--backend', 'wasm', '--out', path.join(dir, 'cli-out'), ...args)).filter((l) => l.step !== undefined);
    expect(Object.keys(torch[0]!.losses)).toEqual(['D_loss `${1}`', '"); process.exit(5); ("']);
    for (const [i, line] of torch.entries()) for (const [name, value] of Object.entries(line.losses)) expect(close(value, compiled[i]!.losses[name]!, 1e-4)).toBe(true);
  });

  // Debian's PyTorch 1.13 on Python 3.11 needs --redirects/--tee set (its default fails to parse); newer PyTorch needs nothing.
  // A port of our own for each run: the default and --standalone's fixed port can still be held by the run before.
  const torchrun = async (dir: string, processes: number, ...args: string[]) => {
    const port = await freePort();
    const launch = ['-m', 'torch.distributed.run', '--nnodes', '1', '--master_addr', '127.0.0.1', '--master_port', String(port), '--redirects', '2', '--tee', '2'];
    return exec(python, [...launch, '--nproc_per_node', String(processes), 'train.py', '--device', 'cpu', '--out', path.join(dir, 'out'), ...args], dir);
  };

  it.each(['gan', 'vae'])('%s under torchrun --nproc_per_node 2 (gloo, CPU): one process\'s losses for the same global batch, 20 iterations', async (id) => {
    const { dir } = await exported(id);
    const args = ['--iterations', '20', '--seed', '4', '--batch-size', '64', '--json', '--log-every', '1'];
    const two = jsonLines(await torchrun(dir, 2, ...args));
    const one = jsonLines(await trainTorch(dir, ...args));
    expect(two.at(-1)).toMatchObject({ done: true, processes: 2, steps: 20 });
    const steps = (lines: typeof one) => lines.filter((l) => l.step !== undefined);
    expect(steps(two).map((l) => l.step)).toEqual(steps(one).map((l) => l.step));
    for (const [i, line] of steps(two).entries()) {
      for (const [name, value] of Object.entries(line.losses)) expect(close(value, steps(one)[i]!.losses[name]!, 1e-4), `${id} ${name} at ${i}: 2 processes ${value}, 1 process ${steps(one)[i]!.losses[name]}`).toBe(true);
    }
  });

  it("reads and writes Netloom's checkpoints: each export resumes from the other's checkpoint with the same losses", async () => {
    const doc = structuredClone(getTemplate('ali')!.doc);
    const ts = await writeExport(await workspace(), doc);
    const { dir: torchDir } = await exported('ali');
    const common = ['--seed', '6', '--batch-size', '32', '--json', '--log-every', '1'];
    const steps = (run: Awaited<ReturnType<typeof exec>>) => jsonLines(run).filter((l) => l.step !== undefined);
    // Three iterations in each, each ending with a checkpoint.
    expect((await trainExported(ts, '--iterations', '3', '--out', path.join(ts, 'first'), ...common)).code).toBe(0);
    expect((await trainTorch(torchDir, '--iterations', '3', ...common)).code).toBe(0);
    const fromTs = path.join(ts, 'first', 'checkpoint');
    const fromTorch = path.join(torchDir, 'out', 'checkpoint');
    // Then three more from each checkpoint, in each export.
    const reference = steps(await trainExported(ts, '--iterations', '6', '--resume', fromTs, '--out', path.join(ts, 'a'), ...common));
    const runs = [
      steps(await exec(python, ['train.py', '--device', 'cpu', '--iterations', '6', '--resume', fromTs, '--out', path.join(torchDir, 'b'), ...common], torchDir)),
      steps(await trainExported(ts, '--iterations', '6', '--resume', fromTorch, '--out', path.join(ts, 'c'), ...common)),
      steps(await exec(python, ['train.py', '--device', 'cpu', '--iterations', '6', '--resume', fromTorch, '--out', path.join(torchDir, 'd'), ...common], torchDir)),
    ];
    expect(reference.map((l) => l.step)).toEqual([3, 4, 5]);
    for (const run of runs) {
      expect(run.map((l) => l.step)).toEqual([3, 4, 5]);
      for (const [i, line] of run.entries()) for (const [name, value] of Object.entries(line.losses)) expect(close(value, reference[i]!.losses[name]!, 1e-4), `${name} at ${line.step}`).toBe(true);
    }
    // Another graph's checkpoint is refused, naming what differs.
    const { dir: ganDir } = await exported('gan');
    const refused = await exec(python, ['train.py', '--device', 'cpu', '--iterations', '4', '--resume', fromTs], ganDir);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/the checkpoint lacks weight\(s\) G\/G_h1\/W/);
  });

  it('prints every template', () => {
    expect(printable).toEqual(templates.map((t) => t.id));
  });
});
