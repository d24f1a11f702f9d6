import { describe, expect, it } from 'vitest';
import { ProbeAbortedError, runProbes, type ProbeReport, type ProbeRequest, type ProbeWorker, type Timers } from '../../../lib/train/probe-runner';
import { timeSteps } from '../../../lib/train/probe-steps';
import type { BackendProbe, BrowserBackend } from '../../../lib/train/protocol';

/** Timers driven by hand: `advance` fires what falls due. */
function fakeTimers() {
  let now = 0;
  let next = 0;
  const due = new Map<number, { at: number; run: () => void }>();
  const timers: Timers = {
    set: (run, ms) => (due.set(++next, { at: now + ms, run }), next),
    clear: (handle) => void due.delete(handle as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [id, t] of [...due].sort((a, b) => a[1].at - b[1].at)) {
      if (t.at <= now && due.delete(id)) t.run();
    }
  };
  return { timers, advance };
}

type Script = Partial<Record<BrowserBackend, BackendProbe | 'hang' | { fail: string }>>;

/** Workers that answer from a script: a result, a hang (a step that never ends), or a crash. */
function scriptedWorkers(script: Script) {
  const spawned: { backends: BrowserBackend[]; terminated: boolean }[] = [];
  const spawn = (): ProbeWorker => {
    const record = { backends: [] as BrowserBackend[], terminated: false };
    spawned.push(record);
    return {
      start(request: ProbeRequest, on: { report(r: ProbeReport): void; fail(m: string): void }) {
        record.backends = request.backends;
        void (async () => {
          for (const name of request.backends) {
            await Promise.resolve();
            if (record.terminated) return;
            on.report({ type: 'begin', name });
            const answer = script[name] ?? { name, available: false };
            if (answer === 'hang') return;
            if ('fail' in answer) return on.fail(answer.fail);
            on.report({ type: 'result', probe: answer });
          }
        })();
      },
      terminate: () => void (record.terminated = true),
    };
  };
  return { spawn, spawned };
}

const request = { doc: {} as ProbeRequest['doc'], batchSize: 64, seed: 0 };
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("Auto's probe runner", () => {
  it('times every backend in one worker and returns them in order', async () => {
    const { spawn, spawned } = scriptedWorkers({ wasm: { name: 'wasm', available: true, msPerStep: 20 }, webgpu: { name: 'webgpu', available: true, msPerStep: 5 }, webgl: { name: 'webgl', available: false } });
    const probes = await runProbes(request, ['wasm', 'webgpu', 'webgl'], { spawn, budgetMs: () => 1000, startMs: 1000 });
    expect(probes.map((p) => [p.name, p.msPerStep])).toEqual([['wasm', 20], ['webgpu', 5], ['webgl', undefined]]);
    expect(spawned).toHaveLength(1);
    expect(spawned[0]!.terminated).toBe(true);
  });

  it('ends a worker whose backend overruns its budget (a minute compiling shaders) and goes on in a fresh one', async () => {
    const { timers, advance } = fakeTimers();
    const { spawn, spawned } = scriptedWorkers({ wasm: { name: 'wasm', available: true, msPerStep: 20 }, webgl: 'hang', webgpu: { name: 'webgpu', available: true, msPerStep: 30 } });
    const budgets: [BrowserBackend, boolean][] = [];
    const running = runProbes(request, ['wasm', 'webgl', 'webgpu'], {
      spawn,
      budgetMs: (name, first) => (budgets.push([name, first]), name === 'webgl' ? 8000 : 20_000),
      startMs: 5000,
      timers,
    });
    await settle();
    advance(7999);
    await settle();
    expect(spawned).toHaveLength(1);
    advance(1);
    await settle();
    const probes = await running;
    expect(probes.find((p) => p.name === 'webgl')).toEqual({ name: 'webgl', available: true, reason: 'not ready within 8 s (compiling its kernels)' });
    expect(probes.map((p) => p.name)).toEqual(['wasm', 'webgl', 'webgpu']);
    expect(probes.find((p) => p.name === 'webgpu')!.msPerStep).toBe(30);
    // The hung worker was ended; the fresh one was asked only for what was left, and loaded the data again (first in its worker).
    expect(spawned.map((w) => [w.backends, w.terminated])).toEqual([[['wasm', 'webgl', 'webgpu'], true], [['webgpu'], true]]);
    expect(budgets).toEqual([['wasm', true], ['webgl', false], ['webgl', false], ['webgpu', true]]);
  });

  it('counts the backend a crashed worker was on as unavailable, and one that never started as not measured', async () => {
    const crashed = scriptedWorkers({ wasm: { name: 'wasm', available: true, msPerStep: 20 }, webgpu: { fail: 'GPU process lost' }, webgl: { name: 'webgl', available: true, msPerStep: 90 } });
    const probes = await runProbes(request, ['wasm', 'webgpu', 'webgl'], { spawn: crashed.spawn, budgetMs: () => 1000, startMs: 1000 });
    expect(probes).toEqual([
      { name: 'wasm', available: true, msPerStep: 20 },
      { name: 'webgpu', available: false, reason: 'GPU process lost' },
      { name: 'webgl', available: true, msPerStep: 90 },
    ]);

    const { timers, advance } = fakeTimers();
    const silent: ProbeWorker = { start: () => undefined, terminate: () => undefined };
    const running = runProbes(request, ['wasm', 'webgl'], { spawn: () => silent, budgetMs: () => 1000, startMs: 3000, timers });
    advance(3000);
    expect(await running).toEqual([
      { name: 'wasm', available: true, reason: 'the probe did not start within 3 s' },
      { name: 'webgl', available: true, reason: 'the probe did not start within 3 s' },
    ]);
  });

  it('stops when the page no longer wants it', async () => {
    const { spawn, spawned } = scriptedWorkers({ wasm: 'hang' });
    const controller = new AbortController();
    const running = runProbes(request, ['wasm'], { spawn, budgetMs: () => 60_000, startMs: 60_000, signal: controller.signal });
    await settle();
    controller.abort();
    await expect(running).rejects.toThrow(ProbeAbortedError);
    expect(spawned[0]!.terminated).toBe(true);
  });
});

describe('timing steps', () => {
  it('warms up with one step, then times steps up to the time or step limit, at least two', async () => {
    let clock = 0;
    const durations = [5000, 100, 100, 100, 100, 100, 100];
    let i = 0;
    const step = async () => void (clock += durations[i++] ?? 100);
    const timing = await timeSteps(step, { now: () => clock, maxMs: 250, maxSteps: 10 });
    expect(timing).toEqual({ warmUpMs: 5000, msPerStep: 100, steps: 3 });

    clock = 0;
    i = 0;
    const slow = await timeSteps(async () => void (clock += 2000), { now: () => clock, maxMs: 1000 });
    expect(slow).toEqual({ warmUpMs: 2000, msPerStep: 2000, steps: 2 });
  });
});
