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
  /** Quality scores before every iteration that is a multiple of this, and after the last (none when unset). */
  evaluateEvery?: number;
  /** `step`: the iterations trained so far. */
  onEvaluate?(step: number): void | Promise<void>;
  /** After each iteration, with its losses (already checked to be finite). */
  onStep?(step: number, losses: Losses): void | Promise<void>;
  /** Stop when a loss stays above `factor` times its running median for `patience` iterations in a row. */
  guard?: ExplosionGuardRule;
}

/** When a run counts as exploded: a loss above `factor` times its running median, `patience` iterations in a row. */
export interface ExplosionGuardRule {
  factor: number;
  patience: number;
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
  /** Of `seconds`, the time spent computing quality scores (when the run scored). */
  evaluationSeconds?: number;
}

/** A loss went NaN or infinite (or exploded, past the guard): training stops, naming the loss and the iteration. */
export class DivergedError extends Error {
  constructor(
    readonly loss: string,
    readonly step: number,
    readonly value: number,
    message = `${loss} became ${value} at iteration ${step}; training stopped`,
  ) {
    super(message);
  }
}

/** Losses remembered for the running median. */
const GUARD_WINDOW = 200;
/** Iterations seen before the guard judges (a run's first losses swing). */
const GUARD_WARM_UP = 20;

/** Watches for a loss that stays far above its running median (a positive loss that explodes without turning NaN). */
class ExplosionGuard {
  private recent = new Map<string, number[]>();
  private above = new Map<string, number>();

  constructor(private readonly rule: ExplosionGuardRule) {}

  check(losses: Losses, step: number): void {
    for (const [name, value] of Object.entries(losses)) {
      const recent = this.recent.get(name) ?? [];
      this.recent.set(name, recent);
      if (recent.length >= GUARD_WARM_UP) {
        const sorted = [...recent].sort((a, b) => a - b);
        const median = sorted[Math.floor(sorted.length / 2)]!;
        const over = median > 0 && value > this.rule.factor * median;
        const count = over ? (this.above.get(name) ?? 0) + 1 : 0;
        this.above.set(name, count);
        if (count >= this.rule.patience) {
          throw new DivergedError(
            name,
            step,
            value,
            `${name} stayed above ${this.rule.factor} × its running median (${median.toPrecision(4)}) for ${this.rule.patience} iterations, reaching ${value.toPrecision(4)} at iteration ${step}; training stopped`,
          );
        }
        // While it is above, the median stays where it was: the explosion must not become the new normal.
        if (over) continue;
      }
      recent.push(value);
      if (recent.length > GUARD_WINDOW) recent.shift();
    }
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
  /** The iteration last scored: a run paused and resumed at a multiple of the interval scores it once. */
  private lastEvaluated?: number;
  private readonly guard?: ExplosionGuard;

  constructor(
    private readonly program: Trainable,
    private readonly options: LoopOptions,
  ) {
    if (options.guard) this.guard = new ExplosionGuard(options.guard);
  }

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
    const { sampleEvery, logEvery, evaluateEvery } = this.options;
    try {
      for (let count = 0; !this.done; ) {
        const step = this.program.iteration;
        if (sampleEvery && step % sampleEvery === 0) await this.options.onSnapshot?.({ index: step / sampleEvery, step });
        if (evaluateEvery && step % evaluateEvery === 0 && this.lastEvaluated !== step) await this.evaluate(step);
        const losses = await this.program.stepAsync();
        checkFinite(losses, step);
        this.guard?.check(losses, step);
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
        if (evaluateEvery && this.lastEvaluated !== step) await this.evaluate(step);
      }
      return true;
    } finally {
      this.seconds += now() - start;
    }
  }

  /** Scores, timing it: what evaluation costs is part of the summary. */
  private async evaluate(step: number) {
    this.lastEvaluated = step;
    const start = now();
    await this.options.onEvaluate?.(step);
    this.evaluationSeconds += now() - start;
  }

  private evaluationSeconds = 0;

  summary(): LoopSummary {
    const summary: LoopSummary = { steps: this.steps, seconds: this.seconds, itPerSec: this.seconds > 0 ? this.steps / this.seconds : 0, losses: this.losses };
    if (this.options.evaluateEvery) summary.evaluationSeconds = this.evaluationSeconds;
    return summary;
  }
}

/** Trains to the end in one go. */
export async function runLoop(program: Trainable, options: LoopOptions): Promise<LoopSummary> {
  const loop = new TrainingLoop(program, options);
  await loop.run();
  return loop.summary();
}

/** Iterations per second as lines show them: one decimal, two significant digits below 1 (a software GPU's 0.016 it/s is not 0.0). */
export const formatRate = (itPerSec: number): string => (itPerSec >= 1 || itPerSec === 0 ? itPerSec.toFixed(1) : String(Number(itPerSec.toPrecision(2))));

/** `Iter: 1000; D_loss: 1.234; G_loss: 0.5678; 52.1 it/s`: the seeds' progress line. */
export function logLine({ step, losses, itPerSec }: LogEntry): string {
  const shown = Object.entries(losses).map(([name, value]) => `${name}: ${value.toPrecision(4)}`);
  return `Iter: ${step}; ${shown.join('; ')}; ${formatRate(itPerSec)} it/s`;
}

/** `Done: 2000 iterations in 40.1 s (49.9 it/s). Final losses: D_loss 1.2340, G_loss 0.5678.` */
export function doneLine({ steps, seconds, itPerSec, losses, evaluationSeconds }: LoopSummary): string {
  const final = Object.entries(losses).map(([name, value]) => `${name} ${value.toFixed(4)}`).join(', ');
  const scoring = evaluationSeconds === undefined ? '' : ` Scoring took ${evaluationSeconds.toFixed(1)} s of it (${((100 * evaluationSeconds) / Math.max(seconds, 1e-9)).toFixed(1)}%).`;
  return `Done: ${steps} iterations in ${seconds.toFixed(1)} s (${formatRate(itPerSec)} it/s). Final losses: ${final}.${scoring}`;
}

const now = () => performance.now() / 1000;
