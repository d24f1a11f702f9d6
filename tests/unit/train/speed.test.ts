import { describe, expect, it } from 'vitest';
import { averageItPerSec, speedLabel } from '../../../lib/train/speed';
import { checkpointInterval, MAX_CHECKPOINT_SECONDS } from '../../../lib/train/checkpoint-interval';

describe("a run's speed", () => {
  it('is the iterations it trained over the seconds it trained, counting a resumed run from its checkpoint', () => {
    expect(averageItPerSec({ iteration: 1210, startIteration: 1000, seconds: 100 })).toBeCloseTo(2.1);
    expect(averageItPerSec({ iteration: 0, startIteration: 0, seconds: 0 })).toBeNull();
  });

  it('reads the same in the panel and the run history once the run has ended: the average, not the last window', () => {
    // The run's last progress window held one step and the final pictures and scores: 0.1 it/s. The run's own figure is 2.1.
    const ended = { active: false, itPerSec: 0.1, iteration: 1210, startIteration: 1000, seconds: 100 };
    expect(speedLabel(ended)).toBe('2.1 it/s average');
    expect(speedLabel(ended)).toBe(`${averageItPerSec(ended)!.toFixed(1)} it/s average`);
    expect(speedLabel({ ...ended, active: true, itPerSec: 16.04 })).toBe('16.0 it/s now');
    expect(speedLabel({ active: false, itPerSec: 0, iteration: 0, startIteration: 0, seconds: 0 })).toBe('– it/s');
  });
});

describe('how often a run checkpoints', () => {
  it('every 10 s of training for a small model, less often for large or slow checkpoints, at most every minute', () => {
    expect(checkpointInterval(10)).toBe(10);
    expect(checkpointInterval(10, { bytes: 2.6e6, encodeSeconds: 0.05 })).toBe(10);
    expect(checkpointInterval(10, { bytes: 60 * 2 ** 20, encodeSeconds: 0.5 })).toBe(30);
    expect(checkpointInterval(10, { bytes: 1 * 2 ** 20, encodeSeconds: 1.5 })).toBe(30);
    expect(checkpointInterval(10, { bytes: 190 * 2 ** 20, encodeSeconds: 4 })).toBe(MAX_CHECKPOINT_SECONDS);
    // A run that never checkpoints on a timer (showing a checkpoint's samples) stays so.
    expect(checkpointInterval(Infinity, { bytes: 1e6, encodeSeconds: 0.1 })).toBe(Infinity);
  });
});
