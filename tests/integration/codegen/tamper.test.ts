import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { strToU8, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import * as checkpointsRoute from '../../../app/api/runs/[runId]/checkpoints/route';
import { compile, type TrainingProgram } from '../../../lib/compile/program';
import { migrate } from '../../../lib/db/migrate';
import { LOCAL_OWNER } from '../../../lib/db/owner';
import { createProject } from '../../../lib/db/projects';
import { addCheckpoint, createRun } from '../../../lib/db/runs';
import { checkpointCrc, crc32, type CheckpointManifest } from '../../../lib/runtime/checkpoint';
import { getTemplate } from '../../../lib/templates';
import { decodeCheckpoint, parseCheckpoint, unzipCheckpoint } from '../../../lib/train/checkpoint';
import { torchPython } from '../../fixtures/python';
import { exec, jsonLines, trainExported, twoAtATime, workspace, writeExport, type Run } from '../../fixtures/workspace';
import { mnistData, wasm } from '../../helpers';

/**
 * Tampered checkpoints, one table, every target: the app (the server that
 * stores an upload, the zip the editor loads, the restore into its program),
 * the TypeScript export and the PyTorch export (`--resume`). Each damaged or
 * edited checkpoint is refused, in one line that names the file and what is
 * wrong, never a stack trace or traceback; none resumes silently. The one
 * edit a CRC cannot catch, one whose CRC was computed again on purpose, is
 * shown to resume, as the README says. (`npm run train` reads no checkpoint.)
 */
const python = torchPython();
const doc = getTemplate('gan')!.doc;

type Files = { manifest: string; weights: Uint8Array };
type Manifest = Record<string, unknown> & { weightsManifest: [{ weights: { name: string; shape: number[]; dtype: string }[] }]; optimizerSteps: Record<string, unknown> };

let good: Files;
let tsDir: string;
let torchDir: string;
let runId: string;
let program: TrainingProgram;

/** The manifest edited as JSON, its CRCs left as they were (or computed again). */
const edit = (change: (m: Manifest) => void, recompute = false) => (files: Files): Files => {
  const m = JSON.parse(files.manifest) as Manifest;
  change(m);
  if (recompute) {
    m.weightsCrc32 = crc32(files.weights);
    m.crc32 = checkpointCrc(m as unknown as CheckpointManifest, files.weights);
  }
  return { ...files, manifest: JSON.stringify(m, null, 2) };
};
const weightsOf = (change: (w: Uint8Array) => Uint8Array) => (files: Files): Files => ({ ...files, weights: change(new Uint8Array(files.weights)) });
const text = (manifest: string) => (files: Files): Files => ({ ...files, manifest });

/** Two tensors of one shape whose bytes differ, with their byte ranges. */
function sameShapePair(files: Files) {
  const specs = (JSON.parse(files.manifest) as Manifest).weightsManifest[0].weights;
  let offset = 0;
  const ranges = specs.map((s) => {
    const bytes = 4 * s.shape.reduce((a, b) => a * b, 1);
    offset += bytes;
    return { ...s, index: specs.indexOf(s), start: offset - bytes, end: offset };
  });
  for (const a of ranges) {
    for (const b of ranges) {
      if (b.index <= a.index || JSON.stringify(a.shape) !== JSON.stringify(b.shape)) continue;
      if (!Buffer.from(files.weights.subarray(a.start, a.end)).equals(Buffer.from(files.weights.subarray(b.start, b.end)))) return { a, b };
    }
  }
  throw new Error('no two tensors of one shape with different values');
}
const swapNames = (m: Manifest) => {
  const { a, b } = sameShapePair(good);
  const specs = m.weightsManifest[0].weights;
  [specs[a.index]!.name, specs[b.index]!.name] = [specs[b.index]!.name, specs[a.index]!.name];
};

const CHANGED = /checkpoint\.json was changed after it was written: its crc32 \(\d+\) does not match its fields and weights\.bin \(\d+\)/;
const ITERATION = /checkpoint\.json: iteration: expected a whole number from 0 to 1000000000, got /;
const DAMAGED = /weights\.bin is damaged: its CRC-32 is \d+, checkpoint\.json says \d+/;
const SIZE = /weights\.bin has \d+ bytes; checkpoint\.json describes \d+/;

/** Each tampering, and what its refusal says (`graph`: only the restore into a graph can tell). */
const CASES: { what: string; tamper: (f: Files) => Files; refusal: RegExp; graph?: true }[] = [
  { what: 'crc32 deleted', tamper: edit((m) => delete m.crc32), refusal: /checkpoint\.json: crc32: expected the CRC-32 of the manifest and weights\.bin \(a whole number below 2\^32\), got nothing/ },
  { what: 'weightsCrc32 deleted', tamper: edit((m) => delete m.weightsCrc32), refusal: /checkpoint\.json: weightsCrc32: expected the CRC-32 of weights\.bin/ },
  { what: 'both CRCs deleted', tamper: edit((m) => (delete m.crc32, delete m.weightsCrc32)), refusal: /checkpoint\.json: weightsCrc32: expected/ },
  { what: 'crc32 a string', tamper: edit((m) => (m.crc32 = 'x')), refusal: /checkpoint\.json: crc32: expected .* got "x"/ },
  { what: 'iteration 1e15', tamper: edit((m) => (m.iteration = 1e15)), refusal: ITERATION },
  { what: 'iteration -1', tamper: edit((m) => (m.iteration = -1)), refusal: ITERATION },
  { what: 'iteration "x"', tamper: edit((m) => (m.iteration = 'x')), refusal: ITERATION },
  { what: 'iteration 4.5', tamper: edit((m) => (m.iteration = 4.5)), refusal: ITERATION },
  { what: 'iteration true', tamper: edit((m) => (m.iteration = true)), refusal: ITERATION },
  { what: 'iteration 5 (in range)', tamper: edit((m) => (m.iteration = 5)), refusal: CHANGED },
  { what: 'an optimizer step of 0', tamper: edit((m) => (m.optimizerSteps.G_solver = 0)), refusal: CHANGED },
  { what: 'an optimizer step that disagrees (3 of 4)', tamper: edit((m) => (m.optimizerSteps.D_solver = 3)), refusal: CHANGED },
  { what: 'an optimizer step beyond the iterations', tamper: edit((m) => (m.optimizerSteps.D_solver = 1e12)), refusal: /checkpoint\.json: optimizerSteps\."D_solver": expected a whole number from 0 to 4000 \(1000 per iteration\)/ },
  { what: 'an optimizer step -1', tamper: edit((m) => (m.optimizerSteps.D_solver = -1)), refusal: /optimizerSteps\."D_solver": expected a whole number/ },
  { what: 'an optimizer missing from optimizerSteps', tamper: edit((m) => delete m.optimizerSteps.D_solver), refusal: /checkpoint\.json: optimizerSteps and optimizerKinds name different optimizers \("D_solver" is in one only\)/ },
  { what: 'dtype int32', tamper: edit((m) => (m.weightsManifest[0].weights[0]!.dtype = 'int32')), refusal: /checkpoint\.json: weightsManifest\.0\.weights\.0\.dtype: expected "float32", got "int32"/ },
  { what: 'names of two same-shape tensors swapped', tamper: edit(swapNames), refusal: CHANGED },
  { what: 'bytes of two same-shape tensors swapped', tamper: weightsOf((w) => {
    const { a, b } = sameShapePair(good);
    const first = w.slice(a.start, a.end);
    w.copyWithin(a.start, b.start, b.end);
    w.set(first, b.start);
    return w;
  }), refusal: DAMAGED },
  { what: 'one bit flipped', tamper: weightsOf((w) => ((w[1000] = w[1000]! ^ 0x10), w)), refusal: DAMAGED },
  { what: 'weights truncated', tamper: weightsOf((w) => w.subarray(0, w.length - 4)), refusal: SIZE },
  { what: 'extra bytes after the weights', tamper: weightsOf((w) => new Uint8Array([...w, 0, 0, 0, 0])), refusal: SIZE },
  { what: 'weights empty', tamper: weightsOf(() => new Uint8Array(0)), refusal: SIZE },
  { what: 'manifest cut short', tamper: (f) => text(f.manifest.slice(0, f.manifest.length / 2))(f), refusal: /checkpoint\.json is not JSON/ },
  { what: 'manifest empty', tamper: text(''), refusal: /checkpoint\.json is not JSON/ },
  { what: 'manifest null', tamper: text('null'), refusal: /checkpoint\.json: expected a JSON object, got null/ },
  { what: 'manifest a list', tamper: text('[1, 2]'), refusal: /checkpoint\.json: expected a JSON object, got \[1,2\]/ },
  { what: 'manifest nested 100,000 deep', tamper: text(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), refusal: /checkpoint\.json( is not JSON|: expected a JSON object)/ },
  { what: 'format of another program', tamper: edit((m) => (m.format = 'other')), refusal: /checkpoint\.json: format: expected "netloom-checkpoint", got "other"/ },
  { what: 'version 3', tamper: edit((m) => (m.version = 3)), refusal: /checkpoint\.json: version: expected 1 or 2, got 3/ },
  { what: 'graph a number', tamper: edit((m) => (m.graph = 5)), refusal: /checkpoint\.json: graph: expected a string, got 5/ },
  { what: 'optimizerSteps a list', tamper: edit((m) => (m.optimizerSteps = [] as unknown as Record<string, unknown>)), refusal: /checkpoint\.json: optimizerSteps: expected an object, got \[\]/ },
  { what: 'optimizerKinds with a number', tamper: edit((m) => ((m.optimizerKinds as Record<string, unknown>).D_solver = 5)), refusal: /checkpoint\.json: optimizerKinds\."D_solver": expected a name, got 5/ },
  { what: 'weightsManifest an object', tamper: edit((m) => (m.weightsManifest = {} as Manifest['weightsManifest'])), refusal: /checkpoint\.json: weightsManifest: expected one group/ },
  { what: 'weightsManifest missing', tamper: edit((m) => delete (m as Partial<Manifest>).weightsManifest), refusal: /checkpoint\.json: weightsManifest: expected one group/ },
  { what: 'paths of another file', tamper: edit((m) => ((m.weightsManifest[0] as Record<string, unknown>).paths = ['other.bin'])), refusal: /checkpoint\.json: weightsManifest\.0\.paths: expected \["weights\.bin"\], got \["other\.bin"\]/ },
  { what: 'weights not a list', tamper: edit((m) => ((m.weightsManifest[0] as Record<string, unknown>).weights = 'x')), refusal: /checkpoint\.json: weightsManifest\.0\.weights: expected a list, got "x"/ },
  { what: 'a tensor entry a string', tamper: edit((m) => ((m.weightsManifest[0].weights as unknown[])[0] = 'x')), refusal: /checkpoint\.json: weightsManifest\.0\.weights\.0: expected an object, got "x"/ },
  { what: 'a tensor without a name', tamper: edit((m) => delete (m.weightsManifest[0].weights[0] as Partial<{ name: string }>).name), refusal: /checkpoint\.json: weightsManifest\.0\.weights\.0\.name: expected a name, got nothing/ },
  { what: 'a tensor named twice', tamper: edit((m) => (m.weightsManifest[0].weights[1]!.name = m.weightsManifest[0].weights[0]!.name)), refusal: /checkpoint\.json: weightsManifest\.0\.weights\.1\.name: ".*" appears twice/ },
  { what: 'a shape "x"', tamper: edit((m) => ((m.weightsManifest[0].weights[0] as Record<string, unknown>).shape = 'x')), refusal: /checkpoint\.json: weightsManifest\.0\.weights\.0\.shape: expected a list of at most 8 sizes, got "x"/ },
  { what: 'a shape with a negative size', tamper: edit((m) => (m.weightsManifest[0].weights[0]!.shape = [-784, 128])), refusal: /weightsManifest\.0\.weights\.0\.shape: expected a list of at most 8 sizes, got \[-784,128\]/ },
  { what: 'a shape of 2^40', tamper: edit((m) => (m.weightsManifest[0].weights[0]!.shape = [2 ** 40])), refusal: /weightsManifest\.0\.weights\.0\.shape: expected a list of at most 8 sizes/ },
  { what: 'a field no checkpoint has', tamper: edit((m) => (m.extra = 1)), refusal: /checkpoint\.json: "extra": not a field of a checkpoint/ },
  // Edits whose CRCs were computed again: only the graph can tell, and it does.
  { what: 'a tensor added (CRCs recomputed)', graph: true, tamper: (f) => {
    const bigger = { ...f, weights: new Uint8Array([...f.weights, 0, 0, 128, 63]) };
    return edit((m) => m.weightsManifest[0].weights.push({ name: 'X/X/W', shape: [1], dtype: 'float32' }), true)(bigger);
  }, refusal: /the checkpoint holds X\/X\/W, which this graph does not train: it was saved from a different graph/ },
  { what: 'a weight transposed (CRCs recomputed)', graph: true, tamper: edit((m) => {
    const w = m.weightsManifest[0].weights.find((s) => s.name === 'D/D_h1/W')!;
    w.shape = [...w.shape].reverse();
  }, true), refusal: /weight "D\/D_h1\/W" is \[128, 784\] in the checkpoint but \[784, 128\] here/ },
  { what: 'an optimizer this graph lacks (CRCs recomputed)', graph: true, tamper: edit((m) => {
    m.optimizerSteps.Q_solver = 4;
    (m.optimizerKinds as Record<string, string>).Q_solver = 'adam';
  }, true), refusal: /the checkpoint holds the state of optimizer\(s\) Q_solver, which this graph does not have/ },
];

/** A checkpoint folder holding the tampered files. */
async function folder(files: Files): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'netloom-tampered-'));
  await writeFile(path.join(dir, 'checkpoint.json'), files.manifest);
  await writeFile(path.join(dir, 'weights.bin'), files.weights);
  return dir;
}

