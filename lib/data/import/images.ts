import { PNG } from 'pngjs';
import { DATASET_LIMITS } from '../limits';
import { baseName, fail, type InputFile } from './files';
import { assemble, type ImportedData, type SplitData } from './split';

/** How image files become one dataset: one size (or resized to one), greyscale or RGB. */
export interface ImageOptions {
  /** Resize every image to this size (cropping to keep its aspect); without it, all images must share one size. */
  size?: { height: number; width: number };
  /** 1: greyscale, 3: RGB; default: RGB if any image has colour, else greyscale. */
  channels?: 1 | 3;
}

export const isImage = (path: string) => /\.(png|jpe?g)$/i.test(path);

/** An image as decoded: its own channels (1 grey or 3 colour, alpha composited over black). */
interface Decoded {
  width: number;
  height: number;
  channels: 1 | 3;
  pixels: Uint8Array;
}

/**
 * A folder (or zip) of PNG and JPEG images. Subfolders name the classes
 * (`digits/3/x.png` is class "3"); `train/` and `test/` at the top make the
 * splits. PNGs of the dataset's size are decoded with pngjs (fast, pure
 * JavaScript); JPEGs and anything resized go through sharp (libvips).
 */
export async function importImages(files: readonly InputFile[], options: ImageOptions): Promise<ImportedData> {
  const placed = place(files);
  const decoded: Decoded[] = new Array(files.length);
  const BATCH = 64;
  for (let start = 0; start < files.length; start += BATCH) {
    const batch = files.slice(start, start + BATCH);
    const results = await Promise.all(batch.map((file) => decode(file, options.size)));
    results.forEach((image, k) => (decoded[start + k] = image));
  }
  const first = decoded[0]!;
  const odd = decoded.findIndex((d) => d.width !== first.width || d.height !== first.height);
  if (odd >= 0) {
    fail(`${files[odd]!.path}: ${decoded[odd]!.width}x${decoded[odd]!.height}, but ${files[0]!.path} is ${first.width}x${first.height}: images must share one size, or choose a size to resize them to`);
  }
  const channels = options.channels ?? (decoded.some((d) => d.channels === 3) ? 3 : 1);
  const size = first.width * first.height * channels;
  const splits: { train?: SplitData; test?: SplitData } = {};
  for (const split of ['train', 'test'] as const) {
    const members = placed.items.flatMap((item, i) => (item.split === split ? [i] : []));
    if (members.length === 0) continue;
    const images = new Uint8Array(members.length * size);
    members.forEach((i, row) => images.set(convert(decoded[i]!, channels), row * size));
    const labels = Uint8Array.from(members, (i) => placed.items[i]!.label);
    splits[split] = { source: placed.splitSource[split], count: members.length, height: first.height, width: first.width, channels, images, ...(placed.classNames ? { labels } : {}) };
  }
  return assemble('images', splits, placed.classNames);
}

/** Each file's split and class from its folders, below the folders that all files share. */
function place(files: readonly InputFile[]) {
  const dirs = files.map((f) => f.path.split('/').slice(0, -1));
  let common = 0;
  while (dirs.every((d) => d.length > common && d[common] === dirs[0]![common])) common++;
  const root = dirs[0]!.slice(0, common).join('/');
  let rest = dirs.map((d) => d.slice(common));
  const splitName = (dir: string | undefined) => (dir === undefined ? undefined : /^(train|training)$/i.test(dir) ? 'train' : /^(test|testing)$/i.test(dir) ? 'test' : undefined);
  const bySplit = rest.every((d) => splitName(d[0]) !== undefined);
  const splits = rest.map((d) => (bySplit ? splitName(d[0])! : 'train'));
  if (bySplit) rest = rest.map((d) => d.slice(1));
  const labelled = rest.filter((d) => d.length > 0).length;
  if (labelled > 0 && labelled < rest.length) {
    const loose = files[rest.findIndex((d) => d.length === 0)]!;
    fail(`${loose.path}: not in a class folder, while other images are (put every image in a folder named after its class, or none)`);
  }
  const classOf = rest.map((d) => d[0] ?? '');
  const classNames = labelled > 0 ? [...new Set(classOf)].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })) : undefined;
  if (classNames && classNames.length > DATASET_LIMITS.classes) fail(`${classNames.length} class folders: a dataset has at most ${DATASET_LIMITS.classes}`);
  const index = new Map(classNames?.map((name, i) => [name, i]));
  const items = files.map((_, i) => ({ split: splits[i]!, label: index.get(classOf[i]!) ?? 0 }));
  const where = (split: string) => `${root ? `${root}/` : ''}${bySplit ? `${split}/` : ''}` || 'the images';
  return { items, classNames, splitSource: { train: where('train'), test: where('test') } };
}

async function decode(file: InputFile, size: ImageOptions['size']): Promise<Decoded> {
  if (!isImage(file.path)) fail(`${file.path}: not an image (PNG or JPEG): ${baseName(file.path)} cannot be part of an image dataset`);
  if (!size && /\.png$/i.test(file.path)) return decodePng(file);
  try {
    // Loaded when first needed: same-size PNGs never need libvips.
    const { default: sharp } = await import('sharp');
    const image = sharp(file.bytes, { limitInputPixels: DATASET_LIMITS.side * DATASET_LIMITS.side * 16 });
    const meta = await image.metadata();
    const colour = (meta.channels ?? 3) >= 3;
    let pipeline = image.flatten({ background: '#000000' });
    if (size) pipeline = pipeline.resize(size.width, size.height, { fit: 'cover' });
    const { data, info } = await pipeline.toColourspace(colour ? 'srgb' : 'b-w').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 && info.channels !== 3) return fail(`${file.path}: decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, channels: info.channels, pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (error) {
    return fail(`${file.path}: not a readable image (${(error as Error).message})`);
  }
}

function decodePng(file: InputFile): Decoded {
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
  } catch (error) {
    return fail(`${file.path}: not a readable PNG (${(error as Error).message})`);
  }
  if (png.width > DATASET_LIMITS.side || png.height > DATASET_LIMITS.side) fail(`${file.path}: ${png.width}x${png.height}; the largest size is ${DATASET_LIMITS.side}x${DATASET_LIMITS.side} (choose a size to resize to)`);
  const channels = png.color ? 3 : 1;
  const count = png.width * png.height;
  const pixels = new Uint8Array(count * channels);
  const rgba = png.data;
  for (let p = 0; p < count; p++) {
    const alpha = rgba[p * 4 + 3]! / 255;
    for (let c = 0; c < channels; c++) pixels[p * channels + c] = Math.round(rgba[p * 4 + c]! * alpha);
  }
  return { width: png.width, height: png.height, channels, pixels };
}

/** An image in the dataset's channels: grey repeated for RGB, RGB to luma (ITU-R BT.601) for greyscale. */
function convert(image: Decoded, channels: number): Uint8Array {
  if (image.channels === channels) return image.pixels;
  const count = image.width * image.height;
  const out = new Uint8Array(count * channels);
  const p = image.pixels;
  if (channels === 3) for (let i = 0; i < count; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = p[i]!;
  else for (let i = 0; i < count; i++) out[i] = Math.round(0.299 * p[i * 3]! + 0.587 * p[i * 3 + 1]! + 0.114 * p[i * 3 + 2]!);
  return out;
}
