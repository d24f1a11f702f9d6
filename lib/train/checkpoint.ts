import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { err, type Result } from '../result';
import { MANIFEST_FILE, parseCheckpoint, WEIGHTS_FILE, type EncodedCheckpoint } from '../runtime/checkpoint';

/**
 * A checkpoint as the app moves it: one zip with the runtime format's two
 * files (checkpoint.json and weights.bin), what the app downloads and
 * accepts back. The format itself lives in lib/runtime/checkpoint.ts.
 */
export { decodeCheckpoint, encodeCheckpoint, MANIFEST_FILE, parseCheckpoint, WEIGHTS_FILE } from '../runtime/checkpoint';
export type { CheckpointManifest, EncodedCheckpoint } from '../runtime/checkpoint';

export function zipCheckpoint({ manifest, weights }: EncodedCheckpoint): Uint8Array {
  return zipSync({ [MANIFEST_FILE]: strToU8(`${JSON.stringify(manifest, null, 2)}\n`), [WEIGHTS_FILE]: weights }, { level: 0 });
}

/** The most a checkpoint's files may hold once unzipped (checked from the zip's directory, before anything is inflated). */
export const MAX_CHECKPOINT_BYTES = 512 * 2 ** 20;

export function unzipCheckpoint(zip: Uint8Array): Result<EncodedCheckpoint> {
  let files: Record<string, Uint8Array>;
  let tooLarge: string | undefined;
  try {
    files = unzipSync(zip, {
      filter: (file) => {
        if (file.name !== MANIFEST_FILE && file.name !== WEIGHTS_FILE) return false;
        if (file.originalSize > MAX_CHECKPOINT_BYTES) tooLarge = `${file.name} would unzip to ${file.originalSize} bytes; a checkpoint holds at most ${MAX_CHECKPOINT_BYTES}`;
        return tooLarge === undefined;
      },
    });
  } catch {
    return err('The checkpoint is not a zip file');
  }
  if (tooLarge) return err(tooLarge);
  const manifest = files[MANIFEST_FILE];
  const weights = files[WEIGHTS_FILE];
  if (!manifest || !weights) return err(`A checkpoint zip holds ${MANIFEST_FILE} and ${WEIGHTS_FILE}; this one has ${Object.keys(files).join(', ') || 'nothing'}`);
  return parseCheckpoint(strFromU8(manifest), weights);
}
