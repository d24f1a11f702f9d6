import type { ImportLimits } from '../limits';
import { baseName, fail, readAll, splitOf, type InputFile } from './files';
import type { ImportOptions } from './options';
import { isIdentity, mergeRanges, pixelScale, RangeScanner, SMALL_MAX, toBytes, type FoundRange, type PixelScale } from './range';
import { assemble, labelBytes, type ImportedData, type PixelSource, type SplitData } from './split';

/**
 * NumPy arrays: `.npy` files, or `.npz` archives of named arrays (opened by
 * `unpack`: Keras' `x_train`/`y_train`/`x_test`/`y_test`, or
 * `images`/`labels`). Images are [n, h, w] or [n, h, w, c]; their values
 * become bytes by one rule for the dataset (range.ts: 0-255 as they are,
 * [0, 1] and [-1, 1] scaled, small whole numbers such as 0-16 scaled from
 * 0..max, or a declared range); labels are [n] whole numbers. Shapes and
 * types come from each array's header (the .npy format's own dictionary)
 * and are checked against the import's limits first; then the values are
 * read a chunk at a time, once for their range and once as the dataset is
 * written.
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

export async function importNpy(files: readonly { file: InputFile; head: Uint8Array }[], options: Pick<ImportOptions, 'range'>, limits: ImportLimits): Promise<ImportedData> {
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
  // One scale for every split, known once the values have been read (below): sources run only after this function returns.
  let scale: PixelScale | undefined;
  const split = async (which: 'train' | 'test'): Promise<SplitData | undefined> => {
    const { images, labels } = found[which];
    if (!images) return labels ? fail(`${labels.file.path}: labels without images for the ${which} split`) : undefined;
    const [count, height, width, channels = 1] = images.header.shape as [number, number, number, number?];
    const data: SplitData = { source: images.file.path, count, height, width, channels, pixels: pixels(images.file, images.header, () => scale!) };
    if (!labels) return data;
    if (labels.header.shape[0] !== count) fail(`${labels.file.path}: ${labels.header.shape[0]} labels for the ${count} images of ${images.file.path}`);
    return { ...data, labels: labelBytes(decode(labels.header, await readAll(labels.file), labels.header.offset, count), labels.file.path) };
  };
  const imported = assemble('npy', { train: await split('train'), test: await split('test') }, limits);
  // The import is within its limits (from the headers): only now are the values read, for their range.
  const ranges: FoundRange[] = [];
  for (const which of ['train', 'test'] as const) {
    const images = found[which].images;
    if (images) ranges.push(await rangeOf(images.file, images.header, options.range === undefined));
  }
  scale = pixelScale(mergeRanges(ranges), options.range);
  return { ...imported, notes: scale.note ? [scale.note] : [] };
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
 * The extremes of an image array's values, read a chunk at a time (non-finite
 * values refused, naming where). Bytes are read only until one is too
 * bright to be a small range (see range.ts), unless a declared range needs
 * every value checked: so images of 0-255 cost one chunk.
 */
async function rangeOf(file: InputFile, h: NpyHeader, stopEarly: boolean): Promise<FoundRange> {
  const total = h.shape.reduce((a, b) => a * b, 1);
  const item = h.shape.slice(1).reduce((a, b) => a * b, 1);
  const size = ITEM_BYTES[h.dtype]!;
  const scanner = new RangeScanner((i) => `${file.path}, image ${Math.floor(i / item)} (value ${i})`);
  for (let first = 0; first < total; first += CHUNK_VALUES) {
    const count = Math.min(CHUNK_VALUES, total - first);
    const bytes = await file.read(h.offset + first * size, count * size);
    const values = h.dtype === 'u1' ? bytes : decode(h, bytes, 0, count);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) fail(`${file.path}: value ${v} at index ${first + i}: pixels must be finite`);
      scanner.see(v, first + i);
    }
    if (stopEarly && h.dtype === 'u1' && scanner.max >= SMALL_MAX) break;
  }
  return scanner;
}

/** An array's values as pixel bytes by the dataset's scale, a chunk at a time (bytes kept as they are: copied). */
function pixels(file: InputFile, h: NpyHeader, scaleOf: () => PixelScale): PixelSource {
  const total = h.shape.reduce((a, b) => a * b, 1);
  const size = ITEM_BYTES[h.dtype]!;
  return async function* () {
    const scale = scaleOf();
    for (let first = 0; first < total; first += CHUNK_VALUES) {
      const count = Math.min(CHUNK_VALUES, total - first);
      const bytes = await file.read(h.offset + first * size, count * size);
      yield h.dtype === 'u1' && isIdentity(scale) ? bytes : toBytes(h.dtype === 'u1' ? bytes : decode(h, bytes, 0, count), scale);
    }
  };
}
