import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Vitest global setup: every temporary folder the tests make (exported
 * projects with their data, databases, CLI outputs, PyTorch runs) goes under
 * one folder per run, removed when the run ends, so that runs leave nothing
 * behind (an exported project with MNIST is about 50 MB). Workers, CLI
 * subprocesses and Python read TMPDIR.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'netloom-tests-'));
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return async () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    await rm(dir, { recursive: true, force: true });
  };
}
