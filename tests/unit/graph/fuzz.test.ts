import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportProject } from '../../../codegen/export';
import { analyse } from '../../../lib/graph/analyse';
import { kinds } from '../../../lib/kinds/registry';
import { lower } from '../../../lib/plan/lower';
import { anyDoc, passingDoc, plausibleDoc, syntheticData, train } from '../../fixtures/fuzz';
import { cpu } from '../../helpers';

/**
 * Property-based fuzzing on random graphs (tests/fixtures/fuzz.ts): plausible
 * ones, the same or the templates with nonsense edits, wholly random ones and
 * ones with hostile names. Analysis never throws; every graph that passes it
 * lowers, exports, and trains (a non-finite loss from extreme settings is
 * allowed) without leaking a tensor. A fixed seed keeps runs reproducible; a
 * failure prints fast-check's seed, path and shrunk counterexample.
 * bench/fuzz.ts runs the same generators on thousands of graphs.
 */
const SEED = 20_240_611;

describe('random graphs', () => {
  beforeAll(cpu);

  it('are analysed without an exception, whatever their wiring and params; those that pass lower to a plan', () => {
    fc.assert(
      fc.property(anyDoc, (doc) => {
        const analysis = analyse(doc);
        if (analysis.ok) lower(analysis);
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it('pass analysis often enough to prove something, with every kind among those that pass', () => {
    const docs = fc.sample(plausibleDoc, { seed: SEED, numRuns: 150 });
    const passing = docs.filter((doc) => analyse(doc).ok);
    expect(passing.length / docs.length).toBeGreaterThan(0.6);
    const used = new Set(passing.flatMap((doc) => [...doc.nodes, ...doc.networks.flatMap((n) => n.nodes)].map((n) => n.kind)));
    expect(kinds.map((k) => k.kind).filter((kind) => !used.has(kind))).toEqual([]);
  });

  it('export when they pass analysis', () => {
    fc.assert(
      fc.property(passingDoc, (doc) => {
        const project = exportProject(doc);
        expect(project.ok && project.value.files.get('train.ts')!.length > 0).toBe(true);
      }),
      { seed: SEED, numRuns: 30 },
    );
  });

  it('train when they pass analysis, leaking no tensor', async () => {
    const data = syntheticData();
    const seen = { trained: 0, diverged: 0, skipped: 0 };
    await fc.assert(
      fc.asyncProperty(passingDoc, async (doc) => {
        const outcome = await train(doc, tf, data);
        if (outcome.status === 'failed') throw outcome.error;
        seen[outcome.status] += 1;
        expect(outcome.leaked).toBe(0);
      }),
      { seed: SEED, numRuns: 200 },
    );
    // Most train to a finite loss: the property is not vacuous.
    expect(seen.trained).toBeGreaterThan(seen.diverged + seen.skipped);
  });
});
