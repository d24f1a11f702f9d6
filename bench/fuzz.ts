/**
 * The graph fuzz at scale: the generators of tests/fixtures/fuzz.ts (as the
 * unit fuzz runs them, on many more graphs). Every graph is analysed (an
 * exception is a crash); every one that passes is lowered, exported and
 * trained two iterations at batch 3 on the cpu backend with its previews
 * and monitors drawn, and disposed (tensors left behind are leaks; a
 * non-finite loss from extreme settings is a stop, not a failure). Then
 * hostile names from fast-check become every id, network name and label of
 * several exports of many graphs each, type-checked in one tsc run.
 *   npx tsx bench/fuzz.ts [count]   (default 2000 graphs; seed with --seed)
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { exportProject } from '../codegen/export';
import { analyse } from '../lib/graph/analyse';
import type { GraphDoc } from '../lib/graph/schema';
import { lower } from '../lib/plan/lower';
import { useBackend } from '../lib/train/backend';
import { crossedDoc, hostile, hostileDoc, hostileName, merged, mutatedDoc, plausibleDoc, syntheticData, train, wildDoc, type Outcome } from '../tests/fixtures/fuzz';
import { exec, TSC, workspace, writeExport } from '../tests/fixtures/workspace';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { seed: { type: 'string', default: '1' } } });
const count = Number(positionals[0] ?? 2000);
const seed = Number(values.seed);

/** The mix the unit fuzz draws from (anyDoc), kept apart to report each. */
const GENERATORS: [name: string, arbitrary: fc.Arbitrary<GraphDoc>, share: number][] = [
  ['plausible', plausibleDoc, 4],
  ['mutated', mutatedDoc, 4],
  ['wild', wildDoc, 2],
  ['hostile names', hostileDoc, 1],
  ['crossed ids', crossedDoc, 1],
];

interface Row {
  graphs: number;
  crashes: number;
  passed: number;
  exportFailures: number;
  outcomes: Record<Outcome['status'], number>;
  leaked: number;
}

const shown = new Set<string>();
/** The first few distinct problems, in full (the counts say how many). */
function show(what: string, doc: GraphDoc, error: unknown) {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const key = `${what}: ${message.split('\n')[0]}`;
  if (shown.has(key) || shown.size >= 10) return;
  shown.add(key);
  console.log(`\n${key}\n${message.split('\n').slice(1, 4).join('\n')}\n${JSON.stringify(doc).slice(0, 2000)}`);
}

async function fuzz(name: string, arbitrary: fc.Arbitrary<GraphDoc>, graphs: number): Promise<Row> {
  const row: Row = { graphs, crashes: 0, passed: 0, exportFailures: 0, outcomes: { trained: 0, diverged: 0, skipped: 0, failed: 0 }, leaked: 0 };
  const data = syntheticData();
  for (const doc of fc.sample(arbitrary, { seed, numRuns: graphs })) {
    let ok: boolean;
    try {
      const analysis = analyse(doc);
      ok = analysis.ok;
      if (ok) lower(analysis);
    } catch (e) {
      row.crashes += 1;
      show(`${name}: analysis threw`, doc, e);
      continue;
    }
    if (!ok) continue;
    row.passed += 1;
    try {
      const project = exportProject(doc);
      if (!project.ok) throw new Error(project.error);
    } catch (e) {
      row.exportFailures += 1;
      show(`${name}: export failed`, doc, e);
    }
    const outcome = await train(doc, tf, data);
    row.outcomes[outcome.status] += 1;
    row.leaked += outcome.leaked;
    if (outcome.status === 'failed') show(`${name}: passed analysis, failed to train`, doc, outcome.error);
  }
  return row;
}

