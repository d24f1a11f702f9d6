import { featureSize, isBatched, sameShape, type Shape } from '../kinds/shape';
import type { ImageShape } from '../runtime/grid';
import type { NodeInfo, Scope } from './analyse';
import type { PortRef } from './schema';

/**
 * What a graph can show as 4x4 grids: every main-graph port that holds a
 * batch of images, and for each whether it comes from noise alone (a sample
 * grid) or from a dataset's images of the same shape (reconstructions beside
 * their inputs). The analysis proposes the first of each when the document
 * names none, so a hand-built graph gets pictures as a template does.
 */
export type Range = '0..1' | '-1..1';

export interface PreviewCandidate {
  ref: PortRef;
  /** `G_sample` or `encode.mean`: the node's label, with the port when it has several. */
  label: string;
  shape: Shape;
  /** The dataset images it reconstructs, when it depends on a dataset port of its own shape. */
  input?: PortRef;
  /** Depends on no dataset: generated from noise. */
  generated: boolean;
  /** The value range of the data it is compared with (the dataset's, else [0, 1]). */
  range: Range;
  /** A network's output (what people preview), rather than a layer in the main graph. */
  call: boolean;
  /** How its values are drawn: the images of the dataset of its size, else square and greyscale. */
  image: ImageShape;
}

/** What a 4x4 grid can show without knowing the data: a batch whose items have a square number of values (drawn as side x side, greyscale). */
export function isImageBatch(shape: Shape): boolean {
  const side = Math.sqrt(featureSize(shape));
  return isBatched(shape) && shape.length >= 2 && Number.isInteger(side) && side > 0;
}

export const squareImage = (shape: Shape): ImageShape => {
  const side = Math.round(Math.sqrt(featureSize(shape)));
  return { height: side, width: side, channels: 1 };
};

/** The images of the graph's data sources, by values per image: a batch of that many values is drawn as those images. */
export function dataImages(main: Scope): Map<number, ImageShape> {
  const images = new Map<number, ImageShape>();
  for (const info of main.nodes.values()) {
    if (info.kind?.role !== 'source' || info.params === undefined || info.kind.datasets(info.params).length === 0) continue;
    const image = info.kind.imageShape?.(info.params);
    if (image) images.set(image.height * image.width * image.channels, image);
    else for (const shape of Object.values(info.outShapes)) if (isImageBatch(shape)) images.set(featureSize(shape), squareImage(shape));
  }
  return images;
}

/** How a batch of this shape is drawn, if it can be: as the data's images when it has their size, else square greyscale. */
export function imageOf(shape: Shape, images: ReadonlyMap<number, ImageShape>): ImageShape | undefined {
  if (!isBatched(shape) || shape.length < 2) return undefined;
  return images.get(featureSize(shape)) ?? (isImageBatch(shape) ? squareImage(shape) : undefined);
}

export function previewCandidates(main: Scope, label: (info: NodeInfo) => string, images: ReadonlyMap<number, ImageShape> = dataImages(main)): PreviewCandidate[] {
  const datasets = new Map<string, { range: Range | undefined }>();
  for (const info of main.nodes.values()) {
    if (info.kind?.role === 'source' && info.params !== undefined && info.kind.datasets(info.params).length > 0) {
      datasets.set(info.node.id, { range: info.kind.valueRange?.(info.params) });
    }
  }
  const graphRange = [...datasets.values()].find((d) => d.range)?.range ?? '0..1';
  // Pictures have the size of the graph's images (a latent of 64 values is square, but no picture); without data, square and at least 8x8.
  const looksLikeImages = (shape: Shape) => (images.size ? isBatched(shape) && shape.length >= 2 && images.has(featureSize(shape)) : isImageBatch(shape) && featureSize(shape) >= 64);
  const candidates: PreviewCandidate[] = [];
  // The dataset sources each node depends on, in one pass in topological order (a walk per node would be quadratic).
  const reaching = new Map<string, ReadonlySet<string>>();
  for (const id of main.order) {
    const from = new Set(datasets.has(id) ? [id] : []);
    for (const ref of main.incoming.get(id)?.values() ?? []) reaching.get(ref.node)?.forEach((d) => from.add(d));
    reaching.set(id, from);
  }
  for (const id of main.order) {
    const info = main.nodes.get(id)!;
    if (!info.kind || info.kind.role === 'source' || info.params === undefined) continue;
    const ports = Object.entries(info.outShapes).filter(([, shape]) => looksLikeImages(shape));
    if (ports.length === 0) continue;
    const reached = [...reaching.get(id)!];
    for (const [port, shape] of ports) {
      const input = reached.flatMap((node) => {
        const source = main.nodes.get(node)!;
        return Object.entries(source.outShapes)
          .filter(([, s]) => sameShape(s, shape))
          .map(([p]) => ({ node, port: p }));
      })[0];
      candidates.push({
        ref: { node: id, port },
        label: Object.keys(info.outShapes).length > 1 ? `${label(info)}.${port}` : label(info),
        shape,
        input,
        generated: reached.length === 0,
        range: (input && datasets.get(input.node)?.range) ?? graphRange,
        call: info.kind.role === 'call',
        image: imageOf(shape, images)!,
      });
    }
  }
  return candidates;
}

/** The first network output (else any port) of the kind wanted. */
export function propose(candidates: readonly PreviewCandidate[], wanted: (c: PreviewCandidate) => boolean): PreviewCandidate | undefined {
  return candidates.find((c) => c.call && wanted(c)) ?? candidates.find(wanted);
}
