import { PNG } from 'pngjs';
import { DATASET_LIMITS, type ImportLimits } from '../limits';
import { baseName, fail, readAll, type InputFile } from './files';
import type { Background, ImportOptions } from './options';
import { assemble, type ImportedData, type SplitData } from './split';

/** How image files become one dataset: one size (or resized to one), greyscale or RGB, transparency over a background (white by default) or kept (RGBA). */
export type ImageOptions = Pick<ImportOptions, 'size' | 'channels' | 'background'>;

export const isImage = (path: string) => /\.(png|jpe?g)$/i.test(path);

/** An image as decoded: its own channels (1 grey or 3 colour, transparency composited over the background), or RGBA where alpha is kept. */
interface Decoded {
  width: number;
  height: number;
  channels: 1 | 3 | 4;
  pixels: Uint8Array;
}

/**
 * A folder (or zip) of PNG and JPEG images. Subfolders name the classes
 * (`digits/3/x.png` is class "3"); `train/` and `test/` at the top make the
 * splits. Sizes and colour come from each file's header; then the images
 * are decoded a few at a time as the dataset is written: PNGs of the
 * dataset's size with pngjs (fast, pure JavaScript), JPEGs and anything
 * resized with sharp (libvips). Transparent pixels are composited over the
 * background chosen (white by default: dark glyphs on a transparent
 * background stay visible; over black they would vanish), or alpha is kept
 * as a fourth channel (RGBA).
 */
export async function importImages(files: readonly { file: InputFile; head: Uint8Array }[], options: ImageOptions, limits: ImportLimits): Promise<ImportedData> {
  const placed = place(files.map((f) => f.file));
  // Every image's size and colour from its header, before any is decoded.
  const headers: ImageHeader[] = [];
  for (const { file, head } of files) headers.push(await imageHeader(file, head));
  const first = headers[0]!;
  if (!options.size) {
    const odd = headers.findIndex((d) => d.width !== first.width || d.height !== first.height);
    if (odd >= 0) {
      fail(`${files[odd]!.file.path}: ${headers[odd]!.width}x${headers[odd]!.height}, but ${files[0]!.file.path} is ${first.width}x${first.height}: images must share one size, or choose a size to resize them to`);
    }
    const large = headers.findIndex((d) => d.width > DATASET_LIMITS.side || d.height > DATASET_LIMITS.side);
    if (large >= 0) fail(`${files[large]!.file.path}: ${headers[large]!.width}x${headers[large]!.height}; the largest size is ${DATASET_LIMITS.side}x${DATASET_LIMITS.side} (choose a size to resize to)`);
  }
  const height = options.size?.height ?? first.height;
  const width = options.size?.width ?? first.width;
  const background = options.background ?? 'white';
  const channels = background === 'alpha' ? 4 : (options.channels ?? (headers.some((d) => d.colour) ? 3 : 1));
  const splits: { train?: SplitData; test?: SplitData } = {};
  for (const split of ['train', 'test'] as const) {
    const members = placed.items.flatMap((item, i) => (item.split === split ? [i] : []));
    if (members.length === 0) continue;
    const labels = Uint8Array.from(members, (i) => placed.items[i]!.label);
    const pixels = async function* () {
      // A few at a time: an image decodes to up to side x side x 4 bytes before it is resized.
      for (let start = 0; start < members.length; start += PARALLEL) {
        const batch = members.slice(start, start + PARALLEL).map((i) => files[i]!.file);
        const decoded = await Promise.all(batch.map((file) => decode(file, options.size, background)));
        for (const [k, image] of decoded.entries()) {
          if (image.width !== width || image.height !== height) fail(`${batch[k]!.path}: decoded to ${image.width}x${image.height}, where its header says ${width}x${height}`);
          yield convert(image, channels, batch[k]!.path);
        }
      }
    };
    splits[split] = { source: placed.splitSource[split], count: members.length, height, width, channels, pixels, ...(placed.classNames ? { labels } : {}) };
  }
  return { ...assemble('images', splits, limits, placed.classNames), notes: transparencyNotes(headers.filter((h) => h.alpha).length, headers.length, background) };
}

/**
 * What became of transparency, in words: how many images can hold it (their
 * headers name an alpha channel or a transparent colour: the notes come
 * before any pixel is decoded), and what was done with transparent pixels.
 */
function transparencyNotes(transparent: number, total: number, background: Background): string[] {
  const some = `${transparent} of ${total} images ha${transparent === 1 ? 's' : 've'} an alpha channel or a transparent colour`;
  if (background === 'alpha') return [`transparency kept as a fourth channel (RGBA)${transparent === 0 ? ': no image has any, so alpha is 255 everywhere' : `: ${some}`}`];
  if (transparent === 0) return [];
  return [`${some}: any transparent pixels composited over ${background}; choose ${background === 'white' ? 'black' : 'white'}, or keep alpha as a fourth channel (RGBA), to read them otherwise`];
}

/** Images decoded at once. */
const PARALLEL = 8;

/** What an image's header says: its size, whether it has colour, and whether it may have transparent pixels (an alpha channel, or a transparent colour). */
interface ImageHeader {
  width: number;
  height: number;
  colour: boolean;
  alpha: boolean;
}

