import { parseIdx } from '../../runtime/idx';
import { fail, ImportError, splitOf, type InputFile } from './files';
import { assemble, type ImportedData, type SplitData } from './split';

/**
 * IDX files, as MNIST, Fashion-MNIST, KMNIST and EMNIST ship them (raw or
 * .gz, already inflated by `unpack`): per split, an image file [n, h, w] or
 * [n, h, w, c] and a label file [n]; `t10k`/`test` in a name marks the test split.
 */
export const isIdx = (file: InputFile) => file.bytes.length >= 4 && file.bytes[0] === 0 && file.bytes[1] === 0 && file.bytes[3]! >= 1 && file.bytes[3]! <= 4;

export function importIdx(files: readonly InputFile[]): ImportedData {
  const found: Record<'train' | 'test', { images?: InputFile; labels?: InputFile }> = { train: {}, test: {} };
  for (const file of files) {
    const rank = file.bytes[3]!;
    const role = rank === 1 ? 'labels' : rank >= 3 ? 'images' : fail(`${file.path}: an IDX file of rank ${rank}; expected images (rank 3 or 4) or labels (rank 1)`);
    const split = found[splitOf(file.path)];
    if (split[role]) fail(`${file.path}: a second ${splitOf(file.path)} ${role} file beside ${split[role]!.path}`);
    split[role] = file;
  }
  const read = (split: 'train' | 'test'): SplitData | undefined => {
    const { images, labels } = found[split];
    if (!images) return labels ? fail(`${labels.path}: labels without an image file for the ${split} split`) : undefined;
    const parsed = idx(images);
    const [count, height, width, channels = 1] = parsed.dims as [number, number, number, number?];
    const data: SplitData = { source: images.path, count, height, width, channels, images: parsed.data };
    if (!labels) return data;
    const parsedLabels = idx(labels);
    if (parsedLabels.dims[0] !== count) fail(`${labels.path}: ${parsedLabels.dims[0]} labels for the ${count} images of ${images.path}`);
    return { ...data, labels: parsedLabels.data };
  };
  return assemble('idx', { train: read('train'), test: read('test') });
}

function idx(file: InputFile) {
  try {
    return parseIdx(file.bytes, file.path);
  } catch (error) {
    throw new ImportError((error as Error).message);
  }
}
