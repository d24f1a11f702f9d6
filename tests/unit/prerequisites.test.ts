import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * scripts/prerequisites.sh, the first thing `npm test` runs. A missing piece
 * is simulated by pointing CHROMIUM_PATH nowhere; `id` and `apt-get` are
 * stubs on PATH, so no package is really installed and the test behaves the
 * same whoever runs it.
 */
const SCRIPT = path.resolve(import.meta.dirname, '../../scripts/prerequisites.sh');

function stubs(uid: number): { bin: string; log: string } {
  const bin = mkdtempSync(path.join(tmpdir(), 'prereq-'));
  const log = path.join(bin, 'apt.log');
  writeFileSync(path.join(bin, 'id'), `#!/bin/sh\necho ${uid}\n`);
  writeFileSync(path.join(bin, 'apt-get'), `#!/bin/sh\necho "$@" >> ${log}\n`);
  writeFileSync(log, '');
  for (const f of ['id', 'apt-get']) chmodSync(path.join(bin, f), 0o755);
  return { bin, log };
}

function run(env: Record<string, string>, bin: string) {
  return spawnSync('bash', [SCRIPT], { env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
}

describe('the test command checks its prerequisites first', () => {
  it('passes silently when everything is here', () => {
    const { bin, log } = stubs(0);
    const result = run({}, bin);
    // This machine runs the tests, so it has what they need: nothing installed, nothing said.
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(readFileSync(log, 'utf8')).toBe('');
  });

  it('without root, stops at once with the one command that fixes it', () => {
    const { bin, log } = stubs(1000);
    const result = run({ CHROMIUM_PATH: '/nowhere/chromium' }, bin);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('missing: Chromium at /nowhere/chromium');
    expect(result.stderr).toContain('fix: sudo apt-get update && sudo apt-get install -y chromium\n');
    expect(readFileSync(log, 'utf8')).toBe('');
  });

  it('as root, installs the missing packages with apt-get, then checks again', () => {
    const { bin, log } = stubs(0);
    const result = run({ CHROMIUM_PATH: '/nowhere/chromium' }, bin);
    expect(readFileSync(log, 'utf8')).toBe('update -qq\ninstall -y -qq chromium\n');
    // The stub installed nothing: the second check says so rather than letting the tests start.
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('still missing after installing chromium');
  });

  it('only checks when asked to', () => {
    const { bin, log } = stubs(0);
    const result = run({ CHROMIUM_PATH: '/nowhere/chromium', NETLOOM_PREREQUISITES: 'check' }, bin);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('fix: apt-get update && apt-get install -y chromium\n');
    expect(readFileSync(log, 'utf8')).toBe('');
  });
});
