import { unzipSync } from 'fflate';
import { parse, type NpyArray } from 'npyjs';
import { DATASET_LIMITS } from '../limits';
import { baseName, fail, ImportError, splitOf, type InputFile } from './files';
import { assemble, labelBytes, type ImportedData, type SplitData } from './split';

/**
 * NumPy arrays: one `.npy` of images, or a `.npz` archive of named arrays
 * (Keras' `x_train`/`y_train`/`x_test`/`y_test`, or `images`/`labels`).
 * Images are [n, h, w] or [n, h, w, c] with values 0-255, or floats in
 * [0, 1] or [-1, 1]; labels are [n] whole numbers. Read with npyjs.
 */
export const isNpy = (path: string) => /\.(npy|npz)$/i.test(path);

export function importNpy(files: readonly InputFile[]): ImportedData {
  const arrays: { name: string; array: NpyArray }[] = [];
  for (const file of files) {
    if (!isNpy(file.path)) fail(`${file.path}: not a NumPy file (.npy or .npz), and a dataset comes from one kind of file`);
    if (/\.npy$/i.test(file.path)) arrays.push({ name: file.path, array: read(file.bytes, file.path) });
    else for (const [entry, bytes] of Object.entries(unzipNpz(file))) arrays.push({ name: `${file.path}/${entry}`, array: read(bytes, `${file.path}/${entry}`) });
  }
  const found: Record<'train' | 'test', { images?: { name: string; array: NpyArray }; labels?: { name: string; array: NpyArray } }> = { train: {}, test: {} };
  for (const item of arrays) {
    const rank = item.array.shape.length;
    const role = rank === 1 ? 'labels' : rank === 3 || rank === 4 ? 'images' : fail(`${item.name}: shape [${item.array.shape.join(', ')}]; expected images [n, h, w] or [n, h, w, c], or labels [n]`);
    const split = found[splitOf(baseName(item.name))];
    if (split[role]) fail(`${item.name}: a second ${splitOf(baseName(item.name))} ${role} array beside ${split[role]!.name}`);
    split[role] = item;
  }
  const split = (which: 'train' | 'test'): SplitData | undefined => {
    const { images, labels } = found[which];
    if (!images) return labels ? fail(`${labels.name}: labels without images for the ${which} split`) : undefined;
    const [count, height, width, channels = 1] = images.array.shape as [number, number, number, number?];
    const data: SplitData = { source: images.name, count, height, width, channels, images: pixels(images.array, images.name) };
    if (!labels) return data;
    if (labels.array.shape[0] !== count) fail(`${labels.name}: ${labels.array.shape[0]} labels for the ${count} images of ${images.name}`);
    return { ...data, labels: labelBytes(labels.array.data as unknown as ArrayLike<number | bigint>, labels.name) };
  };
  return assemble('npy', { train: split('train'), test: split('test') });
}

function read(bytes: Uint8Array, name: string): NpyArray {
  let array: NpyArray;
  try {
    array = parse(bytes.slice().buffer);
  } catch (error) {
    return fail(`${name}: not a readable .npy array (${(error as Error).message})`);
  }
  if (array.fortranOrder) fail(`${name}: stored in Fortran order; save it with numpy.ascontiguousarray first`);
  if (!/^[iuf]\d$/.test(array.dtype) && array.dtype !== 'b1') fail(`${name}: dtype ${array.dtype} is not a number type`);
  // npyjs takes the header's shape on trust: it must be sizes, and their product the values the file holds.
  if (!array.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`${name}: shape (${array.shape.join(', ')}) is not a list of sizes`);
  const size = array.shape.reduce((a, b) => a * b, 1);
  const held = (array.data as unknown as ArrayLike<unknown>).length;
  if (size !== held) fail(`${name}: shape [${array.shape.join(', ')}] is ${size} values but the file holds ${held}`);
  return array;
}

function unzipNpz(file: InputFile): Record<string, Uint8Array> {
  let budget = DATASET_LIMITS.unpackedBytes;
  try {
    return unzipSync(file.bytes, {
      filter(entry) {
        budget -= entry.originalSize;
        if (budget < 0) fail(`${file.path}: unpacks to more than ${DATASET_LIMITS.unpackedBytes} bytes, the most an import may hold`);
        return entry.name.endsWith('.npy');
      },
    });
  } catch (error) {
    if (error instanceof ImportError) throw error;
    return fail(`${file.path}: not a readable .npz archive (${(error as Error).message})`);
  }
}

/** Pixel values as bytes: 0-255 kept, [0, 1] and [-1, 1] floats scaled; anything else refused with its range. */
function pixels(array: NpyArray, name: string): Uint8Array {
  const values = array.data as unknown as ArrayLike<number>;
  if (array.dtype === 'u1') return new Uint8Array((array.data as Uint8Array).slice());
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    if (!Number.isFinite(v)) fail(`${name}: value ${v} at index ${i}: pixels must be finite`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const floats = array.dtype.startsWith('f');
  const [scale, shift] =
    floats && min >= 0 && max <= 1 ? [255, 0] : floats && min >= -1 && max <= 1 ? [127.5, 1] : min >= 0 && max <= 255 ? [1, 0] : fail(`${name}: values from ${min} to ${max}; pixels must be 0-255, or floats in [0, 1] or [-1, 1]`);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round((Number(values[i]) + shift) * scale);
  return out;
}
