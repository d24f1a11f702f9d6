/**
 * The exporter's two figures, in one run:
 *  1. time to export `ali` once warm (a fresh document object each time, as
 *     the app gets from the database): median of --exports runs;
 *  2. training speed of the exported TypeScript script against `npm run train`
 *     on the compiled program, same template, backend and batch, both run as
 *     child processes the way users run them, alternating, for --rounds rounds;
 *     each figure is the median it/s of the logged windows after the first.
 *     (The PyTorch export has its own benchmark: bench/pytorch.ts.)
 *   npx tsx bench/export.ts [--exports 20] [--rounds 3] [--iterations 150] [--backend wasm]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exportProject } from '../codegen/export';
import { getTemplate } from '../lib/templates';
import { exec, jsonLines, TSX, workspace, writeExport } from '../tests/fixtures/workspace';

const { values } = parseArgs({
  options: {
    exports: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    iterations: { type: 'string', default: '150' },
    backend: { type: 'string', default: 'wasm' },
  },
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function exportTime(id: string, runs: number): { cold: number; warm: number } {
  const doc = getTemplate(id)!.doc;
  const time = () => {
    const start = performance.now();
    const result = exportProject(structuredClone(doc));
    if (!result.ok) throw new Error(result.error);
    return performance.now() - start;
  };
  const cold = time();
  for (let i = 0; i < 3; i++) time();
  return { cold, warm: median(Array.from({ length: runs }, time)) };
}

async function trainSpeed(id: string, rounds: number, iterations: number, backend: string) {
  const dir = await writeExport(await workspace(), getTemplate(id)!.doc);
  const logEvery = Math.max(1, Math.floor(iterations / 6));
  // No grids or checkpoints inside the timed windows.
  const common = ['--backend', backend, '--seed', '1', '--json', '--log-every', String(logEvery), '--sample-every', String(iterations * 10)];
  const windows = (lines: ReturnType<typeof jsonLines>) => lines.filter((l) => l.step !== undefined && l.step > 0).map((l) => l.itPerSec);
  const exported: number[] = [];
  const compiled: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = await exec(TSX, ['train.ts', '--iterations', String(iterations), '--checkpoint-every', String(iterations * 10), '--out', 'out', ...common], dir);
    exported.push(...windows(jsonLines(a)));
    const b = await exec(TSX, ['cli/train.ts', '--graph', id, '--steps', String(iterations), '--out', path.join(dir, 'cli-out'), ...common], process.cwd());
    compiled.push(...windows(jsonLines(b)));
  }
  return { exported: median(exported), compiled: median(compiled) };
}

async function main() {
  const ali = exportTime('ali', Number(values.exports));
  console.log(`export ali: ${ali.warm.toFixed(1)} ms warm (median of ${values.exports}), ${ali.cold.toFixed(0)} ms cold (first in this process)`);
  for (const id of ['gan', 'ali']) {
    const speed = await trainSpeed(id, Number(values.rounds), Number(values.iterations), values.backend);
    const batch = getTemplate(id)!.doc.training.batchSize;
    console.log(
      `train ${id.padEnd(4)} batch ${batch} on ${values.backend}: exported script ${speed.exported.toFixed(1)} it/s, ` +
        `npm run train (compiled) ${speed.compiled.toFixed(1)} it/s, ratio ${(speed.exported / speed.compiled).toFixed(2)}`,
    );
  }
}

main();
