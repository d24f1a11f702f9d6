import { describe, expect, it } from 'vitest';
import { analyse } from '../../../lib/graph/analyse';
import type { GraphDoc } from '../../../lib/graph/schema';
import { lower } from '../../../lib/plan/lower';
import type { MainInstr, TrainingPlan, ValueId } from '../../../lib/plan/plan';
import { getTemplate, templates } from '../../../lib/templates';
import fc from 'fast-check';
import { plausibleDoc } from '../../fixtures/fuzz';

const planOf = (doc: GraphDoc): TrainingPlan => {
  const analysis = analyse(doc);
  if (!analysis.ok) throw new Error(analysis.errors.map((p) => p.message).join('\n'));
  return lower(analysis);
};

const reads = (instr: MainInstr): ValueId[] =>
  instr.type === 'source' ? [] : instr.type === 'apply' || instr.type === 'sample' ? Object.values(instr.inputs) : instr.type === 'call' ? [...instr.args] : instr.calls.flatMap((c) => c.args);
const writes = (instr: MainInstr): ValueId[] =>
  instr.type === 'batched-call' ? instr.calls.flatMap((c) => c.outputs) : instr.type === 'call' ? [...instr.outputs, ...(instr.inputGradient === undefined ? [] : [instr.inputGradient])] : Object.values(instr.outputs);
const joined = (plan: TrainingPlan) => plan.steps.map((step) => step.body.flatMap((i) => (i.type === 'batched-call' ? [i.calls.map((c) => c.node)] : [])));

/** Every instruction of every step reads only what its sections and the instructions before it computed. */
function expectRunnable(plan: TrainingPlan) {
  const known = new Set<ValueId>();
  plan.steps.forEach((step, s) => {
    plan.sections[s]!.forEach((instr) => writes(instr).forEach((v) => known.add(v)));
    const own = new Set(known);
    for (const instr of step.body) {
      for (const value of reads(instr)) expect(own.has(value), `${step.lossName}: ${instr.label} reads value ${value} before it is computed`).toBe(true);
      writes(instr).forEach((v) => own.add(v));
    }
    expect(own.has(step.loss), `${step.lossName} is computed`).toBe(true);
  });
}

describe('calls of one network joined into one pass', () => {
  it('joins the discriminator calls of GAN, ALI, cGAN and WGAN-GP, each step keeping its order of work', () => {
    expect(joined(planOf(getTemplate('gan')!.doc))).toEqual([[['D_real', 'D_fake']], []]);
    expect(joined(planOf(getTemplate('ali')!.doc))).toEqual([[['D_enc', 'D_gen']], [['D_enc', 'D_gen']]]);
    expect(joined(planOf(getTemplate('cgan')!.doc))).toEqual([[['D_real', 'D_fake']], []]);
    // The critic on interpolates takes its input gradient: it runs on its own.
    const wgan = planOf(getTemplate('wgan-gp')!.doc);
    expect(joined(wgan)[0]).toEqual([['D_real', 'D_fake']]);
    expect(wgan.steps[0]!.body.filter((i) => i.type === 'call').map((i) => i.label)).toEqual(['G_sample', 'D(x_hat)']);
  });

  it('leaves calls apart where rows meet: batch statistics (DCGAN), dropout masks (gan-leaky-tuned)', () => {
    expect(joined(planOf(getTemplate('dcgan')!.doc))).toEqual([[], []]);
    expect(joined(planOf(getTemplate('gan-leaky-tuned')!.doc))).toEqual([[], []]);
  });

  it('keeps every call once, and every template and 300 random graphs runnable in order', () => {
    const docs = [...templates.map((t) => t.doc), ...fc.sample(plausibleDoc, { numRuns: 300, seed: 20 })];
    let batched = 0;
    for (const doc of docs) {
      const analysis = analyse(doc);
      if (!analysis.ok) continue;
      const plan = lower(analysis);
      expectRunnable(plan);
      for (const step of plan.steps) {
        const calls = step.body.flatMap((i) => (i.type === 'batched-call' ? i.calls.map((c) => c.node) : i.type === 'call' ? [i.node] : []));
        expect(new Set(calls).size, `${step.lossName}: a call appears twice`).toBe(calls.length);
        batched += step.body.filter((i) => i.type === 'batched-call').length;
      }
    }
    expect(batched).toBeGreaterThan(5);
  });
});
