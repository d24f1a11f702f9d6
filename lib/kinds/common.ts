import { z } from 'zod';
import { ACTIVATIONS } from '../runtime/ops';
import { formatShape, type Shape } from './shape';
import { shapeError, type Initializer } from './kind';

/** Param schemas that several kinds share, so forms and docs read the same everywhere. */
export const activationParam = z.enum(ACTIVATIONS).default('linear').describe('Activation applied to the output');
export const kernelInitParam = z
  .enum(['xavier-normal', 'glorot-uniform', 'zeros', 'normal'])
  .describe('Weight initialiser: xavier-normal is the seeds\' N(0, 1/sqrt(in/2))');
export const drawParam = z
  .enum(['per-iteration', 'per-step'])
  .default('per-iteration')
  .describe('Draw a new batch once per iteration (shared by its optimizer steps) or for every optimizer step');
export const positiveInt = (max = 1 << 20) => z.number().int().min(1).max(max);
export const dims = z.array(positiveInt()).min(1).max(8);
export const padding = z.enum(['SAME', 'VALID']).default('SAME').describe('SAME keeps the size (divided by the stride); VALID uses only whole windows');
/** tfjs spells TensorFlow's padding names in lower case. */
export const tfPadding = (p: 'SAME' | 'VALID') => (p === 'SAME' ? 'same' : 'valid');

export function initializer(kind: z.infer<typeof kernelInitParam>, stddev = 0.01): Initializer {
  return kind === 'normal' ? { kind, mean: 0, stddev } : { kind };
}

/** Requires a connected input of the given rank (counting the batch dimension). */
export function inputOfRank(inputs: Readonly<Record<string, Shape>>, port: string, rank: number, what: string): Shape {
  const shape = inputs[port];
  if (!shape) return shapeError(port, `input "${port}" has no shape`);
  if (shape.length !== rank) {
    return shapeError(
      port,
      `expects ${what} of rank ${rank}, got ${formatShape(shape)} (rank ${shape.length})`,
      rank === 2 ? 'Insert a flatten node before it.' : 'Insert a reshape node before it.',
    );
  }
  return shape;
}

/**
 * Requires an input with a first dimension, which the layer keeps as its own
 * (the batch's, or the rows of a draw the batch shares): a scalar has none.
 */
export function inputWithRows(inputs: Readonly<Record<string, Shape>>, port: string): Shape {
  const shape = inputs[port];
  if (!shape) return shapeError(port, `input "${port}" has no shape`);
  if (shape.length === 0) return shapeError(port, 'expects a tensor with a batch dimension, got a scalar []', 'Connect a batch of values, not a loss.');
  return shape;
}

/** Output size of a strided window along one axis, as TensorFlow computes it. */
export function convOutSize(size: number, kernel: number, stride: number, pad: 'SAME' | 'VALID'): number {
  return pad === 'SAME' ? Math.ceil(size / stride) : Math.ceil((size - kernel + 1) / stride);
}

export const jsonLiteral = (value: unknown): string => JSON.stringify(value);

/** A kind's own words (enum values, param names): the only strings a kind's PyTorch form (`forms.pytorch`) may print itself. */
const PY_WORD = /^[A-Za-z0-9_.-]*$/;

/**
 * A Python literal of a kind's params: numbers, booleans, null, lists, dicts
 * and the kind's own words. Text from a graph (names, labels, ids) reaches
 * Python only through codegen/pytorch/text.ts, so any other string is refused.
 */
export const pyLiteral = (value: unknown): string => {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return `"${pyWord(value)}"`;
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `"${pyWord(k)}": ${pyLiteral(v)}`).join(', ')}}`;
};

function pyWord(text: string): string {
  if (!PY_WORD.test(text)) throw new Error(`generator bug: a kind printed ${JSON.stringify(text)}, which is not one of its own words (graph text goes through codegen/pytorch/text.ts)`);
  return text;
}

/** `{ learningRate: 0.001, rho: 0.95 }`: a code literal of params whose keys the kind itself defines. */
export const objectLiteral = (value: Readonly<Record<string, unknown>>): string => {
  const fields = Object.entries(value).map(([key, v]) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : jsonLiteral(key)}: ${jsonLiteral(v)}`);
  return fields.length ? `{ ${fields.join(', ')} }` : '{}';
};

/**
 * A dataset of the user's library, chosen by id. The choice carries the
 * dataset's size, channels and classes (datasets never change once imported),
 * so every shape downstream is inferred from the real data without a database.
 */
export const DatasetChoice = z.object({
  id: z.string().regex(/^[a-z0-9]{1,64}$/, 'not a dataset id'),
  name: z.string().max(200),
  height: z.number().int().min(1).max(4096),
  width: z.number().int().min(1).max(4096),
  /** 1 greyscale, 3 RGB, 4 RGBA (transparency kept at import). */
  channels: z.union([z.literal(1), z.literal(3), z.literal(4)]),
  classes: z.number().int().min(1).max(256),
  /** Items in the train split, and in the test split (0: none). */
  train: z.number().int().min(1),
  test: z.number().int().min(0),
});
export type DatasetChoice = z.infer<typeof DatasetChoice>;

/** A dataset's channel count as a choice holds it (1, 3 or 4; anything else, which no import writes, as greyscale). */
export const choiceChannels = (channels: number): DatasetChoice['channels'] => (channels === 3 || channels === 4 ? channels : 1);

/** MNIST as a choice of the dataset node: built in, beside the library's datasets. */
export const MNIST_CHOICE: DatasetChoice = { id: 'mnist', name: 'MNIST (built in)', height: 28, width: 28, channels: 1, classes: 10, train: 60_000, test: 10_000 };
