import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportProject, textFile } from '../../../codegen/export';
import { pyString } from '../../../codegen/pytorch/text';
import { analyse } from '../../../lib/graph/analyse';
import { useBackend } from '../../../lib/train/backend';
import type { GraphDoc } from '../../../lib/graph/schema';
import { randomBits, stream } from '../../../lib/runtime/random';
import { hostile, hostileDoc, hostileName, merged, plausibleDoc, syntheticData, syntheticDataFiles, train } from '../../fixtures/fuzz';
import { everyNameDoc } from '../../fixtures/hostile';
import { torchPython } from '../../fixtures/python';
import { exec, jsonLines, writeExport } from '../../fixtures/workspace';

/**
 * The hostile-name fuzz of fuzz-names.test.ts through the PyTorch export:
 * random graphs whose every id, network name and node label is hostile text
 * (any code point, quotes, backslashes, NUL, every line terminator Python
 * knows, comment and docstring ends) give a train.py that compiles and is,
 * outside its string contents, the program the same graph with plain names
 * gives; a large one trains; and text built to escape a docstring or a
 * comment runs nothing. The Python checks run in one process over every
 * file (tests/fixtures/python-syntax.py).
 */
const SEED = 20_240_611;
const python = torchPython();
const run = promisify(execFile);

/** Hands out the sampled names in turn. */
function names(seed: number, count: number): () => string {
  const all = fc.sample(hostileName, { seed, numRuns: count });
  let i = 0;
  return () => all[i++ % all.length]!;
}

/** Plain names, one of each, for the same graph: its reference program. */
function plainNames(): () => string {
  let i = 0;
  return () => `n${i++}`;
}

function trainPy(doc: GraphDoc): string | undefined {
  const project = exportProject(doc, 'pytorch');
  return project.ok ? textFile(project.value, 'train.py') : undefined;
}

/** Problems that tests/fixtures/python-syntax.py finds in the files (empty: none). */
async function pythonProblems(items: { file: string; like?: string; load?: boolean }[]): Promise<string[]> {
  const child = run(python, [path.resolve('tests/fixtures/python-syntax.py')], { maxBuffer: 1 << 26, timeout: 300_000 });
  child.child.stdin!.end(JSON.stringify(items));
  return JSON.parse((await child).stdout);
}

/** Text that closes a docstring, a string or a comment and runs a command that leaves a file behind. */
const ESCAPES = (marker: string) => [
  `""";import os;os.system("touch ${marker}");"""`,
  `"";import os;os.system("touch ${marker}")#`,
  `\\";import os;os.system("touch ${marker}")#`,
  `x\nimport os;os.system("touch ${marker}")\n`,
  `x\rimport os;os.system("touch ${marker}")\r`,
  `x\u0000\nimport os;os.system("touch ${marker}")\n`,
  ...['\u000b', '\u000c', '\u001c', '\u001d', '\u001e', '\u0085', '\u2028', '\u2029'].map((end) => `x${end}import os;os.system("touch ${marker}")${end}`),
  `\\N{`,
  `\\x`,
  `trailing backslash \\`,
  `quote at the end "`,
  `\ud800 lone \udfff surrogates`,
  `%(prog)s %d %`,
];

