/**
 * Datasets as training reads them: a number of images of one size, each with a
 * class label. Runtime: the app, the CLI and exported projects all draw their
 * batches from this one shape of data, whatever file it came from.
 */
export interface Dataset {
  count: number;
  height: number;
  width: number;
  channels: number;
  /** Item `index`'s height * width * channels bytes (0-255), row-major with channels last: a view of memory, or read from its file. */
  item(index: number): Uint8Array;
  /** One class index per item, each below `classes`. */
  labels: Uint8Array;
  classes: number;
}

/** A dataset whose pixels are in memory: `images` holds every item's bytes, item by item. */
export type InMemoryDataset = Dataset & { images: Uint8Array };

export function memoryDataset(data: Omit<Dataset, 'item'> & { images: Uint8Array }): InMemoryDataset {
  const size = itemSize(data);
  return { ...data, item: (index) => data.images.subarray(index * size, (index + 1) * size) };
}

/** Which data a source reads: a dataset and one of its splits. */
export interface DatasetRef {
  id: string;
  split: 'train' | 'test';
}

/** Where a program gets its datasets from (files in Node, fetched in the browser). */
export interface DataProvider {
  dataset(ref: DatasetRef): Promise<Dataset>;
}

/** `mnist/train`: one name per dataset split, for caches and messages. */
export const datasetKey = (ref: DatasetRef): string => `${ref.id}/${ref.split}`;

/** Values per item: height * width * channels. */
export const itemSize = (data: Pick<Dataset, 'height' | 'width' | 'channels'>): number => data.height * data.width * data.channels;
