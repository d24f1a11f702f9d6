import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../../lib/compile/program';
import { getTemplate } from '../../../lib/templates';
import { decodeCheckpoint, parseCheckpoint } from '../../../lib/train/checkpoint';
import { close, mnistData, wasm } from '../../helpers';
import { torchPython } from '../../fixtures/python';
import { exec, jsonLines, trainExported, workspace, writeExport } from '../../fixtures/workspace';

/**
 * The exported script's checkpoints are Netloom checkpoints: a resumed run
 * continues exactly as the app's program does from the same checkpoint
 * (weights, optimizer slots and update counts, iteration, resumed data streams).
 */
describe('exported checkpoints', () => {
  beforeAll(wasm);

  it('resume exactly as the compiled program resumes from them', async () => {
    const doc = getTemplate('gan')!.doc;
    const dir = await writeExport(await workspace(), doc);
    const common = ['--seed', '4', '--backend', 'wasm', '--json', '--batch-size', '16'];
    jsonLines(await trainExported(dir, '--iterations', '4', '--checkpoint-every', '2', '--out', 'first', ...common));
    const resumed = jsonLines(await trainExported(dir, '--resume', 'first/checkpoint', '--iterations', '7', '--log-every', '1', '--out', 'second', ...common));
    expect(resumed.filter((l) => l.step !== undefined && l.losses).map((l) => l.step)).toEqual([4, 5, 6]);

    const checkpoint = path.join(dir, 'first', 'checkpoint');
    const parsed = parseCheckpoint(await readFile(path.join(checkpoint, 'checkpoint.json'), 'utf8'), new Uint8Array(await readFile(path.join(checkpoint, 'weights.bin'))));
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.value.manifest).toMatchObject({ iteration: 4, graph: doc.name, optimizerSteps: { D_solver: 4, G_solver: 4 } });
    // Every draw is a function of its iteration: the program restored at iteration 4 draws what the resumed export draws.
    const program = await compile(doc, { tf, data: mnistData, seed: 4, batchSize: 16 });
    const state = decodeCheckpoint(tf, parsed.value);
    program.restore(state);
    state.tensors.forEach((t) => t.dispose());
    for (const line of resumed.filter((l) => l.step !== undefined && l.losses)) {
      const expected = program.step()!;
      for (const [name, value] of Object.entries(line.losses)) expect(close(value, expected[name]!, 1e-5), `${line.step} ${name}`).toBe(true);
    }
    program.dispose();
  });

  it('refuse a checkpoint of another graph, naming what is missing', async () => {
    const ali = await writeExport(await workspace(), getTemplate('ali')!.doc);
    jsonLines(await trainExported(ali, '--iterations', '1', '--backend', 'wasm', '--json', '--out', 'out'));
    const gan = await writeExport(await workspace(), getTemplate('gan')!.doc);
    const run = await trainExported(gan, '--resume', path.join(ali, 'out', 'checkpoint'), '--iterations', '2', '--backend', 'wasm');
    expect(run.code).toBe(1);
    // One checkpoint format for app and export: the same refusal as the app's, naming every missing weight.
    // Named by its folder, in one line.
    expect(run.stderr.trim()).toMatch(/^error: .*out\/checkpoint: the checkpoint lacks weight\(s\) G\/G_h1\/W, .*: it was saved from a different graph$/);
  });
});

/**
 * A save killed at any point leaves one whole checkpoint: the previous one or
 * the new one, never a mix, and no temporary file after the next start
 * (support/checkpoint.ts and netloom/checkpoint.py: weights.bin.part, then
 * checkpoint.json.part, then both renamed).
 */
