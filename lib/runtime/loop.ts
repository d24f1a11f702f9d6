/**
 * The one training loop: the CLI, the browser worker's session (in slices, so
 * it can pause and step) and exported projects all run their program through
 * it. It keeps the cadence of pictures (before every `sampleEvery`-th
 * iteration, as the seeds save them, and after the last) and log lines, the
 * speed, and stops at the first NaN or infinite loss.
 */
export type Losses = Record<string, number>;

/** What the loop trains: the app's compiled program, an exported project's model. */
export interface Trainable {
  /** The next iteration to run: 0 for a new run, a checkpoint's iteration when resumed. */
  readonly iteration: number;
  /** Runs one iteration and reads every loss (asynchronously: a synchronous read is wrong on WebGPU in a worker). */
  stepAsync(): Promise<Losses>;
}

export interface LogEntry {
  step: number;
  losses: Losses;
  itPerSec: number;
}

export interface LoopOptions {
  /** Train until the program reaches this iteration. */
  iterations: number;
  /** A log entry every this many iterations and at the last one (none when unset). */
  logEvery?: number;
  /** Pictures before every iteration that is a multiple of this, and after the last (none when unset). */
  sampleEvery?: number;
  onLog?(entry: LogEntry): void | Promise<void>;
  /** `index` numbers the pictures like the seeds' out/000.png, 001.png, ... */
  onSnapshot?(snapshot: { index: number; step: number }): void | Promise<void>;
  /** After each iteration, with its losses (already checked to be finite). */
  onStep?(step: number, losses: Losses): void | Promise<void>;
}

/** How much of the run one call of `run` may do; it stops at whichever comes first. */
export interface LoopBudget {
  iterations?: number;
  seconds?: number;
  /** Asked after each iteration: true stops there (a pause or stop request). */
  stop?(): boolean;
}

export interface LoopSummary {
  /** Iterations run by this loop (a resumed run counts from where it resumed). */
  steps: number;
  /** Training time, excluding time between calls of `run` (pauses). */
  seconds: number;
  itPerSec: number;
  /** The last iteration's losses. */
  losses: Losses;
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
export function checkFinite(losses: Losses, step: number): void {
  for (const [name, value] of Object.entries(losses)) {
    if (!Number.isFinite(value)) throw new DivergedError(name, step, value);
  }
}

export class TrainingLoop {
  private steps = 0;
  private seconds = 0;
  private losses: Losses = {};
  private window = { start: 0, steps: 0 };
  private finished = false;

  constructor(
    private readonly program: Trainable,
    private readonly options: LoopOptions,
  ) {}

  get done(): boolean {
    return this.program.iteration >= this.options.iterations;
  }

  /**
   * Runs iterations until the run is done (then takes the final pictures) or
   * the budget is spent. Resolves true when the run is done. Throws
   * DivergedError at a NaN or infinite loss.
   */
  async run(budget: LoopBudget = {}): Promise<boolean> {
    const start = now();
    if (this.window.steps === 0) this.window.start = start;
    const { sampleEvery, logEvery } = this.options;
    try {
      for (let count = 0; !this.done; ) {
        const step = this.program.iteration;
        if (sampleEvery && step % sampleEvery === 0) await this.options.onSnapshot?.({ index: step / sampleEvery, step });
        const losses = await this.program.stepAsync();
        checkFinite(losses, step);
        this.losses = losses;
        this.steps += 1;
        this.window.steps += 1;
        await this.options.onStep?.(step, losses);
        if (logEvery && (step % logEvery === 0 || step === this.options.iterations - 1)) {
          const at = now();
          const itPerSec = this.window.steps / Math.max(at - this.window.start, 1e-9);
          this.window = { start: at, steps: 0 };
          await this.options.onLog?.({ step, losses, itPerSec });
        }
        count += 1;
        if (this.done) break;
        if ((budget.iterations !== undefined && count >= budget.iterations) || (budget.seconds !== undefined && now() - start >= budget.seconds) || budget.stop?.()) {
          return false;
        }
      }
      if (!this.finished) {
        this.finished = true;
        const step = this.program.iteration;
        if (sampleEvery) await this.options.onSnapshot?.({ index: Math.ceil(step / sampleEvery), step });
      }
      return true;
    } finally {
      this.seconds += now() - start;
    }
  }

  summary(): LoopSummary {
    return { steps: this.steps, seconds: this.seconds, itPerSec: this.seconds > 0 ? this.steps / this.seconds : 0, losses: this.losses };
  }
}

/** Trains to the end in one go. */
export async function runLoop(program: Trainable, options: LoopOptions): Promise<LoopSummary> {
  const loop = new TrainingLoop(program, options);
  await loop.run();
  return loop.summary();
}

/** `Iter: 1000; D_loss: 1.234; G_loss: 0.5678; 52.1 it/s`: the seeds' progress line. */
export function logLine({ step, losses, itPerSec }: LogEntry): string {
  const shown = Object.entries(losses).map(([name, value]) => `${name}: ${value.toPrecision(4)}`);
  return `Iter: ${step}; ${shown.join('; ')}; ${itPerSec.toFixed(1)} it/s`;
}

/** `Done: 2000 iterations in 40.1 s (49.9 it/s). Final losses: D_loss 1.2340, G_loss 0.5678.` */
export function doneLine({ steps, seconds, itPerSec, losses }: LoopSummary): string {
  const final = Object.entries(losses).map(([name, value]) => `${name} ${value.toFixed(4)}`).join(', ');
  return `Done: ${steps} iterations in ${seconds.toFixed(1)} s (${itPerSec.toFixed(1)} it/s). Final losses: ${final}.`;
}

const now = () => performance.now() / 1000;
