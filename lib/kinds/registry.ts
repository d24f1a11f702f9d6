import type { Category, NodeKind } from './kind';
import { mnist } from './data/mnist';
import { noise } from './data/noise';
import { dataset } from './data/dataset';
import { labels } from './data/labels';
import { dense } from './layers/dense';
import { activation } from './layers/activation';
import { concat } from './layers/concat';
import { embedding } from './layers/embedding';
import { timeEmbedding } from './layers/time-embedding';
import { selfAttention } from './layers/self-attention';
import { flatten } from './layers/flatten';
import { reshape } from './layers/reshape';
import { conv2d } from './layers/conv2d';
import { maxPool2d } from './layers/max-pool2d';
import { conv2dTranspose } from './layers/conv2d-transpose';
import { resizeBilinear } from './layers/resize-bilinear';
import { upsample } from './layers/upsample';
import { reparameterize } from './layers/reparameterize';
import { add } from './layers/add';
import { dot } from './layers/dot';
import { scale } from './layers/scale';
import { batchNorm } from './layers/batch-norm';
import { groupNorm } from './layers/group-norm';
import { interpolate } from './layers/interpolate';
import { dropout } from './layers/dropout';
import { mean } from './losses/mean';
import { gradientPenalty } from './losses/gradient-penalty';
import { networkInput } from './networks/network-input';
import { networkOutput } from './networks/network-output';
import { call } from './networks/call';
import { timestep } from './diffusion/timestep';
import { noiseSchedule } from './diffusion/noise-schedule';
import { forwardNoise } from './diffusion/forward-noise';
import { sampler } from './diffusion/sampler';
import { conditionDropout } from './diffusion/condition-dropout';
import { sigmoidCrossEntropy } from './losses/sigmoid-cross-entropy';
import { logLoss } from './losses/log-loss';
import { binaryCrossEntropy } from './losses/binary-cross-entropy';
import { mse } from './losses/mse';
import { gaussianKl } from './losses/gaussian-kl';
import { weightedSum } from './losses/weighted-sum';
import { adam } from './optimizers/adam';
import { adadelta } from './optimizers/adadelta';
import { sgd } from './optimizers/sgd';
import { momentum } from './optimizers/momentum';
import { rmsprop } from './optimizers/rmsprop';

/** Every node kind, in palette order. Adding a kind: one file plus one line here. */
export const kinds: readonly NodeKind[] = [
  mnist,
  noise,
  dataset,
  labels,
  dense,
  activation,
  concat,
  embedding,
  timeEmbedding,
  selfAttention,
  flatten,
  reshape,
  conv2d,
  batchNorm,
  groupNorm,
  dropout,
  interpolate,
  maxPool2d,
  conv2dTranspose,
  resizeBilinear,
  upsample,
  reparameterize,
  add,
  dot,
  scale,
  networkInput,
  networkOutput,
  call,
  timestep,
  noiseSchedule,
  forwardNoise,
  conditionDropout,
  sampler,
  sigmoidCrossEntropy,
  logLoss,
  binaryCrossEntropy,
  mse,
  gaussianKl,
  weightedSum,
  mean,
  gradientPenalty,
  adam,
  adadelta,
  sgd,
  momentum,
  rmsprop,
];

const byName = new Map(kinds.map((k) => [k.kind, k]));

export const getKind = (name: string): NodeKind | undefined => byName.get(name);

export const CATEGORIES: readonly Category[] = ['data', 'layers', 'networks', 'diffusion', 'losses', 'optimizers'];
