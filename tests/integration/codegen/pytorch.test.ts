import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { exportProject } from '../../../codegen/export';
import { analyse } from '../../../lib/graph/analyse';
import { lower } from '../../../lib/plan/lower';
import { getTemplate, templates } from '../../../lib/templates';
import { close } from '../../helpers';
import { hostileBlockDoc, hostileDoc } from '../../fixtures/hostile';
import { torchPython } from '../../fixtures/python';
import { exec, jsonLines, jsonLinesOfBoth, trainCompiled, trainExported, workspace, writeExport } from '../../fixtures/workspace';
import { freePort } from '../../fixtures/ports';
import { budget } from '../../fixtures/budget';

/**
 * The PyTorch export as a user runs it: `python train.py` in the exported
 * folder (Debian's PyTorch, on CPU), against `npm run train` on the same
 * graph, seed and data.
 */
const python = torchPython();

async function exported(id: string, batchSize?: number) {
  const doc = structuredClone(getTemplate(id)!.doc);
  if (batchSize) doc.training.batchSize = batchSize;
  const dir = await writeExport(await mkdtemp(path.join(tmpdir(), `netloom-torch-${id}-`)), doc, undefined, 'pytorch');
  return { dir, doc };
}

const trainTorch = (dir: string, ...args: string[]) => exec(python, ['train.py', '--device', 'cpu', '--out', path.join(dir, 'out'), ...args], dir);
/** The per-iteration log lines (not the scores a run prints before iteration 0 and at the end by default, nor the summary). */
const lossLines = (lines: ReturnType<typeof jsonLines>) => lines.filter((l) => l.step !== undefined && l.losses !== undefined);

