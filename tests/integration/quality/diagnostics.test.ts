import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, trainCompiled } from '../../fixtures/workspace';

/**
 * The mode-collapse diagnostic on the seed's faithful vanilla GAN (which
 * collapses onto one blob) and on its tuned variant (which draws varied
 * digits), as `npm run train -- --eval-every` reports it: within 2,000
 * iterations for the first, never for the second.
 */
async function diagnosesOf(graph: string): Promise<{ id: string; step: number }[]> {
  const out = await mkdtemp(path.join(tmpdir(), 'netloom-diagnose-'));
  const lines = jsonLines(await trainCompiled('--graph', graph, '--steps', '2000', '--backend', 'wasm', '--json', '--log-every', '100', '--eval-every', '1000', '--eval-samples', '500', '--out', out));
  return lines.flatMap((line) => ('diagnosis' in line ? [line.diagnosis as { id: string; step: number }] : []));
}

describe('the mode-collapse diagnostic', () => {
  it('fires on the faithful vanilla GAN within 2,000 iterations', async () => {
    const collapse = (await diagnosesOf('gan')).find((d) => d.id === 'mode-collapse');
    expect(collapse?.step).toBeLessThanOrEqual(2000);
  }, 300_000);

  it('does not fire on the tuned GAN', async () => {
    expect((await diagnosesOf('gan-tuned')).map((d) => d.id)).not.toContain('mode-collapse');
  }, 300_000);
});
