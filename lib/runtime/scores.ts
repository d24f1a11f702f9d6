/**
 * Sample quality scores, computed the same way in the browser worker, the CLI
 * and exported projects (runtime: shipped verbatim):
 * - the Fréchet distance between features of generated and held-out real
 *   images (the classifier's penultimate layer on MNIST, FID-like; pooled
 *   pixels elsewhere), lower is better;
 * - the entropy of the classifier's predicted-class histogram, in bits (mode
 *   coverage: log2 10 = 3.32 when every digit is drawn equally);
 * - the mean classifier confidence (the top class's probability);
 * - diversity: the mean distance between generated images over the same
 *   between real ones (near 0: the samples are near-identical).
 */
export interface QualityScores {
  frechet: number;
  entropy?: number;
  confidence?: number;
  diversity: number;
}

/** How a run's scores are named in its metrics (charts, history, logs), in chart order. */
export const SCORE_NAMES: Readonly<Record<keyof QualityScores, string>> = {
  frechet: 'Fréchet distance',
  entropy: 'class entropy (bits)',
  confidence: 'confidence',
  diversity: 'diversity',
};
/** The scores a run gets: class scores only where a classifier gives features. */
export const scoreNamesFor = (features: 'classifier' | 'pixels'): string[] =>
  features === 'classifier' ? Object.values(SCORE_NAMES) : [SCORE_NAMES.frechet, SCORE_NAMES.diversity];
export const isScoreName = (name: string): boolean => Object.values(SCORE_NAMES).includes(name);

/** Scores as metric values, by their names. */
export function scoreValues(scores: QualityScores): Record<string, number> {
  const values: Record<string, number> = {};
  for (const key of Object.keys(SCORE_NAMES) as (keyof QualityScores)[]) {
    const value = scores[key];
    if (value !== undefined) values[SCORE_NAMES[key]] = value;
  }
  return values;
}

/** `Fréchet distance 12.3, class entropy (bits) 3.21, confidence 0.97, diversity 0.94` */
export function scoreLine(scores: QualityScores): string {
  return Object.entries(scoreValues(scores))
    .map(([name, value]) => `${name} ${value.toPrecision(3)}`)
    .join(', ');
}

/** What the evaluation compares and with what: settable per run. */
export interface EvaluationSettings {
  /** Evaluate before every iteration that is a multiple of this (and after the last). */
  every: number;
  /** Generated images (and real ones) per evaluation. */
  samples: number;
}
export const DEFAULT_EVALUATION: EvaluationSettings = { every: 1000, samples: 1000 };
export const MAX_EVALUATION_SAMPLES = 10_000;