/** The size and colour of a PNG (its IHDR chunk) or a JPEG (its frame header), read from the file's first bytes (more only when a JPEG's frame header comes later). */
async function imageHeader(file: InputFile, head: Uint8Array): Promise<ImageHeader> {
  if (!isImage(file.path)) fail(`${file.path}: not an image (PNG or JPEG): ${baseName(file.path)} cannot be part of an image dataset`);
  if (/\.png$/i.test(file.path)) {
    const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    if (head.length < 26 || signature.some((b, i) => head[i] !== b) || new TextDecoder().decode(head.subarray(12, 16)) !== 'IHDR') fail(`${file.path}: not a readable PNG (no PNG header)`);
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const type = head[25];
    return { width: view.getUint32(16, false), height: view.getUint32(20, false), colour: type === 2 || type === 3 || type === 6, alpha: type === 4 || type === 6 || hasPngChunk(head, 'tRNS') };
  }
  const frame = jpegFrame(head) ?? jpegFrame(await readAll(file));
  return frame ?? fail(`${file.path}: not a readable image (no JPEG frame header)`);
}

/** Whether a PNG's chunks before its image data, as far as `head` holds them, include `type` (tRNS, a transparent colour or palette entries, comes before IDAT). */
function hasPngChunk(head: Uint8Array, type: string): boolean {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  for (let at = 8; at + 8 <= head.length; ) {
    const name = String.fromCharCode(head[at + 4]!, head[at + 5]!, head[at + 6]!, head[at + 7]!);
    if (name === type) return true;
    if (name === 'IDAT' || name === 'IEND') return false;
    at += 12 + view.getUint32(at, false);
  }
  return false;
}

/** A JPEG's frame header (SOF0-SOF15 but DHT, JPG and DAC), walking its markers. */
function jpegFrame(bytes: Uint8Array): ImageHeader | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (bytes[at + 5]! << 8) | bytes[at + 6]!, width: (bytes[at + 7]! << 8) | bytes[at + 8]!, colour: bytes[at + 9]! >= 3, alpha: false };
    }
    at += 2 + length;
  }
  return undefined;
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

async function decode(file: InputFile, size: ImageOptions['size'], background: Background): Promise<Decoded> {
  const bytes = await readAll(file);
  if (!size && /\.png$/i.test(file.path)) return decodePng(file.path, bytes, background);
  try {
    // Loaded when first needed: same-size PNGs never need libvips.
    const { default: sharp } = await import('sharp');
    const image = sharp(bytes, { limitInputPixels: DATASET_LIMITS.side * DATASET_LIMITS.side * 16 });
    const meta = await image.metadata();
    const colour = (meta.channels ?? 3) >= 3;
    // Alpha kept: RGBA whatever the image (sharp resizes it premultiplied, so transparent pixels do not bleed their colour).
    let pipeline = background === 'alpha' ? image.ensureAlpha() : image.flatten({ background: background === 'white' ? '#ffffff' : '#000000' });
    if (size) pipeline = pipeline.resize(size.width, size.height, { fit: 'cover' });
    const { data, info } = await pipeline.toColourspace(colour || background === 'alpha' ? 'srgb' : 'b-w').raw().toBuffer({ resolveWithObject: true });
    const expected = background === 'alpha' ? [4] : [1, 3];
    if (!expected.includes(info.channels)) return fail(`${file.path}: decoded to ${info.channels} channels`);
    return { width: info.width, height: info.height, channels: info.channels as Decoded['channels'], pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (error) {
    return fail(`${file.path}: not a readable image (${(error as Error).message})`);
  }
}

/** A PNG with pngjs (always RGBA): transparency composited over the background, as sharp's flatten does, or RGBA kept. */
function decodePng(path: string, bytes: Uint8Array, background: Background): Decoded {
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    return fail(`${path}: not a readable PNG (${(error as Error).message})`);
  }
  const rgba = png.data;
  const count = png.width * png.height;
  if (background === 'alpha') return { width: png.width, height: png.height, channels: 4, pixels: new Uint8Array(rgba.buffer, rgba.byteOffset, count * 4) };
  const channels = png.color ? 3 : 1;
  const under = background === 'white' ? 255 : 0;
  const pixels = new Uint8Array(count * channels);
  for (let p = 0; p < count; p++) {
    const alpha = rgba[p * 4 + 3]! / 255;
    for (let c = 0; c < channels; c++) pixels[p * channels + c] = Math.round(rgba[p * 4 + c]! * alpha + under * (1 - alpha));
  }
  return { width: png.width, height: png.height, channels, pixels };
}

/** An image in the dataset's channels: grey repeated for RGB, RGB to luma (ITU-R BT.601) for greyscale (RGBA is decoded as RGBA). */
function convert(image: Decoded, channels: number, path: string): Uint8Array {
  if (image.channels === channels) return image.pixels;
  if (image.channels === 4 || channels === 4) return fail(`${path}: decoded to ${image.channels} channels where the dataset has ${channels}`);
  const count = image.width * image.height;
  const out = new Uint8Array(count * channels);
  const p = image.pixels;
  if (channels === 3) for (let i = 0; i < count; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = p[i]!;
  else for (let i = 0; i < count; i++) out[i] = Math.round(0.299 * p[i * 3]! + 0.587 * p[i * 3 + 1]! + 0.114 * p[i * 3 + 2]!);
  return out;
}
