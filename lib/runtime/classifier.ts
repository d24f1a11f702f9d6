import type * as tfjs from '@tensorflow/tfjs';
import type { TF, Tensor } from './ops';

/**
 * The small MNIST classifier behind the quality scores (trained by
 * scripts/train-classifier.py, stored in assets/mnist-classifier/ in the tfjs
 * weights format): conv 5x5 SAME 16, relu, max pool 2; conv 5x5 SAME 32,
 * relu, max pool 2; dense 64 relu (the features the Fréchet distance
 * compares); dense 10 (the logits). Images are [n, 28, 28, 1] in [0, 1].
 * Runtime: shipped verbatim, so exported projects score as the app does.
 */
export interface ClassifierManifest {
  format: 'netloom-classifier';
  version: 1;
  testAccuracy: number;
  weightsManifest: [{ paths: ['weights.bin']; weights: { name: string; shape: number[]; dtype: 'float32' }[] }];
}

/** Its files, in one folder. */
export const CLASSIFIER_FILES = ['model.json', 'weights.bin'] as const;

export interface Classifier {
  /** The penultimate layer [n, 64] and the class logits [n, 10] of images [n, 28, 28, 1] in [0, 1]. */
  apply(images: Tensor): { features: Tensor; logits: Tensor };
  dispose(): void;
}

const NAMES = ['conv1/W', 'conv1/b', 'conv2/W', 'conv2/b', 'fc1/W', 'fc1/b', 'fc2/W', 'fc2/b'];

export function loadClassifier(tf: TF, manifest: ClassifierManifest, weights: Uint8Array): Classifier {
  if (manifest.format !== 'netloom-classifier' || manifest.version !== 1) throw new Error('model.json: not a Netloom classifier (format "netloom-classifier", version 1)');
  const specs = manifest.weightsManifest[0].weights;
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const tensors = tf.io.decodeWeights(buffer, specs as tfjs.io.WeightsManifestEntry[]);
  const missing = NAMES.filter((name) => !tensors[name]);
  if (missing.length) throw new Error(`model.json: the classifier lacks ${missing.join(', ')}`);
  const w = (name: string) => tensors[name]!;
  return {
    apply(images) {
      return tf.tidy(() => {
        const block = (x: Tensor, layer: string) => tf.maxPool(tf.relu(tf.add(tf.conv2d(x as tfjs.Tensor4D, w(`${layer}/W`) as tfjs.Tensor4D, 1, 'same'), w(`${layer}/b`))) as tfjs.Tensor4D, 2, 2, 'valid');
        const h = block(block(images, 'conv1'), 'conv2');
        const features = tf.relu(tf.add(tf.matMul(tf.reshape(h, [images.shape[0]!, -1]) as tfjs.Tensor2D, w('fc1/W') as tfjs.Tensor2D), w('fc1/b')));
        const logits = tf.add(tf.matMul(features as tfjs.Tensor2D, w('fc2/W') as tfjs.Tensor2D), w('fc2/b'));
        return { features, logits };
      });
    },
    dispose: () => Object.values(tensors).forEach((t) => t.dispose()),
  };
}