/** A refusal as a user sees it: status not 0, one line on stderr naming the folder and the problem, no stack trace or traceback. */
function refusedInOneLine(run: Run, dir: string, refusal: RegExp, what: string) {
  expect(run.code, `${what}: ${run.stdout.slice(-500)}`).not.toBe(0);
  const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines, what).toHaveLength(1);
  expect(lines[0], what).toContain(dir);
  expect(lines[0], what).toMatch(refusal);
  expect(run.stderr, what).not.toMatch(/Traceback|^\s+at |File ".*", line \d+/m);
}

const resumeTs = (dir: string, out: string) => trainExported(tsDir, '--resume', dir, '--iterations', '5', '--backend', 'wasm', '--batch-size', '16', '--json', '--out', out);
const resumeTorch = (dir: string, out: string) => exec(python, ['train.py', '--device', 'cpu', '--resume', dir, '--iterations', '5', '--batch-size', '16', '--json', '--out', out], torchDir);

describe('tampered checkpoints', () => {
  beforeAll(async () => {
    await wasm();
    const url = `file:${path.join(await mkdtemp(path.join(tmpdir(), 'netloom-tamper-')), 'test.db')}`;
    process.env.DATABASE_URL = url;
    await migrate(url);
    const project = await createProject(LOCAL_OWNER, { name: 'tamper', template: 'gan' });
    if (!project.ok) throw new Error(project.error.message);
    const run = await createRun(LOCAL_OWNER, project.value.id, { graph: doc, settings: { batchSize: 16, iterations: 10, seed: 1, sampleEvery: 5 }, backend: 'wasm' });
    if (!run.ok) throw new Error(run.error.message);
    runId = run.value.id;
    program = await compile(doc, { tf, data: mnistData, batchSize: 16 });
    // The checkpoint everything is done to: 4 iterations of the TypeScript export (the app and the PyTorch export read the same format).
    tsDir = await writeExport(await workspace(), doc);
    jsonLines(await trainExported(tsDir, '--iterations', '4', '--checkpoint-every', '2', '--backend', 'wasm', '--batch-size', '16', '--json', '--out', 'first'));
    const checkpoint = path.join(tsDir, 'first', 'checkpoint');
    good = { manifest: await readFile(path.join(checkpoint, 'checkpoint.json'), 'utf8'), weights: new Uint8Array(await readFile(path.join(checkpoint, 'weights.bin'))) };
    torchDir = await writeExport(await mkdtemp(path.join(tmpdir(), 'netloom-tamper-torch-')), doc, undefined, 'pytorch');
  }, 300_000);

  it('the untouched checkpoint resumes in every target', async () => {
    expect(parseCheckpoint(good.manifest, good.weights).ok).toBe(true);
    expect(JSON.parse(good.manifest)).toMatchObject({ version: 2, iteration: 4, weightsCrc32: expect.any(Number), crc32: expect.any(Number) });
    const dir = await folder(good);
    for (const run of [await resumeTs(dir, path.join(dir, 'ts')), await resumeTorch(dir, path.join(dir, 'torch'))]) {
      expect(run.code, run.stderr).toBe(0);
      // It continues from iteration 4.
      expect(jsonLines(run).find((l) => l.step !== undefined)?.step).toBe(4);
    }
  }, 120_000);

  it('the app refuses each tampering: the server stores nothing (400 naming the file), the editor opens nothing, the program restores nothing', async () => {
    for (const { what, tamper, refusal, graph } of CASES) {
      const files = tamper(good);
      const parsed = parseCheckpoint(files.manifest, files.weights);
      if (graph) {
        // The files are whole, as stored; restoring them into the graph's program is refused, all or nothing.
        if (!parsed.ok) throw new Error(`${what}: ${parsed.error}`);
        const state = decodeCheckpoint(tf, parsed.value);
        expect(() => program.restore(state), what).toThrow(refusal);
        state.tensors.forEach((t) => t.dispose());
        continue;
      }
      expect(parsed.ok ? 'resumed' : parsed.error, what).toMatch(refusal);
      expect((parsed.ok ? 'resumed' : parsed.error).split('\n'), what).toHaveLength(1);
      const stored = await addCheckpoint(LOCAL_OWNER, runId, files.manifest, files.weights);
      expect(stored.ok ? 'stored' : stored.error.message, what).toMatch(refusal);
      const form = new FormData();
      form.set('checkpoint.json', files.manifest);
      form.set('weights.bin', new Blob([new Uint8Array(files.weights)]));
      const request = new Request('http://localhost/api', { method: 'POST', body: form });
      const body = await request.arrayBuffer();
      const response = await checkpointsRoute.POST(
        new Request(request.url, { method: 'POST', body, headers: { 'Content-Type': request.headers.get('Content-Type')!, 'Content-Length': String(body.byteLength) } }),
        { params: Promise.resolve({ runId }) },
      );
      expect({ what, status: response.status }).toEqual({ what, status: 400 });
      expect(((await response.json()) as { error: string }).error, what).toMatch(refusal);
      // A zip of the two files, as a download would hold them: the editor refuses it too.
      const zipped = unzipCheckpoint(zipSync({ 'checkpoint.json': strToU8(files.manifest), 'weights.bin': files.weights }));
      expect(zipped.ok ? 'opened' : zipped.error, what).toMatch(refusal);
    }
  });

  it('the TypeScript export refuses each tampering in one line naming the file, status 1, nothing trained', async () => {
    const runs = await twoAtATime(CASES, async (tampering) => {
      const dir = await folder(tampering.tamper(good));
      return { ...tampering, dir, run: await resumeTs(dir, path.join(dir, 'out')) };
    });
    for (const { what, refusal, dir, run } of runs) refusedInOneLine(run, dir, refusal, what);
  }, 600_000);

  it('the PyTorch export refuses each tampering in one line naming the file, never a traceback', async () => {
    const runs = await twoAtATime(CASES, async (tampering) => {
      const dir = await folder(tampering.tamper(good));
      return { ...tampering, dir, run: await resumeTorch(dir, path.join(dir, 'out')) };
    });
    for (const { what, refusal, dir, run } of runs) refusedInOneLine(run, dir, refusal, what);
  }, 600_000);

  it('a checkpoint folder missing a file is refused the same way', async () => {
    for (const missing of ['checkpoint.json', 'weights.bin']) {
      const dir = await folder(good);
      await rm(path.join(dir, missing));
      for (const run of [await resumeTs(dir, path.join(dir, 'ts')), await resumeTorch(dir, path.join(dir, 'torch'))]) refusedInOneLine(run, dir, /not a checkpoint folder/, missing);
    }
  }, 120_000);

  it('what a CRC cannot catch: an edit whose CRCs were computed again on purpose resumes (the README says so; signing would be needed)', async () => {
    const swapped = edit(swapNames, true)(good);
    expect(parseCheckpoint(swapped.manifest, swapped.weights).ok).toBe(true);
    const dir = await folder(swapped);
    expect((await resumeTs(dir, path.join(dir, 'ts'))).code).toBe(0);
    expect((await resumeTorch(dir, path.join(dir, 'torch'))).code).toBe(0);
  }, 120_000);

  it('computes the same crc32 in JavaScript and Python whatever the names hold (quotes, controls, accents, astral and lone surrogates)', async () => {
    const names = ['a\nb"c\\', 'é ü', '😀', '\ud800 lone', '\x7f\x00\x1f', 'ｚ', '𝔸', 'Z', '\u2028'];
    const weights = new Uint8Array(8).map((_, i) => i * 37);
    const m: CheckpointManifest = {
      format: 'netloom-checkpoint',
      version: 2,
      graph: names.join('|'),
      iteration: 3,
      optimizerSteps: Object.fromEntries(names.map((n, i) => [n, i])),
      optimizerKinds: Object.fromEntries(names.map((n) => [n, n])),
      weightsManifest: [{ paths: ['weights.bin'], weights: names.slice(0, 2).map((name) => ({ name, shape: [1], dtype: 'float32' as const })) }],
      weightsCrc32: crc32(weights),
      structure: names[2]!,
    };
    const files = { manifest: JSON.stringify({ ...m, crc32: checkpointCrc(m, weights) }, null, 2), weights };
    expect(parseCheckpoint(files.manifest, files.weights).ok).toBe(true);
    const dir = await folder(files);
    const read = await exec(python, ['-c', 'import sys; from netloom import checkpoint; print(checkpoint.load(sys.argv[1]).iteration)', dir], torchDir);
    expect(read.stdout.trim(), read.stderr).toBe('3');
  });

  it('still reads version 1 checkpoints, their weights CRC checked and their manifest range checked', async () => {
    const m = JSON.parse(good.manifest) as Manifest;
    delete m.crc32;
    m.version = 1;
    const v1 = { ...good, manifest: JSON.stringify(m) };
    expect(parseCheckpoint(v1.manifest, v1.weights)).toMatchObject({ ok: true, value: { manifest: { version: 1, iteration: 4 } } });
    const dir = await folder(v1);
    for (const run of [await resumeTs(dir, path.join(dir, 'ts')), await resumeTorch(dir, path.join(dir, 'torch'))]) expect(run.code, run.stderr).toBe(0);
    for (const [what, tamper, refusal] of [
      ['iteration 1e15', edit((x) => (x.iteration = 1e15)), ITERATION],
      ['one bit flipped', weightsOf((w) => ((w[1000] = w[1000]! ^ 0x10), w)), DAMAGED],
      ['weightsCrc32 deleted', edit((x) => delete x.weightsCrc32), /weightsCrc32: expected/],
    ] as const) {
      const files = tamper(v1);
      const parsed = parseCheckpoint(files.manifest, files.weights);
      expect(parsed.ok ? 'resumed' : parsed.error, what).toMatch(refusal);
      const tampered = await folder(files);
      refusedInOneLine(await resumeTorch(tampered, path.join(tampered, 'out')), tampered, refusal, what);
    }
  }, 120_000);
});
