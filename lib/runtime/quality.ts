import type * as tfjs from '@tensorflow/tfjs';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Classifier } from './classifier';
import type { Dataset } from './dataset';
import type { ImageBatch } from './grid';
import type { TF, Tensor } from './ops';
import type { QualityScores } from './scores';

export * from './scores';

/** Images as features: the classifier's (with its logits), or pooled pixels. */
export interface FeatureSource {
  /** `classifier`: features and class predictions from a classifier trained on the data; `pixels`: pooled pixel statistics only. */
  kind: 'classifier' | 'pixels';
  features(tf: TF, images: Tensor): { features: Tensor; logits?: Tensor };
  dispose(): void;
}

export function classifierFeatures(classifier: Classifier): FeatureSource {
  return { kind: 'classifier', features: (_tf, images) => classifier.apply(images), dispose: () => classifier.dispose() };
}

/** Side of the pooled image that pixel statistics compare: 8x8 per channel, few enough dimensions for a covariance of 1,000 samples. */
const POOLED_SIDE = 8;

/** Average-pooled pixels (about 8x8 per channel): a score for datasets without a classifier, which says less. */
export function pixelFeatures(): FeatureSource {
  return {
    kind: 'pixels',
    features: (tf, images) =>
      tf.tidy(() => {
        const [n, h, w] = images.shape as number[];
        const size = Math.max(1, Math.ceil(Math.max(h!, w!) / POOLED_SIDE));
        const pooled = tf.avgPool(images as tfjs.Tensor4D, size, size, 'same');
        return { features: tf.reshape(pooled, [n!, -1]) };
      }),
    dispose: () => {},
  };
}

interface FeatureStats {
  mean: Float64Array;
  covariance: Matrix;
}

/** Generated pairs compared for diversity: enough for a stable mean, few enough for a quick n x n. */
const DIVERSITY_SAMPLES = 200;

/**
 * Scores generated images against `reference` (held-out real images),
 * whose statistics are computed once. Images are [n, h, w, c] in [0, 1].
 */
export class QualityEvaluator {
  private constructor(
    private readonly tf: TF,
    private readonly source: FeatureSource,
    private readonly real: FeatureStats,
    private readonly realSpread: number,
  ) {}

  get kind(): FeatureSource['kind'] {
    return this.source.kind;
  }

  static async create(tf: TF, source: FeatureSource, reference: ImageBatch): Promise<QualityEvaluator> {
    const images = imagesTensor(tf, reference);
    try {
      const real = await featureStats(tf, source, images);
      const spread = await meanDistance(tf, images);
      return new QualityEvaluator(tf, source, real, spread);
    } finally {
      images.dispose();
    }
  }

  async score(generated: ImageBatch): Promise<QualityScores> {
    const tf = this.tf;
    const images = imagesTensor(tf, generated);
    try {
      const { features, logits } = this.source.features(tf, images);
      try {
        const stats = await covarianceOf(tf, features);
        const scores: QualityScores = {
          frechet: frechetDistance(stats, this.real),
          diversity: (await meanDistance(tf, images)) / Math.max(this.realSpread, 1e-12),
        };
        if (logits) Object.assign(scores, await classScores(tf, logits));
        return scores;
      } finally {
        tf.dispose([features, ...(logits ? [logits] : [])]);
      }
    } finally {
      images.dispose();
    }
  }

  dispose(): void {
    this.source.dispose();
  }
}

/** The first `count` images of a dataset (values 0..255) as a batch in [0, 1]. */
export function datasetImages(data: Dataset, count: number): ImageBatch {
  const n = Math.min(count, data.count);
  const size = data.height * data.width * data.channels;
  const pixels = new Float32Array(n * size);
  for (let i = 0; i < n; i++) data.item(i).forEach((v, k) => (pixels[i * size + k] = v / 255));
  return { count: n, height: data.height, width: data.width, channels: data.channels, pixels };
}

function imagesTensor(tf: TF, batch: ImageBatch): Tensor {
  return tf.tensor4d(batch.pixels, [batch.count, batch.height, batch.width, batch.channels]);
}

async function featureStats(tf: TF, source: FeatureSource, images: Tensor): Promise<FeatureStats> {
  const { features, logits } = source.features(tf, images);
  try {
    return await covarianceOf(tf, features);
  } finally {
    tf.dispose([features, ...(logits ? [logits] : [])]);
  }
}

