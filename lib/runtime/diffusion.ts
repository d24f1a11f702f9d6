import type { Batches } from './batches';
import type { TF, Tensor } from './ops';
import { categorical, normals, sourceStream, uniforms, type SourcePurpose, type Stream } from './random';

// This module is runtime: it imports only other runtime modules, so the exporter ships it verbatim.
// netloom/diffusion.py is the same in PyTorch.

/**
 * Diffusion and flow matching share one description of the forward process:
 * a schedule table of K + 1 knots (signal_k, noise_k), with the noised value
 * at position t being x_t = signal(t) x0 + noise(t) eps, linear between knots.
 *   linear, cosine: DDPM's T steps, knot k = (sqrt(abar_k), sqrt(1 - abar_k)), abar_0 = 1;
 *                   positions are the integer timesteps 1..T.
 *   flow:           rectified flow's straight line, two knots (1, 0) and (0, 1);
 *                   positions are continuous times in [0, 1].
 * Training noises data with it (forwardNoise) and samplers step along it
 * (sample), from one table: the two cannot disagree.
 */
export type ScheduleType = 'linear' | 'cosine' | 'flow';

export interface ScheduleSpec {
  type: ScheduleType;
  /** T, for the linear and cosine schedules. */
  steps: number;
  /** The linear schedule's first and last beta. */
  betaStart: number;
  betaEnd: number;
}

/** The cosine schedule's offset s (Nichol and Dhariwal, 2021) and its largest beta. */
const COSINE_OFFSET = 0.008;
const MAX_BETA = 0.999;

/** The table's knots, K + 1 rows of (signal, noise), row-major; computed in float64, rounded once. */
export function scheduleTable(spec: ScheduleSpec): Float32Array {
  if (spec.type === 'flow') return Float32Array.of(1, 0, 0, 1);
  const T = spec.steps;
  const f = (t: number) => Math.cos(((t / T + COSINE_OFFSET) / (1 + COSINE_OFFSET)) * (Math.PI / 2)) ** 2;
  const beta = (i: number) =>
    spec.type === 'linear' ? spec.betaStart + ((spec.betaEnd - spec.betaStart) * (i - 1)) / Math.max(1, T - 1) : Math.min(1 - f(i) / f(i - 1), MAX_BETA);
  const table = new Float32Array(2 * (T + 1));
  let abar = 1;
  for (let k = 0; k <= T; k++) {
    if (k > 0) abar *= 1 - beta(k);
    table[2 * k] = Math.sqrt(abar);
    table[2 * k + 1] = Math.sqrt(1 - abar);
  }
  return table;
}

/** Intervals of a table of `knots` rows: a table of one interval is a straight line (rectified flow), sampled at any times. */
export const isContinuous = (knots: number) => knots === 2;

/**
 * The table at positions t [b, 1]: per row (signal, noise) and their slope,
 * each [b, 2]. At a knot the value is the knot's exactly (weights 1 and 0).
 */
function interpolate(tf: TF, table: Tensor, t: Tensor): { value: Tensor; slope: Tensor } {
  const intervals = table.shape[0]! - 1;
  const index = tf.clipByValue(tf.floor(t), 0, intervals - 1);
  const fraction = tf.sub(t, index);
  // Rows picked by one-hot products, exact (one term is not zero) and, unlike gather, differentiable in every input.
  const flat = tf.reshape(tf.cast(index, 'int32'), [-1]);
  const low = tf.matMul(tf.oneHot(flat, intervals + 1), table);
  const high = tf.matMul(tf.oneHot(tf.add(flat, tf.scalar(1, 'int32')), intervals + 1), table);
  return { value: tf.add(tf.mul(low, tf.sub(1, fraction)), tf.mul(high, fraction)), slope: tf.sub(high, low) };
}

/** Column `c` of per-row pairs [b, 2], shaped to scale values of `rank` ([b, 1, ..., 1]). */
const column = (tf: TF, pairs: Tensor, c: number, rank: number) => tf.reshape(tf.slice(pairs, [0, c], [-1, 1]), [-1, ...new Array<number>(rank - 1).fill(1)]);

/**
 * The forward process: x_t = signal(t) x0 + noise(t) eps, and its velocity
 * dx_t/dt (rectified flow's target, eps - x0, on the flow table).
 */
