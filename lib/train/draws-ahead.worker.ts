import { parentPort, workerData } from 'node:worker_threads';
import type { TF } from '../kinds/kind';
import { getKind } from '../kinds/registry';
import { memoryDataset } from '../runtime/dataset';
import { sourceStream } from '../runtime/random';
import type { AheadRequest, AheadSetup } from './draws-ahead';

/**
 * The helper thread of draws-ahead.ts: each source's training sampler, as
 * the program makes it (its kind, its params, its stream, its dataset's
 * bytes shared), drawing whole iterations into the slot it is asked to fill.
 */
const setup = workerData as AheadSetup;
const values = new Float32Array(setup.values);
const done = new Int32Array(setup.done);
const samplers = setup.sources.map((source) => {
  const kind = getKind(source.kind);
  if (kind?.role !== 'source') throw new Error(`${source.key}: not a source kind (${source.kind})`);
  const dataset = source.dataset && memoryDataset({ ...source.dataset, images: new Uint8Array(source.dataset.images), labels: new Uint8Array(source.dataset.labels) });
  // Data sources draw on the host: they never touch tf.
  const sampler = kind.sampler(source.params, { tf: undefined as unknown as TF, stream: sourceStream(setup.seed, 'train', source.key), drawsPerIteration: source.drawsPerIteration, dataset: () => dataset! });
  return { source, sampler };
});

parentPort!.on('message', ({ slot, iteration, request }: AheadRequest) => {
  let offset = slot * setup.slotFloats;
  for (const { source, sampler } of samplers) {
    for (let draw = 0; draw < source.drawsPerIteration; draw++) {
      const drawn = sampler.draw({ iteration, draw }, setup.batchSize);
      for (const { port, size } of source.ports) {
        values.set(drawn[port]!.subarray(0, size), offset);
        offset += size;
      }
    }
  }
  Atomics.store(done, slot, request);
  Atomics.notify(done, slot);
});
