import type { GraphDoc } from '../graph/schema';
import type { BackendProbe, BrowserBackend } from './protocol';

/**
 * Auto's probe, as the page runs it: a probe worker compiles the model on
 * each backend in turn and times a few steps (probe-steps.ts). A backend
 * gets a budget from its start to its result; one that overruns it (a GPU
 * driver compiling hundreds of shaders for a minute) cannot be interrupted
 * inside a step, so the worker is terminated and a fresh one goes on with the
 * backends left. A backend that ran out of time counts as available but not
 * measured, so it is never chosen over the baseline.
 */

/** What a probe worker is asked: the model, as it will train, and the backends to time, in order. */
export interface ProbeRequest {
  doc: GraphDoc;
  batchSize: number;
  seed: number;
  backends: BrowserBackend[];
}

/** What it answers: each backend as it starts, then its result. */
export type ProbeReport = { type: 'begin'; name: BrowserBackend } | { type: 'result'; probe: BackendProbe };

export interface ProbeWorker {
  start(request: ProbeRequest, on: { report(report: ProbeReport): void; fail(message: string): void }): void;
  terminate(): void;
}

export interface Timers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface ProbeRunnerOptions {
  spawn(): ProbeWorker;
  /** Milliseconds a backend may take from its start to its result; `first` in its worker: it also loads the data. */
  budgetMs(name: BrowserBackend, first: boolean): number;
  /** Milliseconds a worker may take to start its first backend, or the next one after a result. */
  startMs: number;
  signal?: AbortSignal;
  timers?: Timers;
}

/** The probe was abandoned (the page left, or another run was asked for). */
export class ProbeAbortedError extends Error {
  constructor() {
    super('The backend probe was cancelled');
  }
}

const realTimers: Timers = { set: (run, ms) => setTimeout(run, ms), clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>) };
const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** Times `backends` in order and returns one probe for each, in that order. */
export async function runProbes(request: Omit<ProbeRequest, 'backends'>, backends: readonly BrowserBackend[], options: ProbeRunnerOptions): Promise<BackendProbe[]> {
  const results = new Map<BrowserBackend, BackendProbe>();
  const pending = [...backends];
  while (pending.length > 0) {
    if (options.signal?.aborted) throw new ProbeAbortedError();
    await probeInOneWorker(request, pending, results, options);
  }
  return backends.map((name) => results.get(name)!);
}

/** Runs one worker over the pending backends until it finishes them, overruns a budget or fails; records what it learnt. */
function probeInOneWorker(request: Omit<ProbeRequest, 'backends'>, pending: BrowserBackend[], results: Map<BrowserBackend, BackendProbe>, options: ProbeRunnerOptions): Promise<void> {
  const timers = options.timers ?? realTimers;
  return new Promise<void>((resolve, reject) => {
    const worker = options.spawn();
    let current: BrowserBackend | undefined;
    let first = true;
    let timer: unknown;
    let done = false;
    const record = (probe: BackendProbe) => {
      const at = pending.indexOf(probe.name);
      if (at < 0) return;
      pending.splice(at, 1);
      results.set(probe.name, probe);
    };
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      timers.clear(timer);
      worker.terminate();
      options.signal?.removeEventListener('abort', abort);
      if (error) reject(error);
      else resolve();
    };
    const abort = () => finish(new ProbeAbortedError());
    const arm = (ms: number) => {
      timers.clear(timer);
      timer = timers.set(overrun, ms);
    };
    // Nothing more can be learnt from a worker that did not start: the backends left count as not measured.
    const unmeasuredRest = (reason: string) => [...pending].forEach((name) => record({ name, available: true, reason }));
    function overrun() {
      if (current) record({ name: current, available: true, reason: `not ready within ${seconds(options.budgetMs(current, first))} (compiling its kernels)` });
      else unmeasuredRest(`the probe did not start within ${seconds(options.startMs)}`);
      finish();
    }
    options.signal?.addEventListener('abort', abort);
    arm(options.startMs);
    worker.start(
      { ...request, backends: [...pending] },
      {
        report(report) {
          if (done) return;
          if (report.type === 'begin') {
            current = report.name;
            arm(options.budgetMs(report.name, first));
            return;
          }
          record(report.probe);
          current = undefined;
          first = false;
          if (pending.length === 0) finish();
          else arm(options.startMs);
        },
        fail(message) {
          if (done) return;
          if (current) record({ name: current, available: false, reason: message });
          else unmeasuredRest(`the probe failed: ${message}`);
          finish();
        },
      },
    );
  });
}