describe('checkpoint saves killed mid-write', () => {
  beforeAll(wasm);
  const python = torchPython();
  const doc = getTemplate('gan')!.doc;
  const PARTS = ['weights.bin.part', 'checkpoint.json.part'];
  let ts: string;
  let torch: string;
  beforeAll(async () => {
    ts = await writeExport(await workspace(), doc);
    torch = await writeExport(await mkdtemp(path.join(tmpdir(), 'netloom-kill-torch-')), doc, undefined, 'pytorch');
    // What the export's start does with --resume: read (recovering) the folder.
    await writeFile(path.join(ts, 'read-checkpoint.ts'), 'import { readCheckpoint } from "./support/checkpoint";\nreadCheckpoint(process.argv[2]!).then((c) => console.log(c.manifest.iteration));\n');
  }, 120_000);

  /** The checkpoint in `dir` as each export reads it at start: its iteration, or the refusal. */
  const readTs = async (dir: string) => {
    const run = await exec(process.execPath, ['--import', 'tsx', 'read-checkpoint.ts', dir], ts);
    return run.code === 0 ? Number(run.stdout.trim()) : run.stderr;
  };
  const readTorch = async (dir: string) => {
    const run = await exec(python, ['-c', `from netloom import checkpoint; print(checkpoint.load(${JSON.stringify(dir)}).iteration)`], torch);
    return run.code === 0 ? Number(run.stdout.trim()) : run.stderr;
  };

  it('finishes or rolls back each state a kill can leave, in both exports', async () => {
    // Two whole checkpoints, at iterations 2 and 4.
    jsonLines(await trainExported(ts, '--iterations', '2', '--backend', 'wasm', '--json', '--batch-size', '8', '--out', 'two'));
    jsonLines(await trainExported(ts, '--iterations', '4', '--backend', 'wasm', '--json', '--batch-size', '8', '--out', 'four'));
    const [older, newer] = [path.join(ts, 'two', 'checkpoint'), path.join(ts, 'four', 'checkpoint')];
    const newWeights = await readFile(path.join(newer, 'weights.bin'));
    const newManifest = await readFile(path.join(newer, 'checkpoint.json'));
    const states: [string, (dir: string) => Promise<void>, number][] = [
      ['killed writing weights.bin.part', (dir) => writeFile(path.join(dir, 'weights.bin.part'), newWeights.subarray(0, 1000)), 2],
      ['killed writing checkpoint.json.part', async (dir) => {
        await writeFile(path.join(dir, 'weights.bin.part'), newWeights);
        await writeFile(path.join(dir, 'checkpoint.json.part'), newManifest.subarray(0, 200));
      }, 2],
      ['killed before the renames', async (dir) => {
        await writeFile(path.join(dir, 'weights.bin.part'), newWeights);
        await writeFile(path.join(dir, 'checkpoint.json.part'), newManifest);
      }, 4],
      ['killed between the renames', async (dir) => {
        await writeFile(path.join(dir, 'weights.bin'), newWeights);
        await writeFile(path.join(dir, 'checkpoint.json.part'), newManifest);
      }, 4],
      ['a manifest part of another save', (dir) => writeFile(path.join(dir, 'checkpoint.json.part'), (newManifest.toString().replace(/"iteration": 4/, '"iteration": 3'))), 2],
      ['nothing interrupted', async () => undefined, 2],
    ];
    for (const [what, leave, iteration] of states) {
      for (const [target, read] of [['typescript', readTs], ['pytorch', readTorch]] as const) {
        const dir = path.join(await mkdtemp(path.join(tmpdir(), 'netloom-states-')), 'checkpoint');
        await cp(older, dir, { recursive: true });
        await leave(dir);
        expect(await read(dir), `${target}: ${what}`).toBe(iteration);
        expect(await readdir(dir), `${target}: ${what}`).toEqual(['checkpoint.json', 'weights.bin']);
      }
    }
  }, 300_000);

  /**
   * Runs a training that saves every iteration and kills it hard just after a
   * save began, once per delay, and then again (with no delay) until a kill
   * has landed inside a save at least once, at most MORE_TRIES more times (a
   * save takes milliseconds: on a loaded machine a kill can miss it); each
   * restart resumes.
   */
  async function killMidSave(start: (out: string) => ReturnType<typeof spawn>, resume: (out: string) => Promise<{ code: number; stderr: string }>, delays: number[]) {
    const MORE_TRIES = 10;
    let caughtMidSave = 0;
    for (let attempt = 0; attempt < delays.length + MORE_TRIES && (attempt < delays.length || caughtMidSave === 0); attempt++) {
      const delay = delays[attempt] ?? 0;
      const out = await mkdtemp(path.join(tmpdir(), 'netloom-killed-'));
      const dir = path.join(out, 'checkpoint');
      const child = start(out);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      let running = true;
      void exited.then(() => (running = false));
      // Wait for the second save to begin (the first has left a whole checkpoint), then kill.
      let saves = 0;
      const tick = () => new Promise((r) => setTimeout(r, 1));
      while (running && saves < 2) {
        await tick();
        const names = await readdir(dir).catch(() => [] as string[]);
        if (names.some((n) => PARTS.includes(n))) {
          saves++;
          if (saves < 2) while (running && (await readdir(dir).catch(() => [] as string[])).some((n) => PARTS.includes(n))) await tick();
        }
      }
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await exited;
      if ((await readdir(dir)).some((n) => PARTS.includes(n))) caughtMidSave++;
      // The next start resumes from a whole checkpoint and leaves no temporary file.
      const resumed = await resume(out);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'weights.bin']);
    }
    return caughtMidSave;
  }

  it('the TypeScript export, killed hard mid-save, resumes at the next start', async () => {
    const args = ['--backend', 'wasm', '--batch-size', '8', '--checkpoint-every', '1', '--log-every', '1000', '--json'];
    const caught = await killMidSave(
      (out) => spawn(process.execPath, ['--import', 'tsx', 'train.ts', '--iterations', '100000', '--out', out, ...args], { cwd: ts, stdio: 'ignore' }),
      async (out) => {
        const at = await readTs(path.join(out, 'checkpoint'));
        return trainExported(ts, '--resume', path.join(out, 'checkpoint'), '--iterations', String(Number(at) + 1), '--out', out, ...args);
      },
      [0, 0, 1, 2, 5],
    );
    expect(caught).toBeGreaterThan(0);
  }, 300_000);

  it('the PyTorch export, killed hard mid-save, resumes at the next start', async () => {
    const args = ['--device', 'cpu', '--batch-size', '8', '--checkpoint-every', '1', '--log-every', '1000', '--json'];
    const caught = await killMidSave(
      (out) => spawn(python, ['train.py', '--iterations', '100000', '--out', out, ...args], { cwd: torch, stdio: 'ignore' }),
      async (out) => {
        const at = await readTorch(path.join(out, 'checkpoint'));
        return exec(python, ['train.py', '--resume', path.join(out, 'checkpoint'), '--iterations', String(Number(at) + 1), '--out', out, ...args], torch);
      },
      [0, 0, 1, 2, 5],
    );
    expect(caught).toBeGreaterThan(0);
  }, 300_000);
});

