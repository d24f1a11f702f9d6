import { describe, expect, it } from 'vitest';
import { DivergedError, runLoop, TrainingLoop, type Losses, type Trainable } from '@/lib/runtime/loop';

/** A program whose losses are a function of the iteration. */
function scripted(loss: (step: number) => Losses, start = 0): Trainable & { calls: number } {
  let iteration = start;
  return {
    calls: 0,
    get iteration() {
      return iteration;
    },
    async stepAsync() {
      this.calls += 1;
      return loss(iteration++);
    },
  };
}

/** A noisy but steady loss: between 0.5 and 1.5. */
const steady = (step: number) => 1 + 0.5 * Math.sin(step * 1.7);

describe('training loop', () => {
  it('takes pictures before every sampleEvery-th iteration and after the last, and logs at the cadence and the end', async () => {
    const snapshots: number[] = [];
    const logs: number[] = [];
    const summary = await runLoop(scripted((s) => ({ loss: s })), {
      iterations: 7,
      sampleEvery: 3,
      logEvery: 5,
      onSnapshot: ({ step }) => void snapshots.push(step),
      onLog: ({ step }) => void logs.push(step),
    });
    expect(snapshots).toEqual([0, 3, 6, 7]);
    expect(logs).toEqual([0, 5, 6]);
    expect(summary.steps).toBe(7);
    expect(summary.losses).toEqual({ loss: 6 });
  });

  it('scores before every evaluateEvery-th iteration and after the last, once per iteration across pauses, timing it', async () => {
    const scored: number[] = [];
    const loop = new TrainingLoop(scripted((s) => ({ loss: s })), {
      iterations: 9,
      evaluateEvery: 4,
      onEvaluate: async (step) => {
        scored.push(step);
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    });
    expect(await loop.run({ iterations: 4 })).toBe(false);
    expect(await loop.run()).toBe(true);
    expect(scored).toEqual([0, 4, 8, 9]);
    const summary = loop.summary();
    expect(summary.evaluationSeconds).toBeGreaterThanOrEqual(0.015);
    expect(summary.evaluationSeconds).toBeLessThanOrEqual(summary.seconds);
  });

  it('stops at a NaN loss, naming it and the iteration', async () => {
    const program = scripted((s) => ({ D_loss: 1, G_loss: s === 4 ? Number.NaN : 1 }));
    const failure = await runLoop(program, { iterations: 10 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DivergedError);
    expect((failure as DivergedError).loss).toBe('G_loss');
    expect((failure as DivergedError).step).toBe(4);
    expect(program.calls).toBe(5);
  });

  it('runs within a budget and resumes where it stopped', async () => {
    const program = scripted(() => ({ loss: 1 }));
    const loop = new TrainingLoop(program, { iterations: 10 });
    expect(await loop.run({ iterations: 4 })).toBe(false);
    expect(program.iteration).toBe(4);
    expect(await loop.run()).toBe(true);
    expect(loop.summary().steps).toBe(10);
  });

  describe('explosion guard', () => {
    const guard = { factor: 10, patience: 5 };

    it('stops a loss that stays far above its running median, saying so', async () => {
      const program = scripted((s) => ({ loss: s < 100 ? steady(s) : 1000 * s }));
      const failure = await runLoop(program, { iterations: 1000, guard }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(DivergedError);
      expect((failure as DivergedError).step).toBe(104);
      expect((failure as Error).message).toMatch(/^loss stayed above 10 × its running median \((0.9|1.0)\d+\) for 5 iterations, reaching 1.040e\+5 at iteration 104; training stopped$/);
    });

    it('lets a noisy steady loss, short spikes and negative losses train to the end', async () => {
      const program = scripted((s) => ({
        noisy: steady(s),
        spiky: s % 50 === 49 ? 500 : steady(s),
        critic: -1000 * s,
      }));
      const summary = await runLoop(program, { iterations: 1000, guard });
      expect(summary.steps).toBe(1000);
    });

    it('is off unless asked for', async () => {
      const summary = await runLoop(scripted((s) => ({ loss: s < 100 ? 1 : 1e9 })), { iterations: 300 });
      expect(summary.steps).toBe(300);
    });

    it('judges only after its warm-up, so a falling first loss is not an explosion', async () => {
      const program = scripted((s) => ({ loss: 1000 / (s + 1) }));
      const summary = await runLoop(program, { iterations: 500, guard: { factor: 2, patience: 1 } });
      expect(summary.steps).toBe(500);
    });
  });
});
