/**
 * What one dataset import may hold. Each refusal names its limit; the numbers
 * keep an import within a server's memory (everything is decoded in memory
 * before anything is stored) while fitting the datasets people train GANs on.
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
} as const;
