import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'vitest';
import { jsonLines, trainCompiled } from '../../fixtures/workspace';

/**
 * The mode-collapse diagnostic on the seed's faithful vanilla GAN (which
 * collapses onto one blob) and on its tuned variant (which draws varied
 * digits), as `npm run train -- --eval-every` reports it: within 2,500
 * iterations for the first (its samples shrink to one blob between 1,500 and
 * 2,500 with seed 0), never in 2,000 for the second.
 */
async function diagnosesOf(graph: string, steps: number): Promise<{ id: string; step: number }[]> {
  const out = await mkdtemp(path.join(tmpdir(), 'netloom-diagnose-'));
  const lines = jsonLines(await trainCompiled('--graph', graph, '--steps', String(steps), '--backend', 'wasm', '--json', '--log-every', '100', '--eval-every', '500', '--eval-samples', '500', '--out', out));
  return lines.flatMap((line) => ('diagnosis' in line ? [line.diagnosis as { id: string; step: number }] : []));
}

// Each a process of its own: both at once on 2 cores.
describe.concurrent('the mode-collapse diagnostic', () => {
  it('fires on the faithful vanilla GAN within 2,500 iterations', async ({ expect }) => {
    const collapse = (await diagnosesOf('gan', 2500)).find((d) => d.id === 'mode-collapse');
    expect(collapse?.step).toBeLessThanOrEqual(2500);
  }, 300_000);

  it('does not fire on the tuned GAN', async ({ expect }) => {
    expect((await diagnosesOf('gan-tuned', 2000)).map((d) => d.id)).not.toContain('mode-collapse');
  }, 300_000);
});