export function forwardNoise(tf: TF, x0: Tensor, eps: Tensor, t: Tensor, table: Tensor): { xt: Tensor; velocity: Tensor } {
  const { value, slope } = interpolate(tf, table, t);
  const rank = x0.rank;
  const xt = tf.add(tf.mul(column(tf, value, 0, rank), x0), tf.mul(column(tf, value, 1, rank), eps));
  const velocity = tf.add(tf.mul(column(tf, slope, 0, rank), x0), tf.mul(column(tf, slope, 1, rank), eps));
  return { xt, velocity };
}

export type SamplerMethod = 'ddpm' | 'ddim' | 'euler';
export type Prediction = 'eps' | 'velocity';

export interface SamplerSpec {
  /** ddpm: ancestral (fresh noise each step); ddim: deterministic; euler: steps along the predicted velocity. */
  method: SamplerMethod;
  steps: number;
  /** What the network predicts: the noise, or the velocity dx_t/dt. */
  prediction: Prediction;
  /** Classifier-free guidance scale: 1 conditions plainly; w > 1 pushes away from the unconditioned prediction. */
  guidance: number;
  /** Clamp each estimate of x0 to [-1, 1] (data scaled to -1..1), as DDPM does; off: never. */
  clip: boolean;
}

/**
 * Where a sampler steps, from the most noised: N positions on a table of K
 * intervals, evenly spaced down from K (trailing spacing: the first step
 * starts at pure noise), then 0. Integer timesteps on DDPM's tables,
 * fractions on a straight line.
 */
export function samplerPositions(intervals: number, steps: number): number[] {
  const positions = Array.from({ length: steps }, (_, i) => (isContinuous(intervals + 1) ? (steps - i) / steps : Math.floor((intervals * (steps - i)) / steps)));
  return [...positions, 0];
}

/** The denoiser as a function of its inputs in order, (x_t, t [b, 1]) or (x_t, t, labels): its prediction. */
export type Denoise = (args: readonly Tensor[]) => Tensor;

/** Where an ancestral sampler draws its fresh noise: step i draws at (iteration, i) of the stream. */
export interface SamplerNoise {
  stream: Stream;
  iteration: number;
}

/**
 * Rows the denoiser runs at once while sampling: tfjs holds every value of a
 * pass until its step ends, so thousands of rows (a batch of samples for the
 * scores, doubled by guidance) run in slices. Rows never meet in an
 * evaluation pass (batch norm uses its moving statistics there), so slicing
 * changes no value.
 */
export const DENOISE_ROWS = 32;

/** The denoiser on `args` in slices of at most DENOISE_ROWS rows, each slice's values released before the next. */
function denoiseInSlices(tf: TF, denoise: Denoise, args: readonly Tensor[]): Tensor {
  const rows = args[0]!.shape[0]!;
  if (rows <= DENOISE_ROWS) return denoise(args);
  const parts: Tensor[] = [];
  for (let start = 0; start < rows; start += DENOISE_ROWS) {
    const size = Math.min(DENOISE_ROWS, rows - start);
    parts.push(tf.tidy(() => denoise(args.map((a) => tf.slice(a, start, size)))));
  }
  const joined = tf.concat(parts);
  tf.dispose(parts);
  return joined;
}

/** The (signal, noise) knot pair of a table at a host position, linear between knots, in float64. */
function knot(table: Float32Array, position: number): { a: number; b: number; da: number; db: number } {
  const intervals = table.length / 2 - 1;
  const k = Math.min(Math.max(Math.floor(position), 0), intervals - 1);
  const f = position - k;
  const [a0, b0, a1, b1] = [table[2 * k]!, table[2 * k + 1]!, table[2 * k + 2]!, table[2 * k + 3]!];
  return { a: a0 * (1 - f) + a1 * f, b: b0 * (1 - f) + b1 * f, da: a1 - a0, db: b1 - b0 };
}

/**
 * Iterative generation from `noise` (x at the table's end): each step asks
 * the denoiser for its prediction, turns it into estimates of x0 and eps
 * from the table, and moves to the next position: DDIM's update (eta 1 for
 * DDPM's ancestral step, 0 for DDIM), or an Euler step along the velocity.
 * With labels and a guidance scale w, the prediction is
 * uncond + w (cond - uncond), the unconditioned one on all-zero labels (what
 * label dropout trains), both in one pass. Every coefficient is a float64
 * on the host, so the app and the exports compute the same steps.
 * `onStep`: told after each step (a slow sampler's progress).
 */
