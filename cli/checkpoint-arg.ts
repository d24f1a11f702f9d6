import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { err, type Result } from '../lib/result';
import { MANIFEST_FILE, parseCheckpoint, unzipCheckpoint, WEIGHTS_FILE, type EncodedCheckpoint } from '../lib/train/checkpoint';

/**
 * `--checkpoint` takes a checkpoint folder (checkpoint.json and weights.bin,
 * as an exported project's `--checkpoint-every` writes them) or the zip the
 * app downloads; either is checked whole (sizes, CRCs) before it is used.
 */
export async function readCheckpointArg(arg: string): Promise<Result<EncodedCheckpoint>> {
  const info = await stat(arg).catch(() => undefined);
  if (!info) return err(`--checkpoint: "${arg}" is neither a checkpoint folder nor a checkpoint zip`);
  if (info.isFile()) {
    const checked = unzipCheckpoint(new Uint8Array(await readFile(arg)));
    return checked.ok ? checked : err(`${arg}: ${checked.error}`);
  }
  const manifest = await readFile(path.join(arg, MANIFEST_FILE), 'utf8').catch(() => undefined);
  const weights = await readFile(path.join(arg, WEIGHTS_FILE)).catch(() => undefined);
  if (manifest === undefined || !weights) return err(`--checkpoint: "${arg}" lacks ${manifest === undefined ? MANIFEST_FILE : WEIGHTS_FILE}`);
  const checked = parseCheckpoint(manifest, new Uint8Array(weights));
  return checked.ok ? checked : err(`${arg}: ${checked.error}`);
}
