import { parseIdxHeader } from '../../runtime/idx';
import type { ImportLimits } from '../limits';
import { fail, HEAD_BYTES, ImportError, readAll, splitOf, type InputFile } from './files';
import { assemble, type ImportedData, type PixelSource, type SplitData } from './split';

/**
 * IDX files, as MNIST, Fashion-MNIST, KMNIST and EMNIST ship them (raw or
 * .gz, opened by `unpack`): per split, an image file [n, h, w] or
 * [n, h, w, c] and a label file [n]; `t10k`/`test` in a name marks the test
 * split. Shapes come from the headers; the pixels are read a chunk at a time.
 */
export const isIdx = (head: Uint8Array) => head.length >= 4 && head[0] === 0 && head[1] === 0 && head[3]! >= 1 && head[3]! <= 4;

/** Pixels are copied from an IDX file this many bytes at a time. */
const CHUNK = 1 << 22;

export async function importIdx(files: readonly { file: InputFile; head: Uint8Array }[], limits: ImportLimits): Promise<ImportedData> {
  const found: Record<'train' | 'test', { images?: InputFile; labels?: InputFile }> = { train: {}, test: {} };
  const headers = new Map<InputFile, { dims: number[]; offset: number }>();
  for (const { file, head } of files) {
    const header = idxHeader(file, head);
    headers.set(file, header);
    const rank = header.dims.length;
    const role = rank === 1 ? 'labels' : rank >= 3 ? 'images' : fail(`${file.path}: an IDX file of rank ${rank}; expected images (rank 3 or 4) or labels (rank 1)`);
    const split = found[splitOf(file.path)];
    if (split[role]) fail(`${file.path}: a second ${splitOf(file.path)} ${role} file beside ${split[role]!.path}`);
    split[role] = file;
  }
  const read = async (split: 'train' | 'test'): Promise<SplitData | undefined> => {
    const { images, labels } = found[split];
    if (!images) return labels ? fail(`${labels.path}: labels without an image file for the ${split} split`) : undefined;
    const { dims, offset } = headers.get(images)!;
    const [count, height, width, channels = 1] = dims as [number, number, number, number?];
    const data: SplitData = { source: images.path, count, height, width, channels, pixels: chunks(images, offset) };
    if (!labels) return data;
    const labelHeader = headers.get(labels)!;
    if (labelHeader.dims[0] !== count) fail(`${labels.path}: ${labelHeader.dims[0]} labels for the ${count} images of ${images.path}`);
    return { ...data, labels: (await readAll(labels)).slice(labelHeader.offset) };
  };
  return assemble('idx', { train: await read('train'), test: await read('test') }, limits);
}

function idxHeader(file: InputFile, head: Uint8Array) {
  try {
    return parseIdxHeader(head.subarray(0, HEAD_BYTES), file.size, file.path);
  } catch (error) {
    throw new ImportError((error as Error).message);
  }
}

/** A file's bytes from `offset` to its end, a chunk at a time. */
const chunks =
  (file: InputFile, offset: number): PixelSource =>
  async function* () {
    for (let at = offset; at < file.size; at += CHUNK) yield await file.read(at, Math.min(CHUNK, file.size - at));
  };
