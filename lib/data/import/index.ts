import { err, ok, type Result } from '../../result';
import { DATASET_LIMITS, type ImportLimits } from '../limits';
import { importCsv, isCsv } from './csv';
import { HEAD_BYTES, ImportError, unpack, type InputFile } from './files';
import { importIdx, isIdx } from './idx';
import { importImages, isImage } from './images';
import { importNpy, isNpy } from './npy';
import type { ImportOptions } from './options';
import type { ImportedData } from './split';

export { memoryFile, type InputFile } from './files';
export { collect, type ImportedData, type PlannedSplit } from './split';
export { parseImportOptions, type ImportOptions, type RawImportOptions } from './options';

/**
 * Files as a user has them -> one dataset, planned from its headers and
 * checked whole against `limits` before any pixel is decoded, its pixels to
 * come as the dataset is written (or refused, saying why). The format is
 * told from the files: images (PNG, JPEG), IDX (by its magic number), NumPy
 * (.npy, .npz) or CSV; archives (.zip, .npz, .gz) are opened first. The
 * app's upload and `npm run data -- import` both come through here, so they
 * accept and refuse the same data with the same messages (the CLI with the
 * larger limits of the user's own disk). An option that does not apply to
 * the files found is refused, saying which it applies to.
 */
export async function importFiles(files: readonly InputFile[], options: ImportOptions = {}, limits: ImportLimits = DATASET_LIMITS): Promise<Result<ImportedData>> {
  try {
    const unpacked = await unpack(files, limits);
    const first = unpacked[0]!;
    if (options.size && !unpacked.every((f) => isImage(f.path))) throw new ImportError(`Resizing applies to image files; ${first.path} is not one`);
    const withHeads = async () => Promise.all(unpacked.map(async (file) => ({ file, head: await file.read(0, HEAD_BYTES) })));
    if (unpacked.some((f) => isImage(f.path))) {
      if (options.range) throw new ImportError('A pixel range applies to NumPy and CSV data; images are 0-255');
      if (options.label || options.shape) throw new ImportError('A label column and an image shape apply to CSV files; image folders take labels from their class folders');
      return ok(await importImages(await withHeads(), options, limits));
    }
    if (options.channels) throw new ImportError('Choosing channels applies to image files; array data keeps its own');
    if (options.background) throw new ImportError('A background for transparent pixels applies to image files (PNG); array data keeps its own channels');
    const csv = isCsv(first.path);
    if (!csv && (options.label || options.shape)) throw new ImportError(`A label column and an image shape apply to CSV files; ${first.path} is not one`);
    if (isNpy(first.path)) return ok(await importNpy(await withHeads(), options, limits));
    if (csv) return ok(await importCsv(unpacked, options, limits));
    if (options.range) throw new ImportError(`A pixel range applies to NumPy and CSV data; ${first.path} is neither`);
    const heads = await withHeads();
    if (heads.every(({ head }) => isIdx(head))) return ok(await importIdx(heads, limits));
    const odd = heads.find(({ head }) => !isIdx(head))?.file ?? first;
    return err(`${odd.path}: not a dataset file. Netloom imports PNG or JPEG images (a folder or zip, one subfolder per class), IDX files (raw or .gz), NumPy .npy/.npz and CSV`);
  } catch (error) {
    if (error instanceof ImportError) return err(error.message);
    throw error;
  }
}
