import { describe, expect, it } from 'vitest';
import { DIAGNOSIS_RULES, Diagnostician, diagnosisLine } from '@/lib/runtime/diagnostics';

const healthy = { frechet: 300, entropy: 3.1, confidence: 0.9, diversity: 0.9 };
const oneDigit = { frechet: 900, entropy: 0.2, confidence: 0.8, diversity: 0.5 };
const monitors = new Map([
  ['mean σ(D_real)', 'probability' as const],
  ['mean σ(D_fake)', 'probability' as const],
  ['active units of Q_mu', 'active-units' as const],
]);

describe('diagnostics', () => {
  it('says mode collapse once, after two evaluations in a row with few confident classes, never in the warm-up', () => {
    const d = new Diagnostician(monitors);
    expect(d.scores(0, oneDigit)).toEqual([]);
    expect(d.scores(DIAGNOSIS_RULES.warmUp - 1, oneDigit)).toEqual([]);
    expect(d.scores(1000, oneDigit)).toEqual([]);
    const [found] = d.scores(2000, oneDigit);
    expect(found).toMatchObject({ id: 'mode-collapse', step: 2000, title: 'Mode collapse' });
    expect(found!.evidence).toContain('0.20 bits');
    expect(diagnosisLine(found!)).toMatch(/^Diagnosis at iteration 2000: Mode collapse \(.*\)\. .*Try Adam/);
    expect(d.scores(3000, oneDigit)).toEqual([]);
    expect(d.all).toEqual(['mode-collapse']);
  });

  it('does not call unsure early samples or one bad evaluation a collapse', () => {
    const d = new Diagnostician(monitors);
    expect(d.scores(1000, { ...oneDigit, confidence: 0.2 })).toEqual([]);
    expect(d.scores(2000, { ...oneDigit, confidence: 0.2 })).toEqual([]);
    expect(d.scores(3000, oneDigit)).toEqual([]);
    expect(d.scores(4000, healthy)).toEqual([]);
    expect(d.scores(5000, oneDigit)).toEqual([]);
  });

  it('says collapse from near-identical samples where there is no classifier', () => {
    const d = new Diagnostician(new Map());
    const alike = { frechet: 50, diversity: DIAGNOSIS_RULES.diversity / 2 };
    d.scores(1000, alike);
    expect(d.scores(2000, alike).map((x) => x.id)).toEqual(['mode-collapse']);
  });

  it('says the discriminator wins when one mean output stays near 1 and another near 0 for 500 iterations', () => {
    const d = new Diagnostician(monitors);
    const wins = { 'mean σ(D_real)': 0.995, 'mean σ(D_fake)': 0.004 };
    expect(d.monitors(100, wins)).toEqual([]);
    expect(d.monitors(600, wins)).toEqual([]);
    expect(d.monitors(850, { ...wins, 'mean σ(D_fake)': 0.3 })).toEqual([]);
    expect(d.monitors(900, wins)).toEqual([]);
    expect(d.monitors(1399, wins)).toEqual([]);
    const [found] = d.monitors(1400, wins);
    expect(found).toMatchObject({ id: 'discriminator-wins', step: 1400 });
    expect(found!.evidence).toContain('since iteration 900');
  });

  it('says KL collapse when few latent units stay active, reading only active-unit monitors', () => {
    const d = new Diagnostician(monitors);
    expect(d.monitors(500, { 'active units of Q_mu': 0.05, 'mean σ(D_real)': 0.5 })).toEqual([]);
    expect(d.monitors(1000, { 'active units of Q_mu': 0.05 }).map((x) => x.id)).toEqual(['posterior-collapse']);
    const other = new Diagnostician(new Map([['active units of Q_mu', 'probability' as const]]));
    expect(other.monitors(500, { 'active units of Q_mu': 0.05 })).toEqual([]);
    expect(other.monitors(1000, { 'active units of Q_mu': 0.05 })).toEqual([]);
  });
});
