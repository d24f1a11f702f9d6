import { access, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getTemplate } from '../../../lib/templates';
import { close } from '../../helpers';
import { exec, jsonLines, trainCompiled, writeExport } from '../../fixtures/workspace';

const exists = (file: string) => access(file).then(() => true, () => false);

/**
 * The exported project as a user gets it: `npm install` in an empty folder
 * (tfjs-node-gpu's install fails here, without a GPU or libtensorflow
 * download, and npm drops the optional package), then `npm run train`, which
 * falls back to WASM and prints the same losses as Netloom's CLI.
 */
describe('an exported project installed with npm', () => {
  it('installs without the GPU package and trains gan for 20 iterations like npm run train', async () => {
    const dir = await writeExport(await mkdtemp(path.join(tmpdir(), 'netloom-install-')), getTemplate('gan')!.doc);
    const install = await exec('npm', ['install', '--no-audit', '--no-fund'], dir);
    expect(install.code, install.stderr.slice(-2000)).toBe(0);
    expect(await exists(path.join(dir, 'node_modules/@tensorflow/tfjs-backend-wasm'))).toBe(true);
    expect(await exists(path.join(dir, 'node_modules/@tensorflow/tfjs-node-gpu/lib'))).toBe(false);

    const args = ['--seed', '5', '--json', '--log-every', '1'];
    const run = await exec('npm', ['run', '-s', 'train', '--', '--iterations', '20', '--out', path.join(dir, 'out'), ...args], dir);
    expect(run.stdout).toContain('tfjs-node-gpu');
    const exported = jsonLines(run).filter((l) => l.step !== undefined && l.losses);
    const compiled = jsonLines(await trainCompiled('--graph', 'gan', '--steps', '20', '--backend', 'wasm', '--out', path.join(dir, 'cli-out'), ...args)).filter(
      (l) => l.step !== undefined,
    );
    expect(jsonLines(run).at(-1)).toMatchObject({ done: true, backend: 'wasm' });
    expect(exported.length).toBe(20);
    for (const [i, line] of exported.entries()) {
      for (const [name, value] of Object.entries(line.losses)) expect(close(value, compiled[i]!.losses[name]!, 1e-5), `${i} ${name}`).toBe(true);
    }
  }, 300_000);
});
