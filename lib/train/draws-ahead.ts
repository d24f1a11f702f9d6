import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DrawsAhead } from '../compile/program';
import { analyse } from '../graph/analyse';
import type { GraphDoc } from '../graph/schema';
import { concreteShape } from '../kinds/shape';
import { lower } from '../plan/lower';
import type { DataProvider, InMemoryDataset } from '../runtime/dataset';
import type { DrawAt } from '../runtime/random';

/**
 * Training draws computed one iteration ahead on a second thread (Node: the
 * CLI), so that the training thread never waits for its noise, labels and
 * batches of pixels: every draw is a pure function of its position in its
 * stream, so the helper computes exactly what the source's sampler would.
 * Two slots of shared memory take turns: while the trainer reads iteration
 * i from one, the helper fills the other with i + 1. A position the helper
 * has not computed (the first iteration, a resumed run's jump) is drawn on
 * the training thread as before, and the helper starts again after it.
 * Sources reading data that is not in memory (memory-mapped folders) are
 * drawn on the training thread.
 */

/** What the helper draws for one source. */
export interface AheadSource {
  key: string;
  kind: string;
  params: unknown;
  drawsPerIteration: number;
  /** Each port and how many values one draw of it holds. */
  ports: { port: string; size: number }[];
  /** The dataset it reads, its bytes shared with the helper. */
  dataset?: { count: number; height: number; width: number; channels: number; classes: number; images: SharedArrayBuffer; labels: SharedArrayBuffer };
}

export interface AheadSetup {
  seed: number;
  batchSize: number;
  sources: AheadSource[];
  /** Floats per slot: one iteration's draws of every source. */
  slotFloats: number;
  /** SLOTS slots of `slotFloats` floats. */
  values: SharedArrayBuffer;
  /** Per slot, the number of the last request the helper finished. */
  done: SharedArrayBuffer;
}

export interface AheadRequest {
  slot: number;
  iteration: number;
  request: number;
}

const SLOTS = 2;
/** How long the trainer waits for the helper before drawing itself. */
const WAIT_MS = 10_000;

/** A helper thread drawing `doc`'s training draws ahead, or undefined when it has nothing to draw. Dispose it when training ends. */
export interface DrawsAheadThread extends DrawsAhead {
  /** Draws served from the helper so far, and draws the training thread made itself. */
  readonly served: { ahead: number; here: number };
  dispose(): void;
}

export async function startDrawsAhead(doc: GraphDoc, options: { data: DataProvider; seed: number; batchSize: number }): Promise<DrawsAheadThread | undefined> {
  const analysis = analyse(doc);
  if (!analysis.ok) return undefined;
  const plan = lower(analysis);
  const sources: AheadSource[] = [];
  for (const source of plan.sources) {
    if (source.kind.constant) continue;
    if (source.datasets.length > 1) continue;
    let dataset: AheadSource['dataset'];
    const ref = source.datasets[0];
    if (ref) {
      const data = (await options.data.dataset(ref)) as Partial<InMemoryDataset>;
      if (!(data.images instanceof Uint8Array) || !data.labels) continue;
      dataset = { count: data.count!, height: data.height!, width: data.width!, channels: data.channels!, classes: data.classes!, images: shared(data.images), labels: shared(data.labels) };
    }
    const ports = source.ports.map(({ port, shape }) => ({ port, size: concreteShape(shape, options.batchSize).reduce((a, b) => a * b, 1) }));
    sources.push({ key: source.key, kind: source.kind.kind, params: source.params, drawsPerIteration: plan.drawsPerIteration[source.key] ?? 1, ports, dataset });
  }
  if (sources.length === 0) return undefined;
  // Where each source's draw starts in a slot, and each of its ports within it.
  const offsets = new Map<string, number>();
  let slotFloats = 0;
  for (const source of sources) {
    offsets.set(source.key, slotFloats);
    slotFloats += source.drawsPerIteration * source.ports.reduce((n, p) => n + p.size, 0);
  }
  const setup: AheadSetup = {
    seed: options.seed,
    batchSize: options.batchSize,
    sources,
    slotFloats,
    values: new SharedArrayBuffer(SLOTS * slotFloats * 4),
    done: new SharedArrayBuffer(SLOTS * 4),
  };
  const worker = startThread(setup);
  worker.unref();
  const values = new Float32Array(setup.values);
  const done = new Int32Array(setup.done);
  const bySource = new Map(sources.map((s) => [s.key, s]));
  /** Per slot: the iteration asked of it and the number of that request. */
  const slots = Array.from({ length: SLOTS }, () => ({ iteration: -1, request: 0 }));
  let requests = 0;
  let next = -1;
  const ask = (slot: number, iteration: number) => {
    requests += 1;
    slots[slot] = { iteration, request: requests };
    worker.postMessage({ slot, iteration, request: requests } satisfies AheadRequest);
  };
  let failed = false;
  worker.on('error', () => (failed = true));
  const served = { ahead: 0, here: 0 };

  return {
    served,
    take(key: string, at: DrawAt) {
      const source = bySource.get(key);
      if (!source || failed) return undefined;
      served.here += 1;
      // Slots holding iterations before this one are read: they take the next ones.
      for (const [slot, held] of slots.entries()) {
        if (held.iteration >= 0 && held.iteration < at.iteration && next > at.iteration) ask(slot, next++);
      }
      const slot = slots.findIndex((held) => held.iteration === at.iteration);
      if (slot < 0) {
        // Not computed ahead (the first iteration, or a jump): start again from the next one.
        next = at.iteration + 1;
        for (let s = 0; s < SLOTS; s++) ask(s, next++);
        return undefined;
      }
      const { request } = slots[slot]!;
      const deadline = performance.now() + WAIT_MS;
      while (Atomics.load(done, slot) !== request) {
        const left = deadline - performance.now();
        if (left <= 0) return undefined;
        Atomics.wait(done, slot, Atomics.load(done, slot), left);
      }
      let offset = slot * slotFloats + offsets.get(key)! + at.draw * source.ports.reduce((n, p) => n + p.size, 0);
      const drawn: Record<string, Float32Array> = {};
      for (const { port, size } of source.ports) {
        drawn[port] = values.subarray(offset, offset + size);
        offset += size;
      }
      served.here -= 1;
      served.ahead += 1;
      return drawn;
    },
    dispose: () => void worker.terminate(),
  };
}

function shared(bytes: Uint8Array): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}

/** The helper thread: tsx's CommonJS hook compiles its TypeScript (the CLI and benchmarks run from source). */
function startThread(setup: AheadSetup): Worker {
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'draws-ahead.worker.ts');
  return new Worker(`require("tsx/cjs/api").register(); require(${JSON.stringify(entry)});`, { eval: true, workerData: setup });
}
