/**
 * A run's speed as one figure: iterations it trained over the seconds it
 * trained (pauses excluded, pictures and scoring included). The run history
 * and the training panel both show this once a run has ended, so they agree;
 * the live figure is a recent window and says so ("now").
 */
export function averageItPerSec(run: { iteration: number; startIteration: number; seconds: number }): number | null {
  const trained = run.iteration - run.startIteration;
  return run.seconds > 0 && trained >= 0 ? trained / run.seconds : null;
}

/** `12.3 it/s now` while a run goes, `2.1 it/s average` once it has stopped, and nothing before it has a figure. */
export function speedLabel(run: { active: boolean; itPerSec: number | null; iteration: number; startIteration: number; seconds: number }): string {
  if (run.active) return `${(run.itPerSec ?? 0).toFixed(1)} it/s now`;
  const average = averageItPerSec(run);
  return average === null ? '– it/s' : `${average.toFixed(1)} it/s average`;
}