export function sample(
  tf: TF,
  denoise: Denoise,
  inputs: { noise: Tensor; schedule: Tensor; labels?: Tensor },
  spec: SamplerSpec,
  draws: SamplerNoise,
  onStep?: (done: number, steps: number) => void,
): Tensor {
  const table = inputs.schedule.dataSync() as Float32Array;
  const positions = samplerPositions(table.length / 2 - 1, spec.steps);
  const rows = inputs.noise.shape[0]!;
  const features = inputs.noise.size / rows;
  const eta = spec.method === 'ddpm' ? 1 : 0;
  const guided = inputs.labels !== undefined && spec.guidance !== 1;
  let x = tf.clone(inputs.noise);
  for (let i = 0; i < spec.steps; i++) {
    const next = tf.tidy(() => {
      const [t, s] = [positions[i]!, positions[i + 1]!];
      const at = knot(table, t);
      const to = knot(table, s);
      const times = tf.fill([rows, 1], t);
      let out: Tensor;
      if (guided) {
        const both = denoiseInSlices(tf, denoise, [tf.concat([x, x]), tf.concat([times, times]), tf.concat([inputs.labels!, tf.zerosLike(inputs.labels!)])]);
        const [conditioned, unconditioned] = tf.split(both, 2);
        out = tf.add(unconditioned!, tf.mul(tf.sub(conditioned!, unconditioned!), spec.guidance));
      } else out = denoiseInSlices(tf, denoise, inputs.labels ? [x, times, inputs.labels] : [x, times]);
      // Estimates of x0 and eps from x = a x0 + b eps and the prediction (eps, or v = da x0 + db eps).
      let x0: Tensor;
      let eps: Tensor;
      if (spec.prediction === 'eps') {
        eps = out;
        x0 = tf.mul(tf.sub(x, tf.mul(out, at.b)), 1 / at.a);
      } else {
        const det = at.a * at.db - at.b * at.da;
        x0 = tf.mul(tf.sub(tf.mul(x, at.db), tf.mul(out, at.b)), 1 / det);
        eps = tf.mul(tf.sub(tf.mul(out, at.a), tf.mul(x, at.da)), 1 / det);
      }
      if (spec.clip) {
        // The noise that goes with the clamped x0 (as diffusers' DDIM does).
        x0 = tf.clipByValue(x0, -1, 1);
        eps = tf.mul(tf.sub(x, tf.mul(x0, at.a)), 1 / at.b);
      }
      if (spec.method === 'euler') {
        const velocity = tf.add(tf.mul(x0, at.da), tf.mul(eps, at.db));
        return tf.add(x, tf.mul(velocity, s - t));
      }
      // DDIM (Song et al. 2021, eq. 12) in (signal, noise) form: sigma = eta (b_s / b_t) sqrt(1 - a_t^2 / a_s^2).
      const sigma = eta * (to.b / at.b) * Math.sqrt(Math.max(0, 1 - (at.a * at.a) / (to.a * to.a)));
      const kept = Math.sqrt(Math.max(0, to.b * to.b - sigma * sigma));
      const mean = tf.add(tf.mul(x0, to.a), tf.mul(eps, kept));
      if (sigma === 0) return mean;
      const z = tf.tensor(normals(draws.stream, { iteration: draws.iteration, draw: i }, rows * features), x.shape);
      return tf.add(mean, tf.mul(z, sigma));
    });
    x.dispose();
    x = next;
    onStep?.(i + 1, spec.steps);
  }
  return x;
}

export interface TimestepSpec {
  /** integer: t uniform in 1..steps; continuous: t uniform in [0, 1). */
  mode: 'integer' | 'continuous';
  steps: number;
}

/** A timestep per row on port `t` ([rows] values): where on the schedule training noises each row. */
export function timestepBatches(spec: TimestepSpec, stream: Stream): Batches {
  return {
    draw(at, rows) {
      if (spec.mode === 'continuous') return { t: uniforms(stream, at, rows) };
      return { t: Float32Array.from(categorical(stream, at, rows, spec.steps), (k) => k + 1) };
    },
  };
}

/** The schedule's table on port `schedule`, the same for every draw. */
export function scheduleBatches(spec: ScheduleSpec): Batches {
  const table = scheduleTable(spec);
  return { draw: () => ({ schedule: table }) };
}

/** Where sampler `node` draws its fresh noise for one purpose: the stream `<purpose>:sampler:/<node>`, at `iteration` (a chunk of samples). */
export const samplerNoise = (seed: number, purpose: SourcePurpose, node: string, iteration = 0): SamplerNoise => ({ stream: sourceStream(seed, purpose, `sampler:/${node}`), iteration });