/** Exports of many graphs each, every name hostile, type-checked together. */
async function hostileExports(projects: number, graphsEach: number) {
  const pool = fc.sample(hostileName, { seed, numRuns: 1000 });
  let drawn = 0;
  const next = () => pool[drawn++ % pool.length]!;
  const passing = fc
    .sample(plausibleDoc, { seed: seed + 1, numRuns: projects * graphsEach * 2 })
    .filter((doc) => analyse(doc).ok)
    .slice(0, projects * graphsEach);
  const root = await workspace();
  const names: number[] = [];
  let generationFailures = 0;
  for (let p = 0; p < projects; p++) {
    const before = drawn;
    const doc = hostile(merged(passing.slice(p * graphsEach, (p + 1) * graphsEach)), next);
    names.push(drawn - before);
    try {
      if (!analyse(doc).ok) throw new Error(analyse(doc).errors.map((e) => e.message).join('; '));
      await writeExport(path.join(root, `p${p}`), doc);
    } catch (e) {
      generationFailures += 1;
      show('hostile names: generation failed', doc, e);
    }
  }
  // The projects' own compiler options, over all of them at once (as tests/integration/codegen/typecheck.test.ts does).
  const config = JSON.parse(await readFile(path.join(root, 'p0', 'tsconfig.json'), 'utf8'));
  await writeFile(path.join(root, 'tsconfig.json'), JSON.stringify({ ...config, include: Array.from({ length: projects }, (_, p) => `p${p}/**/*.ts`) }));
  const start = performance.now();
  const result = await exec(TSC, ['-p', 'tsconfig.json', '--strict', '--noEmit'], root);
  const seconds = (performance.now() - start) / 1000;
  const failing = new Set([...(result.stdout + result.stderr).matchAll(/^p(\d+)\//gm)].map((m) => Number(m[1])));
  if (result.code !== 0) console.log(`\ntsc:\n${(result.stdout + result.stderr).slice(0, 3000)}`);
  return { projects, graphs: passing.length, names: names.reduce((a, b) => a + b, 0), generationFailures, failingProjects: failing.size, failingNames: [...failing].reduce((n, p) => n + names[p]!, 0), seconds };
}

async function main() {
  await useBackend('cpu');
  const start = performance.now();
  const tensors = tf.memory().numTensors;
  const total = GENERATORS.reduce((n, [, , share]) => n + share, 0);
  const sizes = GENERATORS.map(([, , share]) => Math.floor((count * share) / total));
  sizes[0]! += count - sizes.reduce((a, b) => a + b, 0);
  const rows: [string, Row][] = [];
  for (const [i, [name, arbitrary]] of GENERATORS.entries()) rows.push([name, await fuzz(name, arbitrary, sizes[i]!)]);
  const fuzzSeconds = (performance.now() - start) / 1000;
  const hostileRun = await hostileExports(Math.max(1, Math.round(count / 250)), 10);

  const sum = (f: (r: Row) => number) => rows.reduce((n, [, r]) => n + f(r), 0);
  const table = [
    ['generator', 'graphs', 'analysis crashes', 'passed analysis', 'export failures', 'trained', 'non-finite stops', 'skipped (large)', 'failed to train', 'tensors leaked'],
    ...[...rows, ['all', undefined] as const].map(([name, r]) => {
      const get = (f: (r: Row) => number) => String(r ? f(r) : sum(f));
      return [name, get((x) => x.graphs), get((x) => x.crashes), get((x) => x.passed), get((x) => x.exportFailures), get((x) => x.outcomes.trained), get((x) => x.outcomes.diverged), get((x) => x.outcomes.skipped), get((x) => x.outcomes.failed), get((x) => x.leaked)];
    }),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  console.log(`\ngraph fuzz, seed ${seed}, tfjs ${tf.getBackend()} backend, ${fuzzSeconds.toFixed(0)} s:`);
  for (const row of table) console.log(`  ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')}`);
  console.log(`  tensors alive after every program was disposed: ${tf.memory().numTensors - tensors} more than before`);
  console.log(
    `hostile names: ${hostileRun.names} generated as the ids, network names and labels of ${hostileRun.graphs} graphs in ${hostileRun.projects} exports; ` +
      `${hostileRun.generationFailures} exports failed to generate, ${hostileRun.failingProjects} failed tsc --strict (${hostileRun.failingNames} names in them); tsc took ${hostileRun.seconds.toFixed(1)} s`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
