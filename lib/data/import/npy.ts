import type { ImportLimits } from '../limits';
import { baseName, fail, readAll, splitOf, type InputFile } from './files';
import { assemble, labelBytes, type ImportedData, type PixelSource, type SplitData } from './split';

/**
 * NumPy arrays: `.npy` files, or `.npz` archives of named arrays (opened by
 * `unpack`: Keras' `x_train`/`y_train`/`x_test`/`y_test`, or
 * `images`/`labels`). Images are [n, h, w] or [n, h, w, c] with values
 * 0-255, or floats in [0, 1] or [-1, 1]; labels are [n] whole numbers.
 * Shapes and types come from each array's header (the .npy format's own
 * dictionary); the values are read a chunk at a time.
 */
export const isNpy = (path: string) => /\.npy$/i.test(path);

/** What a .npy header declares, and where its data starts. */
interface NpyHeader {
  /** The type without its byte order: u1, i4, f4, f8, b1... */
  dtype: string;
  littleEndian: boolean;
  shape: number[];
  offset: number;
}

/** Values are converted this many at a time. */
const CHUNK_VALUES = 1 << 20;

export async function importNpy(files: readonly { file: InputFile; head: Uint8Array }[], limits: ImportLimits): Promise<ImportedData> {
  const arrays: { file: InputFile; header: NpyHeader }[] = [];
  for (const { file, head } of files) {
    if (!isNpy(file.path)) fail(`${file.path}: not a NumPy file (.npy or .npz), and a dataset comes from one kind of file`);
    arrays.push({ file, header: await header(file, head) });
  }
  const found: Record<'train' | 'test', { images?: (typeof arrays)[number]; labels?: (typeof arrays)[number] }> = { train: {}, test: {} };
  for (const item of arrays) {
    const rank = item.header.shape.length;
    const role = rank === 1 ? 'labels' : rank === 3 || rank === 4 ? 'images' : fail(`${item.file.path}: shape [${item.header.shape.join(', ')}]; expected images [n, h, w] or [n, h, w, c], or labels [n]`);
    const split = found[splitOf(baseName(item.file.path))];
    if (split[role]) fail(`${item.file.path}: a second ${splitOf(baseName(item.file.path))} ${role} array beside ${split[role]!.file.path}`);
    split[role] = item;
  }
  const split = async (which: 'train' | 'test'): Promise<SplitData | undefined> => {
    const { images, labels } = found[which];
    if (!images) return labels ? fail(`${labels.file.path}: labels without images for the ${which} split`) : undefined;
    const [count, height, width, channels = 1] = images.header.shape as [number, number, number, number?];
    const data: SplitData = { source: images.file.path, count, height, width, channels, pixels: await pixels(images.file, images.header) };
    if (!labels) return data;
    if (labels.header.shape[0] !== count) fail(`${labels.file.path}: ${labels.header.shape[0]} labels for the ${count} images of ${images.file.path}`);
    return { ...data, labels: labelBytes(decode(labels.header, await readAll(labels.file), labels.header.offset, count), labels.file.path) };
  };
  return assemble('npy', { train: await split('train'), test: await split('test') }, limits);
}

/** The .npy header (format versions 1 to 3), checked against the file's size: sizes whose product is the values the file holds. */
async function header(file: InputFile, head: Uint8Array): Promise<NpyHeader> {
  const name = file.path;
  const unreadable = (why: string) => fail(`${name}: not a readable .npy array (${why})`);
  if (head.length < 10 || head[0] !== 0x93 || new TextDecoder().decode(head.subarray(1, 6)) !== 'NUMPY') unreadable('no NUMPY magic string');
  const version = head[6]!;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const [length, start] = version === 1 ? [view.getUint16(8, true), 10] : version === 2 || version === 3 ? [head.length >= 12 ? view.getUint32(8, true) : 0, 12] : unreadable(`format version ${version}`);
  const bytes = start + length <= head.length ? head.subarray(start, start + length) : await file.read(start, length);
  if (bytes.length < length) unreadable('its header is cut short');
  const text = new TextDecoder(version === 3 ? 'utf-8' : 'latin1').decode(bytes);
  const descr = /'descr'\s*:\s*'([<>|=]?)([a-zA-Z]\d*)'/.exec(text) ?? unreadable('its header names no dtype');
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text) ?? unreadable('its header has no fortran_order');
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text) ?? unreadable('its header has no shape');
  if (fortran[1] === 'True') fail(`${name}: stored in Fortran order; save it with numpy.ascontiguousarray first`);
  const dtype = descr[2]!;
  if (!ITEM_BYTES[dtype]) fail(`${name}: dtype ${dtype} is not a number type${dtype === 'f2' ? ' read here (save float16 as float32)' : ''}`);
  const shape = shapeText[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`${name}: shape (${shape.join(', ')}) is not a list of sizes`);
  const offset = start + length;
  const size = shape.reduce((a, b) => a * b, 1);
  const held = Math.floor((file.size - offset) / ITEM_BYTES[dtype]!);
  if (size !== held) fail(`${name}: shape [${shape.join(', ')}] is ${size} values but the file holds ${held}`);
  return { dtype, littleEndian: descr[1] !== '>', shape, offset };
}

