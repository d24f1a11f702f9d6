import type { ImageBatch, TrainingProgram } from '../compile/program';

export interface LogEntry {
  step: number;
  losses: Record<string, number>;
  itPerSec: number;
}

export interface Snapshot {
  /** 0, 1, 2, ...: the seeds' out/000.png numbering. */
  index: number;
  step: number;
  samples?: ImageBatch;
  reconstructions?: { inputs: ImageBatch; outputs: ImageBatch };
}

export interface LoopOptions {
  steps: number;
  logEvery: number;
  sampleEvery: number;
  onLog(entry: LogEntry): void;
  onSnapshot?(snapshot: Snapshot): void;
}

export interface LoopResult {
  steps: number;
  seconds: number;
  itPerSec: number;
  losses: Record<string, number>;
}

/** A loss went NaN or infinite: training stops, naming the loss and the iteration. */
export class DivergedError extends Error {
  constructor(
    readonly loss: string,
    readonly step: number,
    readonly value: number,
  ) {
    super(`${loss} became ${value} at iteration ${step}; training stopped`);
  }
}

/** Throws DivergedError naming the first loss that is NaN or infinite. */
export function checkFinite(losses: Record<string, number>, step: number): void {
  for (const [name, value] of Object.entries(losses)) {
    if (!Number.isFinite(value)) throw new DivergedError(name, step, value);
  }
}

/**
 * The CLI's training loop (the browser's is TrainingSession, which adds pause and checkpoints): snapshots every
 * `sampleEvery` iterations (before the step, as seed 002 does) and after the
 * last one, a log line every `logEvery` and at the end.
 */
export async function runLoop(program: TrainingProgram, options: LoopOptions): Promise<LoopResult> {
  const start = performance.now();
  let windowStart = start;
  let windowSteps = 0;
  let index = 0;
  let losses: Record<string, number> = {};
  const snapshot = async (step: number) =>
    options.onSnapshot?.({ index: index++, step, samples: await program.samples(), reconstructions: await program.reconstructions() });
  for (let step = 0; step < options.steps; step++) {
    if (step % options.sampleEvery === 0) await snapshot(step);
    losses = program.step()!;
    windowSteps += 1;
    checkFinite(losses, step);
    if (step % options.logEvery === 0 || step === options.steps - 1) {
      const now = performance.now();
      options.onLog({ step, losses, itPerSec: (windowSteps * 1000) / Math.max(now - windowStart, 1e-6) });
      windowStart = now;
      windowSteps = 0;
    }
  }
  await snapshot(options.steps);
  const seconds = (performance.now() - start) / 1000;
  return { steps: options.steps, seconds, itPerSec: options.steps / seconds, losses };
}
