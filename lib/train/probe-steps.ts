/**
 * Times a few training steps, as Auto's probe does on each backend: one step
 * to warm up (kernels compiled, memory allocated), then steps until
 * `maxSteps` or `maxMs`, at least `minSteps`. The step reads its losses as
 * training does (asynchronously), so a GPU's queue is drained each time.
 */
export interface StepTiming {
  /** The first step. */
  warmUpMs: number;
  msPerStep: number;
  steps: number;
}

export async function timeSteps(
  step: () => Promise<unknown>,
  { now = () => performance.now(), maxSteps = 10, minSteps = 2, maxMs = 1000 }: { now?: () => number; maxSteps?: number; minSteps?: number; maxMs?: number } = {},
): Promise<StepTiming> {
  const started = now();
  await step();
  const warmed = now();
  let steps = 0;
  while (steps < minSteps || (steps < maxSteps && now() - warmed < maxMs)) {
    await step();
    steps += 1;
  }
  return { warmUpMs: warmed - started, msPerStep: (now() - warmed) / steps, steps };
}