describe('the PyTorch export', () => {
  // wgan-gp runs five critic steps an iteration, through a gradient of a gradient: float32 drifts apart sooner (2.6e-4 by iteration 18).
  it.each([
    ['gan', 20],
    ['ali', 20],
    ['wgan-gp', 10],
    // Dropout in D: every call of D draws its own mask, the same in both.
    ['gan-leaky-tuned', 10],
    // A Bernoulli decoder: binary cross-entropy of logits against the pixels.
    ['vae-tuned', 10],
  ] as const)('%s: %d iterations give npm run train\'s losses to 1e-4 (same seed, same data)', async (id, iterations) => {
    const { dir } = await exported(id);
    const args = ['--seed', '5', '--json', '--log-every', '1'];
    const runs = await jsonLinesOfBoth(trainTorch(dir, '--iterations', String(iterations), ...args), trainCompiled('--graph', id, '--steps', String(iterations), '--backend', 'wasm', '--out', path.join(dir, 'cli-out'), ...args));
    const [torch, compiled] = [lossLines(runs[0]), lossLines(runs[1])];
    expect(torch.map((l) => l.step)).toEqual(compiled.map((l) => l.step));
    for (const [i, line] of torch.entries()) {
      expect(Object.keys(line.losses)).toEqual(Object.keys(compiled[i]!.losses));
      for (const [name, value] of Object.entries(line.losses)) expect(close(value, compiled[i]!.losses[name]!, 1e-4), `${id} ${name} at ${i}: torch ${value}, tfjs ${compiled[i]!.losses[name]}`).toBe(true);
    }
  });

  it('dcgan: batch norm trains and evaluates as in npm run train: the same losses (batch statistics) and scores (moving statistics) over 6 iterations', async () => {
    const { dir } = await exported('dcgan');
    const args = ['--seed', '4', '--json', '--log-every', '1', '--eval-every', '3', '--eval-samples', '64'];
    const [torch, compiled] = await jsonLinesOfBoth(trainTorch(dir, '--iterations', '6', ...args), trainCompiled('--graph', 'dcgan', '--steps', '6', '--backend', 'wasm', '--out', path.join(dir, 'cli-out'), ...args));
    for (const [i, line] of lossLines(torch).entries()) {
      for (const [name, value] of Object.entries(line.losses)) expect(close(value, lossLines(compiled)[i]!.losses[name]!, 1e-4), `${name} at ${i}`).toBe(true);
    }
    const scores = (lines: ReturnType<typeof jsonLines>) => lines.flatMap((l) => (l.scores && l.step !== undefined ? [[l.step, l.scores] as const] : []));
    expect(scores(torch).map(([step]) => step)).toEqual([0, 3, 6]);
    // Scores at 3 and 6 read G through its moving statistics: equal only if both moved them alike.
    for (const [i, [, score]] of scores(torch).entries()) {
      const reference = scores(compiled)[i]![1];
      expect(close(score.frechet!, reference.frechet!, 1e-3), `frechet at ${i}: torch ${score.frechet}, tfjs ${reference.frechet}`).toBe(true);
      expect(close(score.diversity!, reference.diversity!, 1e-3), `diversity at ${i}`).toBe(true);
    }
  });

  it('gan: the same quality scores as npm run train --eval-every, from the classifier and held-out digits it carries', async () => {
    const { dir } = await exported('gan');
    const args = ['--seed', '3', '--json', '--eval-every', '2', '--eval-samples', '64'];
    const [torch, compiled] = await jsonLinesOfBoth(trainTorch(dir, '--iterations', '3', ...args), trainCompiled('--graph', 'gan', '--steps', '3', '--backend', 'wasm', '--out', path.join(dir, 'cli-out'), ...args));
    const scores = (lines: ReturnType<typeof jsonLines>) => lines.flatMap((l) => (l.scores && l.step !== undefined ? [[l.step, l.scores] as const] : []));
    expect(scores(torch).map(([step]) => step)).toEqual([0, 2, 3]);
    expect(scores(compiled).map(([step]) => step)).toEqual([0, 2, 3]);
    for (const [i, [step, score]] of scores(torch).entries()) {
      const reference = scores(compiled)[i]![1];
      expect(Object.keys(score)).toEqual(['frechet', 'diversity', 'entropy', 'confidence']);
      // The samples differ from tfjs's by float32 rounding only (about 1e-6), so every argmax agrees and the histograms are equal.
      expect(Math.abs(score.entropy! - reference.entropy!), `entropy at ${step}: torch ${score.entropy}, tfjs ${reference.entropy}`).toBeLessThanOrEqual(1e-6);
      expect(close(score.frechet!, reference.frechet!, 1e-3), `frechet at ${step}: torch ${score.frechet}, tfjs ${reference.frechet}`).toBe(true);
      for (const name of ['confidence', 'diversity']) expect(close(score[name]!, reference[name]!, 1e-4), `${name} at ${step}: torch ${score[name]}, tfjs ${reference[name]}`).toBe(true);
    }
    const done = torch.at(-1) as unknown as { done: boolean; scores: unknown[]; diagnoses: unknown[] };
    expect(done).toMatchObject({ done: true, diagnoses: [] });
    expect(done.scores).toEqual(scores(torch).map(([step, score]) => ({ step, scores: score })));
    expect(JSON.parse(await readFile(path.join(dir, 'out', 'summary.json'), 'utf8')).scores).toEqual(done.scores);
    // Without --json, the CLI's lines: three significant digits each.
    const text = await trainTorch(dir, '--iterations', '3', ...args.filter((a) => a !== '--json'));
    expect(text.code).toBe(0);
    const [, first] = scores(torch)[0]!;
    const digits = (value: number) => value.toPrecision(3);
    expect(text.stdout).toContain(
      `Quality at iteration 0: Fréchet distance ${digits(first.frechet!)}, class entropy (bits) ${digits(first.entropy!)}, confidence ${digits(first.confidence!)}, diversity ${digits(first.diversity!)}\n`,
    );
    expect(text.stdout).toMatch(/Scoring took [\d.]+ s of it/);
  });

  const printable = templates.filter((t) => exportProject(t.doc, 'pytorch').ok).map((t) => t.id);
  /**
   * Iterations each template is compared over. gan-leaky-tuned's Adam (beta1 0.5) turns the rounding noise in
   * gradients that are zero in exact arithmetic (the biases before its batch norms) into full-size steps: float32
   * runs of it drift 1e-3 apart by iteration 16 between any two implementations, tfjs's cpu and wasm backends
   * included, so it is compared where they still agree. cgan-tuned's likewise (lr 1e-3, beta1 0.5): tfjs's cpu and
   * wasm backends agree to 1.6e-5 over its first 19 iterations and differ by 2.4e-4 at the 20th, as torch and wasm do: it is compared over 16.
   */
  const ITERATIONS: Record<string, number> = { 'gan-leaky-tuned': 10, 'cgan-tuned': 16 };
  it.each(printable)('%s: 20 iterations at batch 32 (10 for gan-leaky-tuned, 16 for cgan-tuned, a sampled graph\'s slice) give npm run train\'s losses to 1e-4 and its sample grids', async (id) => {
    const slice = budget(getTemplate(id)!.doc, { iterations: ITERATIONS[id] ?? 20, batch: 32 });
    const dir = await writeExport(await mkdtemp(path.join(tmpdir(), `netloom-torch-${id}-`)), { ...slice.doc, training: { ...slice.doc.training, batchSize: slice.batch } }, undefined, 'pytorch');
    const graph = path.join(dir, 'graph.json');
    await writeFile(graph, JSON.stringify(slice.doc));
    const iterations = String(slice.iterations);
    const args = ['--seed', '7', '--json', '--log-every', slice.iterations < 10 ? '1' : '5', '--sample-every', String(slice.iterations / 2), ...slice.flags];
    // Both at once, a process each (2 cores): half the wall time.
    const [lines, compiledLines] = await jsonLinesOfBoth(
      trainTorch(dir, '--iterations', iterations, ...args),
      trainCompiled('--graph', graph, '--steps', iterations, '--batch-size', String(slice.batch), '--backend', 'wasm', '--out', path.join(dir, 'cli-out'), ...args),
    );
    expect(lines.at(-1)).toMatchObject({ done: true, steps: Number(iterations) });
    const compiled = lossLines(compiledLines);
    expect(lossLines(lines).map((l) => l.step)).toEqual(compiled.map((l) => l.step));
    for (const [i, line] of lossLines(lines).entries()) {
      for (const [name, value] of Object.entries(line.losses)) expect(close(value, compiled[i]!.losses[name]!, 1e-4), `${id} ${name} at ${line.step}: torch ${value}, tfjs ${compiled[i]!.losses[name]}`).toBe(true);
    }
    // The same samples: each grid's pixels within 2 of 255 of the app's (float32 rounding may move one by a level).
    for (const file of ['000.png', '001.png', '002.png']) {
      const [ours, theirs] = await Promise.all([path.join(dir, 'out', file), path.join(dir, 'cli-out', file)].map(async (f) => PNG.sync.read(await readFile(f))));
      expect([ours!.width, ours!.height]).toEqual([theirs!.width, theirs!.height]);
      const far = ours!.data.filter((v, k) => Math.abs(v - theirs!.data[k]!) > 2).length;
      expect(far, `${file}: pixels more than 2 levels from the app's`).toBe(0);
    }
    // Scored by default before iteration 0 and at the end, where the graph has samples and data of their shape.
    const scoreLines = lines.filter((l) => l.scores !== undefined && l.step !== undefined);
    const scored = scoreLines.map((l) => l.step);
    const analysis = analyse(getTemplate(id)!.doc);
    expect(scored).toEqual(analysis.ok && lower(analysis).quality ? [0, Number(iterations)] : []);
    for (const line of scoreLines) for (const value of Object.values(line.scores!)) expect(Number.isFinite(value)).toBe(true);
    const grid = PNG.sync.read(await readFile(path.join(dir, 'out', '002.png')));
    expect(grid.width).toBeGreaterThan(4 * 28);
  });

  it('--cuda-graphs says why it is not used where it cannot be (here: no CUDA, or PyTorch 1), and trains without', async () => {
    const { dir } = await exported('gan', 8);
    const run = await trainTorch(dir, '--iterations', '2', '--cuda-graphs', '--eval-every', '0');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/--cuda-graphs: not used, they need (PyTorch 2 or later \(this is [\w.+]+\)|a CUDA device \(this is cpu\)); running eagerly/);
    expect(run.stdout).toMatch(/Done: 2 iterations/);
  });

  it('reads a dataset larger than its memory budget from its file, chunk by chunk, with the same batches as one held in memory', async () => {
    const { dir } = await exported('gan');
    const script = [
      'import json, torch',
      'from netloom import data, philox',
      'def resident(): return int(next(line for line in open("/proc/self/status") if line.startswith("VmRSS")).split()[1])',
      'def batches(iterations=938):',
      '    sampler = data.TrainingDraws(data.ImageBatches(data.load_dataset("data", "mnist", "train"), "0..1", philox.source_stream(0, "train", "/X"), 1), 1)',
      // A whole epoch (938 batches of 64), keeping every 97th; and how much memory the sampler holds then (while its file is still mapped).
      '    kept = [batch for i in range(iterations) for batch in [sampler(i, 0, 64)["images"]] if i % 97 == 0]',
      '    return kept, resident()',
      'data.HOST_BYTES = 0',
      // Torch's first operations map their own code and buffers: measured after them.
      'batches(50)',
      'before = resident()',
      'streamed, after = batches()',
      'grew = after - before',
      'data.HOST_BYTES = 1 << 30',
      'held, _ = batches()',
      'print(json.dumps({"equal": all(torch.equal(a, b) for a, b in zip(held, streamed)), "count": len(held), "grewKB": grew}))',
    ].join('\n');
    const run = await exec(python, ['-c', script], dir);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ equal: true, count: 10 });
    // An epoch streamed touches every one of the 47 MB of images, and lets each chunk's pages go again (this process's resident memory, Linux).
    expect(result.grewKB).toBeLessThan(15_000);
  });

  it('gan-leaky-tuned with d_steps 2: each round of the repeated step draws its own dropout masks, as npm run train does', async () => {
    const doc = structuredClone(getTemplate('gan-leaky-tuned')!.doc);
    doc.training.schedule[0]!.repeat = 2;
    const dir = await writeExport(await mkdtemp(path.join(tmpdir(), 'netloom-torch-rounds-')), doc, undefined, 'pytorch');
    const file = path.join(dir, 'graph.json');
    await writeFile(file, JSON.stringify(doc));
    const args = ['--seed', '6', '--json', '--log-every', '1'];
    const runs = await jsonLinesOfBoth(trainTorch(dir, '--iterations', '4', ...args), trainCompiled('--graph', file, '--steps', '4', '--backend', 'wasm', '--out', path.join(dir, 'cli-out'), ...args));
    const [torch, compiled] = [lossLines(runs[0]), lossLines(runs[1])];
    expect(torch.map((l) => l.step)).toEqual([0, 1, 2, 3]);
    for (const [i, line] of torch.entries()) for (const [name, value] of Object.entries(line.losses)) expect(close(value, compiled[i]!.losses[name]!, 1e-4), `${name} at ${i}`).toBe(true);
  });

  it.each([
    ['', hostileDoc],
    [' (D a block: its calls copies with weights of their own)', hostileBlockDoc],
  ])('keeps hostile names in strings and comments%s: the graph trains exactly as it says, with its losses named as the graph names them', async (_what, make) => {
    const doc = make();
    const dir = await writeExport(await mkdtemp(path.join(tmpdir(), 'netloom-torch-hostile-')), doc, undefined, 'pytorch');
    const file = path.join(dir, 'hostile.json');
    await writeFile(file, JSON.stringify(doc));
    const args = ['--seed', '2', '--json', '--log-every', '1'];
    const torch = lossLines(jsonLines(await trainTorch(dir, '--iterations', '3', '--batch-size', '16', ...args)));
    const small = path.join(dir, 'small.json');
    await writeFile(small, JSON.stringify({ ...doc, training: { ...doc.training, batchSize: 16 } }));
    const compiled = lossLines(jsonLines(await trainCompiled('--graph', small, '--steps', '3', '--backend', 'wasm', '--out', path.join(dir, 'cli-out'), ...args)));
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
    const steps = lossLines;
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
    const steps = (run: Awaited<ReturnType<typeof exec>>) => lossLines(jsonLines(run));
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
