import type { Classifier } from '../runtime/classifier';
import type { DataProvider, Dataset } from '../runtime/dataset';
import type { TF } from '../runtime/ops';
import { classifierFeatures, datasetImages, pixelFeatures, QualityEvaluator, type QualityScores } from '../runtime/quality';
import type { Progress, TrainingProgram } from './program';

/** Where scoring gets its parts: the backend, the data, and the bundled classifier (loaded only when the data is MNIST). */
export interface ScoringHost {
  tf: TF;
  data: DataProvider;
  classifier(): Promise<Classifier>;
}

/** Scores a program's samples on its fixed evaluation batch. */
export interface RunScorer {
  features: 'classifier' | 'pixels';
  /** What the scores compare, in a sentence for the panel and the log. */
  note: string;
  score(onProgress?: Progress): Promise<QualityScores>;
  dispose(): void;
}

export type ScorerResult = { ok: true; scorer: RunScorer } | { ok: false; reason: string };

/**
 * A scorer for `program` comparing `samples` generated images with as many
 * held-out real ones (the test split; the training split when the dataset has
 * no test split), or why it cannot score.
 */
export async function createScorer(program: TrainingProgram, host: ScoringHost, samples: number): Promise<ScorerResult> {
  const quality = program.quality;
  if (!quality) return { ok: false, reason: 'No quality scores: the graph has no samples preview, or no dataset draws images of its shape to compare with.' };
  let reference: Dataset;
  let split: string = quality.reference.split;
  try {
    reference = await host.data.dataset(quality.reference);
    if (reference.count < 2) throw new Error('too few images');
  } catch {
    split = 'train';
    reference = await host.data.dataset({ ...quality.reference, split: 'train' });
  }
  const count = Math.min(samples, reference.count);
  if (count < 2) return { ok: false, reason: `No quality scores: ${quality.reference.id} holds fewer than 2 images.` };
  const classified = quality.features === 'mnist-classifier';
  const features = classified ? classifierFeatures(await host.classifier()) : pixelFeatures();
  const evaluator = await QualityEvaluator.create(host.tf, features, datasetImages(reference, count));
  const note = classified
    ? `Scores compare ${count} samples with ${count} MNIST ${split} digits through the bundled MNIST classifier: Fréchet distance of its features (lower is better), class entropy (3.32 bits when all 10 digits are drawn equally), confidence, diversity.`
    : `This dataset has no bundled classifier: scores are pixel statistics only (Fréchet distance of 8x8-pooled pixels against ${count} ${split} images, and diversity), which say less than a classifier's.`;
  return {
    ok: true,
    scorer: {
      features: evaluator.kind,
      note,
      async score(onProgress) {
        const images = await program.generate(count, { fixed: true, onProgress });
        return evaluator.score(images!);
      },
      dispose: () => evaluator.dispose(),
    },
  };
}