/** Mean and (unbiased) covariance of the rows of [n, d] features; the d x d product runs on the backend. */
async function covarianceOf(tf: TF, features: Tensor): Promise<FeatureStats> {
  const [n, d] = features.shape as [number, number];
  if (n < 2) throw new Error(`quality: at least 2 samples are needed for a covariance, got ${n}`);
  const [meanT, covT] = tf.tidy(() => {
    const mean = tf.mean(features, 0);
    const centred = tf.sub(features, mean) as tfjs.Tensor2D;
    return [mean, tf.div(tf.matMul(centred, centred, true, false), n - 1)];
  });
  try {
    const mean = Float64Array.from(await meanT.data());
    const cov = await covT.data();
    const covariance = new Matrix(d, d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) covariance.set(i, j, (cov[i * d + j]! + cov[j * d + i]!) / 2);
    return { mean, covariance };
  } finally {
    tf.dispose([meanT, covT]);
  }
}

/** Square root of a symmetric positive semi-definite matrix (negative rounding-error eigenvalues taken as 0). */
function sqrtPsd(matrix: Matrix): Matrix {
  const eig = new EigenvalueDecomposition(matrix, { assumeSymmetric: true });
  const vectors = eig.eigenvectorMatrix;
  const roots = Matrix.diag(eig.realEigenvalues.map((value) => Math.sqrt(Math.max(value, 0))));
  return vectors.mmul(roots).mmul(vectors.transpose());
}

/**
 * |m1 - m2|^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2)). The trace of (S1 S2)^(1/2) is
 * taken as that of (S1^(1/2) S2 S1^(1/2))^(1/2), which has the same
 * eigenvalues and is symmetric, so a symmetric eigensolver is exact enough.
 */
export function frechetDistance(a: FeatureStats, b: FeatureStats): number {
  let meanTerm = 0;
  for (let i = 0; i < a.mean.length; i++) meanTerm += (a.mean[i]! - b.mean[i]!) ** 2;
  const root = sqrtPsd(a.covariance);
  const product = root.mmul(b.covariance).mmul(root);
  const symmetric = product.add(product.transpose()).div(2);
  const eigenvalues = new EigenvalueDecomposition(symmetric, { assumeSymmetric: true }).realEigenvalues;
  const crossTrace = eigenvalues.reduce((sum, value) => sum + Math.sqrt(Math.max(value, 0)), 0);
  return Math.max(0, meanTerm + a.covariance.trace() + b.covariance.trace() - 2 * crossTrace);
}

/** Entropy in bits of the predicted-class histogram, and the mean top-class probability. */
async function classScores(tf: TF, logits: Tensor): Promise<{ entropy: number; confidence: number }> {
  const [predicted, top] = tf.tidy(() => [tf.argMax(logits, 1), tf.mean(tf.max(tf.softmax(logits), 1))]);
  try {
    const classes = logits.shape[1]!;
    const counts = new Array<number>(classes).fill(0);
    const labels = await predicted.data();
    for (const label of labels) counts[label]! += 1;
    const entropy = counts.reduce((h, c) => (c > 0 ? h - (c / labels.length) * Math.log2(c / labels.length) : h), 0);
    return { entropy, confidence: (await top.data())[0]! };
  } finally {
    tf.dispose([predicted, top]);
  }
}

/** Mean Euclidean distance between distinct pairs among the first images (pixel space). */
async function meanDistance(tf: TF, images: Tensor): Promise<number> {
  const m = Math.min(images.shape[0]!, DIVERSITY_SAMPLES);
  if (m < 2) return 0;
  const total = tf.tidy(() => {
    const x = tf.reshape(tf.slice(images, 0, m), [m, -1]) as tfjs.Tensor2D;
    const norms = tf.sum(tf.square(x), 1, true);
    const squared = tf.relu(tf.sub(tf.add(norms, tf.transpose(norms)), tf.mul(2, tf.matMul(x, x, false, true))));
    return tf.sum(tf.sqrt(squared));
  });
  try {
    return (await total.data())[0]! / (m * (m - 1));
  } finally {
    total.dispose();
  }
}
