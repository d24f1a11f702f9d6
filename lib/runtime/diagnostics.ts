import type { QualityScores } from './quality';

/**
 * Diagnostics that speak: failure modes of generative training recognised
 * from the quality scores and the loss kinds' monitors, each said once per
 * run with what it means and what to try. Runtime: the browser, the CLI and
 * exported projects diagnose alike.
 */
export type DiagnosisId = 'mode-collapse' | 'discriminator-wins' | 'posterior-collapse';

export interface Diagnosis {
  id: DiagnosisId;
  /** The iteration it was recognised at. */
  step: number;
  title: string;
  /** The numbers that gave it away. */
  evidence: string;
  meaning: string;
  remedy: string;
}

/** What a loss kind's monitor measures, which says how to read it (see Monitor in lib/kinds/kind.ts). */
export type MonitorMeasure = 'probability' | 'active-units';

export const DIAGNOSIS_RULES = {
  /** Nothing is judged before this iteration: every model's first samples look alike and its discriminator wins at first. */
  warmUp: 500,
  /** Mode collapse: the classifier sees fewer than about 3 digits in equal shares (of log2 10 = 3.32 bits)... */
  entropyBits: 1.6,
  /** ...and is this sure of them (unsure predictions of blurry early samples say nothing of modes)... */
  confidence: 0.5,
  /** ...or the samples are this close to one another, relative to real images; at this many evaluations in a row. */
  diversity: 0.15,
  evaluations: 2,
  /** A discriminator wins outright when one of its mean outputs is above `1 - margin` and another below `margin`... */
  margin: 0.02,
  /** ...for this many iterations in a row. */
  iterations: 500,
  /** Posterior collapse: at most this fraction of latent units active (varying with the input)... for `iterations` in a row. */
  activeUnits: 0.1,
} as const;

const TEXT: Record<DiagnosisId, Pick<Diagnosis, 'title' | 'meaning' | 'remedy'>> = {
  'mode-collapse': {
    title: 'Mode collapse',
    meaning: 'The generator draws only a few kinds of image whatever the noise: it found outputs the discriminator accepts and stopped exploring.',
    remedy:
      'Try Adam with learning rate 2e-4 and beta1 0.5 for both networks, one-sided label smoothing (real targets 0.9), batch norm in the generator, or a WGAN-GP critic; the tuned templates show each.',
  },
  'discriminator-wins': {
    title: 'The discriminator wins outright',
    meaning: 'It tells real from generated images perfectly, so the gradient it gives the generator vanishes and the generator stops learning.',
    remedy: "Slow the discriminator (a lower learning rate, fewer D steps), smooth its real labels (0.9), add dropout to it, or use the non-saturating generator loss (CE(D(G(z)), 1)).",
  },
  'posterior-collapse': {
    title: 'KL collapse (inactive latent units)',
    meaning: 'The encoder gives nearly the same code for every input: the KL term pushed the posterior onto the prior and the decoder ignores the latent.',
    remedy: 'Lower the KL weight (beta < 1) or anneal it from 0 to 1 over the first iterations, use a smaller latent, or a weaker decoder.',
  },
};

/** Feeds on a run's scores and monitors as they come; each call returns the diagnoses it newly recognised. */
export class Diagnostician {
  private found = new Set<DiagnosisId>();
  private since = new Map<DiagnosisId, number>();
  private collapsedEvaluations = 0;

  constructor(private readonly measures: ReadonlyMap<string, MonitorMeasure>) {}

  /**
   * After an evaluation. Collapse must show at DIAGNOSIS_RULES.evaluations
   * evaluations in a row, all after the warm-up.
   */
  scores(step: number, scores: QualityScores): Diagnosis[] {
    const fewModes = scores.entropy !== undefined && scores.entropy < DIAGNOSIS_RULES.entropyBits && (scores.confidence ?? 0) >= DIAGNOSIS_RULES.confidence;
    const alike = scores.diversity < DIAGNOSIS_RULES.diversity;
    this.collapsedEvaluations = step >= DIAGNOSIS_RULES.warmUp && (fewModes || alike) ? this.collapsedEvaluations + 1 : 0;
    if (this.collapsedEvaluations < DIAGNOSIS_RULES.evaluations) return [];
    const evidence = [
      fewModes &&
        `class entropy ${scores.entropy!.toFixed(2)} bits at confidence ${scores.confidence!.toFixed(2)} (below ${DIAGNOSIS_RULES.entropyBits} bits; 3.32 when all 10 classes are drawn equally)`,
      alike && `diversity ${scores.diversity.toFixed(2)} (samples this close to one another, relative to real images; below ${DIAGNOSIS_RULES.diversity})`,
    ].filter(Boolean);
    return this.say('mode-collapse', step, `${evidence.join('; ')}, at ${this.collapsedEvaluations} evaluations in a row`);
  }

  /** After the monitors were read at iteration `step` (readings during the warm-up are not judged). */
  monitors(step: number, values: Readonly<Record<string, number>>): Diagnosis[] {
    if (step < DIAGNOSIS_RULES.warmUp) return [];
    const probabilities = [...this.measures].filter(([, measure]) => measure === 'probability').map(([name]) => [name, values[name]] as const);
    const high = probabilities.find(([, v]) => v !== undefined && v > 1 - DIAGNOSIS_RULES.margin);
    const low = probabilities.find(([, v]) => v !== undefined && v < DIAGNOSIS_RULES.margin);
    const wins = high && low ? `${high[0]} ${high[1]!.toFixed(3)} and ${low[0]} ${low[1]!.toFixed(3)}` : undefined;
    const units = [...this.measures].filter(([, measure]) => measure === 'active-units').map(([name]) => [name, values[name]] as const);
    const inactive = units.find(([, v]) => v !== undefined && v <= DIAGNOSIS_RULES.activeUnits);
    const collapsed = inactive ? `${inactive[0]} ${(inactive[1]! * 100).toFixed(0)}% of the latent units` : undefined;
    return [...this.sustained('discriminator-wins', step, wins), ...this.sustained('posterior-collapse', step, collapsed)];
  }

  /** Everything recognised so far. */
  get all(): readonly DiagnosisId[] {
    return [...this.found];
  }

  /** Says `id` once its condition has held for DIAGNOSIS_RULES.iterations iterations in a row. */
  private sustained(id: DiagnosisId, step: number, evidence: string | undefined): Diagnosis[] {
    if (evidence === undefined) {
      this.since.delete(id);
      return [];
    }
    const since = this.since.get(id) ?? step;
    this.since.set(id, since);
    if (step - since < DIAGNOSIS_RULES.iterations) return [];
    return this.say(id, step, `${evidence}, since iteration ${since}`);
  }

  private say(id: DiagnosisId, step: number, evidence: string): Diagnosis[] {
    if (this.found.has(id)) return [];
    this.found.add(id);
    return [{ id, step, evidence, ...TEXT[id] }];
  }
}

/** `Diagnosis at iteration 2000: Mode collapse (class entropy 0.41 bits ...). The generator ... Try ...` */
export function diagnosisLine(d: Diagnosis): string {
  return `Diagnosis at iteration ${d.step}: ${d.title} (${d.evidence}). ${d.meaning} ${d.remedy}`;
}
