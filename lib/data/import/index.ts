import { err, ok, type Result } from '../../result';
import { importCsv, isCsv } from './csv';
import { ImportError, unpack, type InputFile } from './files';
import { importIdx, isIdx } from './idx';
import { importImages, isImage, type ImageOptions } from './images';
import { importNpy, isNpy } from './npy';
import type { ImportedData } from './split';

export type { InputFile } from './files';
export type { ImportedData } from './split';
export type { ImageOptions } from './images';

/**
 * Files as a user has them -> one dataset in memory, or why not. The format
 * is told from the files: images (PNG, JPEG), IDX (by its magic number),
 * NumPy (.npy, .npz) or CSV; archives (.zip, .gz) are unpacked first. The
 * app's upload and `npm run data -- import` both come through here, so they
 * accept and refuse the same data with the same messages.
 */
export async function importFiles(files: readonly InputFile[], options: ImageOptions = {}): Promise<Result<ImportedData>> {
  try {
    const unpacked = unpack(files);
    const first = unpacked[0]!;
    if (options.size && !unpacked.every((f) => isImage(f.path))) throw new ImportError(`Resizing applies to image files; ${first.path} is not one`);
    if (unpacked.some((f) => isImage(f.path))) return ok(await importImages(unpacked, options));
    if (options.channels) throw new ImportError('Choosing channels applies to image files; array data keeps its own');
    if (isNpy(first.path)) return ok(importNpy(unpacked));
    if (isCsv(first.path)) return ok(importCsv(unpacked));
    if (unpacked.every(isIdx)) return ok(importIdx(unpacked));
    const odd = unpacked.find((f) => !isIdx(f)) ?? first;
    return err(`${odd.path}: not a dataset file. Netloom imports PNG or JPEG images (a folder or zip, one subfolder per class), IDX files (raw or .gz), NumPy .npy/.npz and CSV`);
  } catch (error) {
    if (error instanceof ImportError) return err(error.message);
    throw error;
  }
}
