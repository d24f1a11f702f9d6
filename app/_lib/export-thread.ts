import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DEFAULT_TARGET, type TargetId } from '@/codegen/targets/catalog';
import type { GraphDoc } from '@/lib/graph/schema';
import { err, ok, type Result } from '@/lib/result';

/**
 * Exports run in worker threads, so that a large graph (a second of
 * analysis, planning and printing) never holds up the requests the server
 * is answering meanwhile; the threads stay warm between exports. No one
 * user's exports hold up another's: each owner has at most one export
 * running (the next of theirs waits for it, and at most a few wait), owners
 * take turns, and an export that runs past the
 * time limit is stopped (its thread replaced).
 */
export interface ExportRequest {
  id: number;
  graph: GraphDoc;
  name: string;
  /** The folders of the library datasets the graph reads, by id. */
  folders: Record<string, string>;
  target: TargetId;
  /** For a target that writes one network (ONNX): its name or id. */
  network?: string;
}
export type ExportReply = { id: number; ok: true; zip: Uint8Array } | { id: number; ok: false; error: string; crashed?: boolean };

/** Why an export did not give a zip: the graph's problems, or the pool's limits (`busy`: try again later), or a crash. */
export type ExportFailure = { message: string; crashed: boolean; busy?: boolean };

export interface PoolSettings {
  /** Threads exporting at once. */
  threads: number;
  /** An export running longer is stopped. */
  timeoutMs: number;
  /** Exports of one owner waiting behind its running one; past it, a new one is refused. */
  waitingPerOwner: number;
  /** A new export thread (tests give their own). */
  start: () => Worker;
}

export const EXPORT_LIMITS = { threads: 2, timeoutMs: 60_000, waitingPerOwner: 2 } as const;

interface Job {
  owner: string;
  request: ExportRequest;
  settle: (reply: ExportReply | { id: number; ok: false; error: string; busy: true }) => void;
}

interface Slot {
  worker?: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
}

export function exportPool(settings: PoolSettings) {
  const slots: Slot[] = Array.from({ length: settings.threads }, () => ({}));
  const queue: Job[] = [];
  const running = new Set<string>();
  /** When each owner's last export began, in turns. */
  const began = new Map<string, number>();
  let turn = 0;
  let nextId = 0;

  const finish = (slot: Slot, reply: ExportReply) => {
    const job = slot.job;
    if (!job || job.request.id !== reply.id) return;
    clearTimeout(slot.timer);
    slot.job = undefined;
    running.delete(job.owner);
    job.settle(reply);
    pump();
  };

  const thread = (slot: Slot): Worker => {
    if (slot.worker) return slot.worker;
    const worker = settings.start();
    worker.unref();
    worker.on('message', (reply: ExportReply) => finish(slot, reply));
    const fail = (error: Error) => {
      if (slot.worker !== worker) return;
      slot.worker = undefined;
      if (slot.job) finish(slot, { id: slot.job.request.id, ok: false, error: `Export failed: ${error.message}`, crashed: true });
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the export thread exited (${code})`)));
    slot.worker = worker;
    return worker;
  };

  const run = (slot: Slot, job: Job) => {
    slot.job = job;
    running.add(job.owner);
    const worker = thread(slot);
    slot.timer = setTimeout(() => {
      // Stopped where it is: the thread goes (terminate), a new one takes the next export.
      slot.worker = undefined;
      void worker.terminate();
      const seconds = settings.timeoutMs / 1000;
      finish(slot, { id: job.request.id, ok: false, error: `The export took longer than ${seconds} s and was stopped: export a smaller graph, or from a terminal (npm run export), which has no time limit` });
    }, settings.timeoutMs);
    worker.postMessage(job.request);
  };

  /** Fills the free threads, taking turns: a waiting export of the owner with none running whose last export began longest ago, in arrival order among equals. */
  function pump() {
    for (const slot of slots) {
      if (slot.job) continue;
      let next = -1;
      queue.forEach((job, i) => {
        if (running.has(job.owner)) return;
        if (next < 0 || (began.get(job.owner) ?? -1) < (began.get(queue[next]!.owner) ?? -1)) next = i;
      });
      if (next < 0) return;
      const job = queue.splice(next, 1)[0]!;
      began.set(job.owner, turn++);
      run(slot, job);
    }
  }

  /** The graph as a zipped project with its data, made off this thread for `owner`; an error names what stops the export. */
  function exportZip(owner: string, graph: GraphDoc, name: string, folders: Record<string, string>, target: TargetId = DEFAULT_TARGET, network?: string): Promise<Result<Uint8Array, ExportFailure>> {
    const id = nextId++;
    return new Promise((resolve) => {
      const settle: Job['settle'] = (reply) => resolve(reply.ok ? ok(reply.zip) : err({ message: reply.error, crashed: 'crashed' in reply ? (reply.crashed ?? false) : false, ...('busy' in reply && { busy: true }) }));
      const waiting = queue.filter((job) => job.owner === owner).length;
      if (waiting >= settings.waitingPerOwner) {
        return settle({ id, ok: false, busy: true, error: `${waiting + 1} of your exports are under way already: wait for them to finish, then export again` });
      }
      queue.push({ owner, request: { id, graph, name, folders, target, network }, settle });
      pump();
    });
  }

  return { exportZip };
}

function startThread(): Worker {
  // Inside Next.js (set by its compiler): written as the bundler expects it, so that the build compiles the worker.
  if (process.env.NEXT_RUNTIME) return new Worker(new URL('./export.worker.ts', import.meta.url));
  // Run from source (tests, scripts under tsx): tsx's CommonJS hook compiles the worker's TypeScript.
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'export.worker.ts');
  return new Worker(`require("tsx/cjs/api").register(); require(${JSON.stringify(entry)});`, { eval: true });
}

const holder = globalThis as unknown as { netloomExports?: ReturnType<typeof exportPool> };

/** The server's pool (one per process). */
export const exportZip: ReturnType<typeof exportPool>['exportZip'] = (...args) => {
  holder.netloomExports ??= exportPool({ ...EXPORT_LIMITS, start: startThread });
  return holder.netloomExports.exportZip(...args);
};
