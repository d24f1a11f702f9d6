import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { parse } from 'npyjs';
import { describe, expect, it } from 'vitest';
import { getTemplate } from '../../../lib/templates';

/** The train CLI as a user runs it: `npm run train -- ...` is `tsx cli/train.ts ...`. */
const run = promisify(execFile);
const tsx = path.resolve('node_modules/.bin/tsx');

async function train(...args: string[]) {
  try {
    const { stdout, stderr } = await run(tsx, ['cli/train.ts', ...args], { timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run train', () => {
  it('lists the templates', async () => {
    const { code, stdout } = await train('--list');
    expect(code).toBe(0);
    for (const id of ['ali', 'gan', 'gan-leaky', 'conv-ae', 'vae', 'cgan', 'cvae']) expect(stdout).toMatch(new RegExp(`^${id}\\s`, 'm'));
  });

  it('trains a template, printing JSON lines, and writes the 4x4 grids and a summary', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'netloom-'));
    const { code, stdout, stderr } = await train('--graph', 'ali', '--steps', '25', '--backend', 'wasm', '--seed', '3', '--log-every', '10', '--sample-every', '10', '--out', out, '--json');
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(0, -1).map((l) => l.step)).toEqual([0, 10, 20, 24]);
    for (const line of lines.slice(0, -1)) {
      expect(Object.keys(line.losses).sort()).toEqual(['D_loss', 'G_loss']);
      expect(line.itPerSec).toBeGreaterThan(0);
    }
    const done = lines.at(-1);
    expect(done).toMatchObject({ done: true, graph: 'ali', backend: 'wasm', seed: 3, steps: 25 });
    expect(Number.isFinite(done.losses.D_loss)).toBe(true);
    // Grids before iterations 0, 10, 20 and after the last: 000..003, plus reconstructions beside their inputs.
    const files = (await readdir(out)).sort();
    expect(files).toEqual(['000.png', '001.png', '002.png', '003.png', 'recon-000.png', 'recon-001.png', 'recon-002.png', 'recon-003.png', 'summary.json']);
    const grid = PNG.sync.read(await readFile(path.join(out, '003.png')));
    expect([grid.width, grid.height]).toEqual([4 * 28 + 3 * 2, 4 * 28 + 3 * 2]);
    const recon = PNG.sync.read(await readFile(path.join(out, 'recon-003.png')));
    expect([recon.width, recon.height]).toEqual([8 * 28 + 7 * 2, 4 * 28 + 3 * 2]);
    expect(JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8'))).toMatchObject({ graph: 'ali', steps: 25 });
  });

  it('gives the same losses for the same seed', async () => {
    const a = await train('--graph', 'gan', '--steps', '3', '--seed', '7', '--out', await mkdtemp(path.join(tmpdir(), 'netloom-')), '--json');
    const b = await train('--graph', 'gan', '--steps', '3', '--seed', '7', '--out', await mkdtemp(path.join(tmpdir(), 'netloom-')), '--json');
    const losses = (s: string) => JSON.parse(s.trim().split('\n').at(-1)!).losses;
    expect(losses(a.stdout)).toEqual(losses(b.stdout));
  });

  it('refuses an invalid graph file, printing the analysis errors with node and port', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'netloom-'));
    const doc = structuredClone(getTemplate('ali')!.doc);
    doc.networks.find((n) => n.id === 'D')!.nodes.find((n) => n.id === 'x')!.params = { shape: [700] };
    const file = path.join(dir, 'broken.json');
    await writeFile(file, JSON.stringify(doc));
    const { code, stderr } = await train('--graph', file, '--steps', '5');
    expect(code).toBe(1);
    expect(stderr).toMatch(/error: node D_enc, port x: Call network "D_enc": D expects \[b, 700\] on "x", got \[b, 784\]/);
    expect(stderr).toMatch(/nothing was trained/);
  });

  it('writes N generated images as a float32 .npy [N, h, w, c] in [0, 1] with --samples', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'netloom-'));
    const file = path.join(out, 'gen', 'vae.npy');
    const { code, stderr } = await train('--graph', 'vae', '--steps', '2', '--backend', 'wasm', '--samples', '50', '--samples-out', file, '--out', out);
    expect(code, stderr).toBe(0);
    const bytes = await readFile(file);
    const array = parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect([array.dtype, array.shape]).toEqual(['f4', [50, 28, 28, 1]]);
    expect(Array.from(array.data as Float32Array).every((v) => v >= 0 && v <= 1)).toBe(true);
    const none = await train('--graph', 'conv-ae', '--steps', '1', '--backend', 'wasm', '--samples', '5', '--out', out);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/--samples: conv-ae has no samples preview/);
  });

  it("writes the class each sample was asked to be with --labels-out, for a conditional model; refuses it otherwise", async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'netloom-'));
    const file = path.join(out, 'classes.npy');
    const { code, stderr } = await train('--graph', 'cgan', '--steps', '1', '--backend', 'wasm', '--samples', '300', '--labels-out', file, '--out', out);
    expect(code, stderr).toBe(0);
    const bytes = await readFile(file);
    const array = parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect([array.dtype, array.shape]).toEqual(['u1', [300]]);
    const classes = Array.from(array.data as Uint8Array);
    // Drawn uniformly: every digit among 300 samples, none outside 0-9.
    expect(new Set(classes).size).toBe(10);
    expect(classes.every((c) => c <= 9)).toBe(true);
    const unconditioned = await train('--graph', 'vae', '--steps', '1', '--backend', 'wasm', '--samples', '5', '--labels-out', file, '--out', out);
    expect(unconditioned.code).toBe(1);
    expect(unconditioned.stderr).toMatch(/--labels-out: vae's samples are not conditioned on class labels/);
    const alone = await train('--graph', 'cgan', '--steps', '1', '--labels-out', file, '--out', out);
    expect(alone.stderr).toMatch(/--labels-out: the class of each sample goes with --samples N/);
  });

  it('explains a malformed file, an unknown template and a bad flag', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'netloom-'));
    const file = path.join(dir, 'bad.json');
    await writeFile(file, '{"schemaVersion": 1,');
    const malformed = await train('--graph', file);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/bad\.json: Not valid JSON/);
    const unknown = await train('--graph', 'stylegan');
    expect(unknown.stderr).toMatch(/neither a template \(ali, ali-tuned, gan, gan-tuned, gan-leaky, gan-leaky-tuned, dcgan, wgan-gp, conv-ae, conv-ae-tuned, vae, vae-tuned, beta-vae, cgan, cgan-tuned, cvae, ddpm, flow-matching, ddpm-cond\) nor a readable file/);
    const flag = await train('--graph', 'gan', '--backend', 'tpu');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--backend must be one of auto, webgpu, tensorflow, wasm, cpu, got "tpu"/);
    const steps = await train('--graph', 'gan', '--steps', 'many');
    expect(steps.stderr).toMatch(/--steps must be a non-negative integer, got "many"/);
    const batch = await train('--graph', 'gan', '--batch-size', '0');
    expect(batch.code).toBe(2);
    expect(batch.stderr).toMatch(/--batch-size: from 1 to 65536, got 0/);
  });

  it('trains at the batch size --batch-size gives', async () => {
    const { code, stdout, stderr } = await train('--graph', 'gan', '--steps', '2', '--batch-size', '3', '--backend', 'wasm', '--out', await mkdtemp(path.join(tmpdir(), 'netloom-')), '--json');
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toMatchObject({ done: true, batchSize: 3, steps: 2 });
  });
});
