/**
 * How often a run checkpoints itself: every `base` seconds of training (a
 * closed tab loses at most that much), less often when checkpoints are
 * large (uploading and storing them would compete with training) or slow to
 * encode, and never less often than MAX_CHECKPOINT_SECONDS.
 */

/** Bytes of checkpoints per second of training, on average, that the page uploads and the server stores. */
export const CHECKPOINT_BYTES_PER_SECOND = 2 * 2 ** 20;
/** The share of training time that encoding checkpoints may take. */
export const ENCODE_SHARE = 0.05;
/** The longest wait between checkpoints, whatever their size (unless `base` is longer). */
export const MAX_CHECKPOINT_SECONDS = 60;

export function checkpointInterval(base: number, last?: { bytes: number; encodeSeconds: number }): number {
  if (!last) return base;
  const needed = Math.max(base, last.bytes / CHECKPOINT_BYTES_PER_SECOND, last.encodeSeconds / ENCODE_SHARE);
  return Math.min(needed, Math.max(base, MAX_CHECKPOINT_SECONDS));
}