describe('hostile names through the PyTorch export', () => {
  it('never make the exporter throw', () => {
    fc.assert(
      fc.property(hostileDoc, (doc) => {
        const project = exportProject(doc, 'pytorch');
        // Names never make a graph invalid: a graph that passes analysis exports, unless a kind has no PyTorch form yet.
        if (analyse(doc).ok) expect(project.ok || project.error.startsWith('The PyTorch export cannot print')).toBe(true);
      }),
      { seed: SEED, numRuns: 60 },
    );
  });

  it('are kept exactly in string literals: Python reads back every UTF-16 code unit, and keys streams by them as the app does', async () => {
    const texts = [...fc.sample(hostileName, { seed: SEED, numRuns: 2000 }), ...ESCAPES('marker')];
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'netloom-torch-strings-')), 'strings.py');
    const program = [
      'import json, sys',
      `sys.path.insert(0, ${pyString(path.resolve('codegen/pytorch'))})`,
      'from netloom import philox',
      `texts = [${texts.map(pyString).join(',\n')}]`,
      'print(json.dumps({"texts": texts, "keys": [list(philox.stream(0, t)) for t in texts], "draws": [int(philox.bits(philox.stream(0, t), [0], [0], 1)[0, 0]) for t in texts]}))',
    ];
    await writeFile(file, `${program.join('\n')}\n`);
    const result = await exec(python, [file], path.dirname(file));
    expect(result.stderr).toBe('');
    const read = JSON.parse(result.stdout);
    expect(read.texts).toEqual(texts);
    // Node ids and names key the streams and weights: a lone surrogate hashes as JavaScript's charCodeAt sees it.
    expect(read.keys).toEqual(texts.map((t) => Object.values(stream(0, t))));
    expect(read.draws).toEqual(texts.map((t) => randomBits(stream(0, t), { iteration: 0, draw: 0 }, 1)[0]));
  });

  describe('in many graphs', () => {
    let root: string;
    const items: { file: string; like: string; load: boolean }[] = [];

    beforeAll(async () => {
      root = await mkdtemp(path.join(tmpdir(), 'netloom-torch-fuzz-'));
      const graphs = fc.sample(plausibleDoc, { seed: SEED, numRuns: 300 }).filter((g) => analyse(g).ok);
      const pool = names(SEED, 2000);
      for (const [i, graph] of graphs.entries()) {
        const hostileText = trainPy(hostile(graph, pool));
        const plainText = trainPy(hostile(graph, plainNames()));
        expect(hostileText === undefined, `graph ${i}: exported with plain names but not with hostile ones, or the other way round`).toBe(plainText === undefined);
        if (!hostileText || !plainText) continue;
        const [file, like] = [path.join(root, `${i}-hostile.py`), path.join(root, `${i}-plain.py`)];
        await writeFile(file, hostileText);
        await writeFile(like, plainText);
        items.push({ file, like, load: true });
      }
    });

    it('every train.py compiles, holds no raw control or separator character, is the plain-named program but for strings and names, and loads', async () => {
      expect(items.length).toBeGreaterThan(150);
      expect(await pythonProblems(items)).toEqual([]);
    });
  });

  describe('in one export of many graphs', () => {
    let dir: string;
    let doc: GraphDoc;

    beforeAll(async () => {
      // Graphs that the app trains (a random optimizer may diverge at once, as Adam with epsilon 0 does): names are what is tested here.
      await useBackend('cpu');
      const graphs: GraphDoc[] = [];
      for (const g of fc.sample(plausibleDoc, { seed: SEED, numRuns: 60 }).filter((g) => analyse(g).ok)) {
        if (graphs.length < 12 && (await train(g, tf, syntheticData())).status === 'trained') graphs.push(g);
      }
      doc = hostile(merged(graphs), names(SEED, 400));
      dir = await writeExport(await mkdtemp(path.join(tmpdir(), 'netloom-torch-merged-')), doc, syntheticDataFiles(), 'pytorch');
      await writeFile(path.join(dir, 'plain.py'), trainPy(hostile(merged(graphs), plainNames()))!);
    });

    it('compiles, is the plain-named program but for strings and names, and trains 2 iterations with its losses named as the graph names them', async () => {
      expect(await pythonProblems([{ file: path.join(dir, 'train.py'), like: path.join(dir, 'plain.py') }])).toEqual([]);
      const lines = jsonLines(await exec(python, ['train.py', '--iterations', '2', '--batch-size', '4', '--log-every', '1', '--eval-every', '0', '--json', '--out', path.join(dir, 'out')], dir));
      const losses = lines.filter((l) => l.step !== undefined && l.losses);
      expect(losses.map((l) => l.step)).toEqual([0, 1]);
      const lossNames = [...doc.nodes, ...doc.networks.flatMap((n) => n.nodes)].map((n) => n.label);
      for (const name of Object.keys(losses[0]!.losses)) expect(lossNames).toContain(name);
    });
  });

  it('runs nothing that a name says: text built to close a docstring, a string or a comment stays text', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'netloom-torch-escape-'));
    const marker = path.join(root, 'ESCAPED');
    const texts = ESCAPES(marker);
    // Every kind of name: network names, network input labels (in docstrings), layer, loss and optimizer labels (in comments), and the graph's name.
    const named = (text: string) => {
      const doc = everyNameDoc([text]);
      doc.name = text;
      for (const scope of [doc, ...doc.networks]) for (const node of scope.nodes) node.label = `${text} ${node.id}`;
      for (const network of doc.networks) network.name = `${text} ${network.id}`;
      return doc;
    };
    const items = [];
    for (const [i, text] of texts.entries()) {
      const [file, like] = [path.join(root, `${i}.py`), path.join(root, `${i}-plain.py`)];
      await writeFile(file, trainPy(named(text))!);
      await writeFile(like, trainPy(named('n0'))!);
      items.push({ file, like, load: true });
    }
    expect(await pythonProblems(items)).toEqual([]);
    // All of them in one project, run as a user runs it: its help (argparse formats the graph's name) and an iteration.
    const doc = everyNameDoc(texts);
    doc.name = `%(prog)s %d % \ud800 ${texts[0]}`;
    const dir = await writeExport(path.join(root, 'project'), doc, undefined, 'pytorch');
    const help = await exec(python, ['train.py', '--help'], dir);
    expect(help.stderr).toBe('');
    expect(help.stdout).toContain('train.py trains %(prog)s %d % \\ud800 """;import os');
    const lines = jsonLines(await exec(python, ['train.py', '--iterations', '1', '--batch-size', '4', '--eval-every', '0', '--json', '--out', path.join(dir, 'out')], dir));
    expect(lines.at(-1)).toMatchObject({ done: true, steps: 1 });
    expect(existsSync(marker)).toBe(false);
  });
});
