import { describe, expect, it } from 'vitest';
import { analyse } from '../../../lib/graph/analyse';
import type { GraphDoc } from '../../../lib/graph/schema';
import { lower } from '../../../lib/plan/lower';
import type { MainInstr, TrainingPlan } from '../../../lib/plan/plan';
import { getTemplate } from '../../../lib/templates';
import { aliDecodingThroughDec, crossedIdsDoc, ganSamplingInside } from '../../fixtures/nested';

/** The TrainingPlan decides, once, what every step computes and what it shares: both the compiler and the exporters follow it. */
const planOf = (doc: GraphDoc): TrainingPlan => {
  const analysis = analyse(doc);
  if (!analysis.ok) throw new Error(analysis.errors.map((p) => p.message).join('\n'));
  return lower(analysis);
};
/** Each instruction's node; calls joined into one pass as [a+b]. */
const show = (instrs: readonly MainInstr[]) => instrs.map((i) => (i.type === 'batched-call' ? `[${i.calls.map((c) => c.node).join('+')}]` : `${i.node}${i.type === 'call' && i.reuse ? ' (reuse)' : ''}`));

describe('lower', () => {
  it('ALI: the data, Q(x) and P(z) once per iteration; the G step records gradients over the layers computed then', () => {
    const plan = planOf(getTemplate('ali')!.doc);
    expect(plan.sections.map(show)).toEqual([['X', 'z', 'z_hat', 'X_hat'], []]);
    expect(plan.steps.map((s) => [s.lossName, s.repeat, [...s.trains]])).toEqual([
      ['D_loss', 1, ['D']],
      ['G_loss', 1, ['Q', 'P']],
    ]);
    // D's two calls in each step run as one pass over both batches.
    expect(show(plan.steps[0]!.body)).toEqual(['[D_enc+D_gen]', 'log_D_enc', 'log_1_D_gen', 'D_loss']);
    expect(show(plan.steps[1]!.body)).toEqual(['z_hat (reuse)', 'X_hat (reuse)', '[D_enc+D_gen]', 'log_1_D_enc', 'log_D_gen', 'G_loss']);
    expect(plan.steps[1]!.optimizer.variables.map((w) => w.name)).toEqual(['Q/Q_h1/W', 'Q/Q_h1/b', 'Q/Q_z/W', 'Q/Q_z/b', 'P/P_h1/W', 'P/P_h1/b', 'P/P_x/W', 'P/P_x/b']);
    expect(plan.monitors.values.map((m) => m.name)).toEqual(['mean D_enc', 'mean D_gen']);
    expect(plan.lossNames).toEqual(['D_loss', 'G_loss']);
  });

  it('GAN: per-step noise is drawn in each step, never shared; with the noise drawn per iteration, G(z) is shared by the D rounds', () => {
    const gan = planOf(getTemplate('gan')!.doc);
    expect(gan.sections.map(show)).toEqual([['X'], []]);
    expect(show(gan.steps[1]!.body)).toEqual(['Z', 'G_sample', 'D_fake', 'G_loss']);

    const doc = structuredClone(getTemplate('gan')!.doc);
    doc.nodes.find((n) => n.id === 'Z')!.params.draw = 'per-iteration';
    doc.training.schedule[0]!.repeat = 3;
    const repeated = planOf(doc);
    expect(repeated.sections.map(show)).toEqual([['X', 'Z', 'G_sample'], []]);
    expect(repeated.steps[0]!.repeat).toBe(3);
    // D's rounds each see new D weights: D(x) is computed in every round.
    expect(show(repeated.steps[0]!.body)).toEqual(['[D_real+D_fake]', 'D_loss_real', 'D_loss_fake', 'D_loss']);
    expect(show(repeated.steps[1]!.body)).toEqual(['G_sample (reuse)', 'D_fake', 'G_loss']);
  });

  it('a source inside a network draws at the main level, once per step, and reaches the network (and the one it calls) as an input', () => {
    const plan = planOf(ganSamplingInside());
    const sample = plan.networks.find((n) => n.id === 'Sample')!;
    expect(sample.inputs.map((i) => [i.label, i.source?.plan.key])).toEqual([['Z inside', 'Sample/Z_inside']]);
    expect(sample.reads).toEqual(new Set(['Sample', 'G']));
    expect(plan.sources.map((s) => [s.key, s.draw])).toEqual([
      ['/X', 'per-iteration'],
      ['Sample/Z_inside', 'per-step'],
    ]);
    for (const step of plan.steps) expect(step.body.filter((i) => i.type === 'source').map((i) => i.node)).toEqual(['Z_inside']);
    // G trains through the nested call: its weights are the G step's variables.
    expect(plan.steps[1]!.optimizer.variables.map((w) => w.network)).toEqual(['G', 'G', 'G', 'G']);
  });

  it('a network calling a network is reused like a direct call: its nested layers are passed along', () => {
    const plan = planOf(aliDecodingThroughDec());
    expect(plan.sections.map(show)).toEqual([['X', 'z', 'z_hat', 'X_hat'], []]);
    const reused = plan.steps[1]!.body.find((i) => i.node === 'X_hat');
    expect(reused).toMatchObject({ type: 'call', reuse: true, network: { id: 'Dec' } });
    // Weights stay P's own: the same names, seeds and checkpoints as the template.
    expect(plan.weights.map((w) => w.name)).toEqual(planOf(getTemplate('ali')!.doc).weights.map((w) => w.name));
  });

  it('keeps names and keys apart when ids hold the separators they are joined with', () => {
    // Fuzz: `N` + `a/b` and `N/a` + `b` made one weight name (one variable for two shapes), and port `b:y` of `a` met port `y` of `a:b`.
    const plan = planOf(crossedIdsDoc());
    expect(plan.weights.map((w) => w.name)).toEqual(['N/a%2Fb/W', 'N/a%2Fb/b', 'N%2Fa/b/W', 'N%2Fa/b/b']);
    expect(plan.sources.map((s) => s.key)).toEqual(['/src', 'N/a%2Fz', 'N%2Fa/z']);
    const call = plan.steps[0]!.body.find((i) => i.node === 'c');
    const concat = plan.steps[0]!.body.find((i) => i.node === 'a:b');
    expect(call?.type === 'call' && plan.values[call.args[0]!]!.shape).toEqual([null, 4]);
    expect(concat?.type === 'apply' && plan.values[concat.outputs.y!]!.shape).toEqual([null, 8]);
  });

  it('is computed once per analysis', () => {
    const analysis = analyse(getTemplate('vae')!.doc);
    expect(lower(analysis)).toBe(lower(analysis));
  });
});
