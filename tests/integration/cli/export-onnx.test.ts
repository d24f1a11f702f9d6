import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportProject } from '../../../codegen/export';
import { runOnnx } from '../../../codegen/onnx/check';
import { onnx } from '../../../codegen/onnx/target';
import { checkpointTensors } from '../../../codegen/onnx/weights';
import { compile } from '../../../lib/compile/program';
import { MANIFEST_FILE, WEIGHTS_FILE, encodeCheckpoint, zipCheckpoint } from '../../../lib/train/checkpoint';
import { getTemplate } from '../../../lib/templates';
import { syntheticData } from '../../fixtures/fuzz';
import { tensor } from '../../fixtures/onnx';
import { cpu } from '../../helpers';

/** `npm run export -- --target onnx` as a user runs it: a checkpoint folder or the app's zip, or the initial weights. */
const run = promisify(execFile);
const tsx = path.resolve('node_modules/.bin/tsx');

async function exportCli(...args: string[]) {
  try {
    const { stdout, stderr } = await run(tsx, ['cli/export.ts', ...args], { timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run export -- --target onnx', () => {
  beforeAll(cpu);

  it("writes the network with a checkpoint folder's or zip's weights, or the initial ones, and refuses what it cannot", async () => {
    const doc = getTemplate('cgan')!.doc;
    const program = await compile(doc, { tf, data: syntheticData(64), batchSize: 4 });
    for (let i = 0; i < 3; i++) program.step(false);
    const encoded = await encodeCheckpoint(tf, doc.name, program.state());
    program.dispose();
    const dir = await mkdtemp(path.join(tmpdir(), 'netloom-onnx-cli-'));
    await mkdir(path.join(dir, 'checkpoint'));
    await writeFile(path.join(dir, 'checkpoint', MANIFEST_FILE), JSON.stringify(encoded.manifest));
    await writeFile(path.join(dir, 'checkpoint', WEIGHTS_FILE), encoded.weights);
    await writeFile(path.join(dir, 'checkpoint.zip'), zipCheckpoint(encoded));

    const expected = exportProject(doc, onnx.id, { network: 'G', weights: checkpointTensors(encoded) });
    const initial = exportProject(doc, onnx.id, { network: 'G' });
    if (!expected.ok || !initial.ok) throw new Error('export failed');
    for (const [checkpoint, want] of [['checkpoint', expected], ['checkpoint.zip', expected], [undefined, initial]] as const) {
      const out = path.join(dir, `${checkpoint ?? 'initial'}.onnx`);
      const { code, stdout, stderr } = await exportCli('--target', 'onnx', '--graph', 'cgan', '--network', 'G', ...(checkpoint ? ['--checkpoint', path.join(dir, checkpoint)] : []), '--out', out);
      expect(code, stderr).toBe(0);
      expect(stdout).toContain(`Wrote ${out} for network "G" of`);
      const bytes = new Uint8Array(await readFile(out));
      expect(Buffer.from(bytes).equals(Buffer.from([...want.value.files.values()][0] as Uint8Array))).toBe(true);
      // Inputs and outputs named as in the graph, the batch dynamic.
      const outputs = await runOnnx(bytes, { z: tensor([3, 100], 1), y: tensor([3, 10], 2) });
      expect(Object.values(outputs)[0]!.shape[0]).toBe(3);
    }
    expect(Buffer.from([...expected.value.files.values()][0] as Uint8Array).equals(Buffer.from([...initial.value.files.values()][0] as Uint8Array))).toBe(false);

    const missing = await exportCli('--target', 'onnx', '--graph', 'cgan', '--network', 'Generator', '--out', path.join(dir, 'x.onnx'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no network "Generator": it has "G", "D"/);
    // Another graph's checkpoint: its weights are not this network's.
    const foreign = await exportCli('--target', 'onnx', '--graph', 'gan', '--network', 'G', '--checkpoint', path.join(dir, 'checkpoint'), '--out', path.join(dir, 'x.onnx'));
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/another graph's|in the graph/);
  }, 120_000);
});
