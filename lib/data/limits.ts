/** What one dataset import may hold; each refusal names the limit. */
export interface ImportLimits {
  /** Bytes of files sent in one import (archives counted as sent). */
  uploadBytes: number;
  /** Bytes that archives may unpack to, counted from their directories before anything is inflated. */
  unpackedBytes: number;
  /** Files in one import, archive entries included. */
  files: number;
  /** Images in one dataset, all splits. */
  items: number;
  /** Bytes of pixels in one dataset (items x height x width x channels). */
  pixelBytes: number;
}

/**
 * What one dataset import through the app may hold (and what the browser
 * trains on). The whole import is checked against them from its headers
 * before anything is decoded, and decoded one image or chunk at a time, so an
 * upload costs the server about its own size in memory.
 */
export const DATASET_LIMITS = {
  /** Bytes of files sent in one import (archives counted as sent). */
  uploadBytes: 200 * 1024 * 1024,
  /** Bytes that archives may unpack to, counted from their directories before anything is inflated. */
  unpackedBytes: 1024 * 1024 * 1024,
  /** Files in one import, archive entries included. */
  files: 200_000,
  /** Images in one dataset, all splits. */
  items: 1_000_000,
  /** Bytes of pixels in one dataset (items x height x width x channels). */
  pixelBytes: 512 * 1024 * 1024,
  /** Height and width of an image, and of the size images are resized to. */
  side: 1024,
  /** Classes (labels are stored as single bytes). */
  classes: 256,
  /** Datasets one owner keeps. */
  perOwner: 100,
} as const satisfies ImportLimits & Record<string, number>;

/**
 * `npm run data -- import` on the user's own machine: data on disk is read
 * as far as each step needs and written to the dataset folder as it is
 * decoded, so a dataset larger than memory imports (a CelebA-sized one: 200,000
 * RGB images of 64x64, 2.46 GB). Disk is the limit; these numbers bound the
 * files walked and the IDX format's counts.
 */
export const LOCAL_IMPORT_LIMITS: ImportLimits = {
  uploadBytes: 1024 * 2 ** 30,
  unpackedBytes: 64 * 2 ** 30,
  files: 5_000_000,
  items: 100_000_000,
  pixelBytes: 256 * 2 ** 30,
};