/** Bytes per value of each dtype read here. */
const ITEM_BYTES: Record<string, number> = { b1: 1, u1: 1, i1: 1, u2: 2, i2: 2, u4: 4, i4: 4, u8: 8, i8: 8, f4: 4, f8: 8 };

/** `count` values from `bytes` at `offset`, as numbers. */
function decode(h: NpyHeader, bytes: Uint8Array, offset: number, count: number): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * ITEM_BYTES[h.dtype]!);
  const size = ITEM_BYTES[h.dtype]!;
  const le = h.littleEndian;
  const at = (i: number): number => {
    const o = i * size;
    switch (h.dtype) {
      case 'b1':
      case 'u1':
        return view.getUint8(o);
      case 'i1':
        return view.getInt8(o);
      case 'u2':
        return view.getUint16(o, le);
      case 'i2':
        return view.getInt16(o, le);
      case 'u4':
        return view.getUint32(o, le);
      case 'i4':
        return view.getInt32(o, le);
      case 'u8':
        return Number(view.getBigUint64(o, le));
      case 'i8':
        return Number(view.getBigInt64(o, le));
      case 'f4':
        return view.getFloat32(o, le);
      default:
        return view.getFloat64(o, le);
    }
  };
  return Array.from({ length: count }, (_, i) => at(i));
}

/**
 * An array's values as pixel bytes: 0-255 kept, [0, 1] and [-1, 1] floats
 * scaled, anything else refused with its range. Bytes are copied a chunk at a
 * time; other types are read twice, a chunk at a time: once for their range,
 * once to convert.
 */
async function pixels(file: InputFile, h: NpyHeader): Promise<PixelSource> {
  const total = h.shape.reduce((a, b) => a * b, 1);
  const size = ITEM_BYTES[h.dtype]!;
  const each = async (visit: (values: number[], first: number) => void) => {
    for (let first = 0; first < total; first += CHUNK_VALUES) {
      const count = Math.min(CHUNK_VALUES, total - first);
      visit(decode(h, await file.read(h.offset + first * size, count * size), 0, count), first);
    }
  };
  if (h.dtype === 'u1') {
    return async function* () {
      for (let first = 0; first < total; first += CHUNK_VALUES) yield await file.read(h.offset + first, Math.min(CHUNK_VALUES, total - first));
    };
  }
  let min = Infinity;
  let max = -Infinity;
  await each((values, first) =>
    values.forEach((v, i) => {
      if (!Number.isFinite(v)) fail(`${file.path}: value ${v} at index ${first + i}: pixels must be finite`);
      if (v < min) min = v;
      if (v > max) max = v;
    }),
  );
  const floats = h.dtype.startsWith('f');
  const [scale, shift] =
    floats && min >= 0 && max <= 1 ? [255, 0] : floats && min >= -1 && max <= 1 ? [127.5, 1] : min >= 0 && max <= 255 ? [1, 0] : fail(`${file.path}: values from ${min} to ${max}; pixels must be 0-255, or floats in [0, 1] or [-1, 1]`);
  return async function* () {
    for (let first = 0; first < total; first += CHUNK_VALUES) {
      const count = Math.min(CHUNK_VALUES, total - first);
      yield Uint8Array.from(decode(h, await file.read(h.offset + first * size, count * size), 0, count), (v) => Math.round((v + shift) * scale));
    }
  };
}
