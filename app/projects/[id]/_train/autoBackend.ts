import type { GraphDoc } from '@/lib/graph/schema';
import { chooseBackend, deviceKey, readCachedChoice, storedChoice } from '@/lib/train/backend-choice';
import { runProbes, type ProbeRunnerOptions, type ProbeWorker } from '@/lib/train/probe-runner';
import type { BackendProbe, BrowserBackend, RunSettings } from '@/lib/train/protocol';

/**
 * "Auto" on the page: the backend this browser measured fastest for training
 * (never slower than WASM, lib/train/backend-choice.ts), kept in localStorage
 * under the browser, its GPU and its threads, so the probe (a few seconds,
 * in workers: tfjs never runs on this thread) happens once per browser.
 */
const STORAGE_KEY = 'netloom.auto-backend';
/** A GPU backend's budget: starting it, compiling the model's kernels and timing its steps. */
const GPU_BUDGET_MS = 8_000;
/** WASM's (or CPU's): the baseline, measured unless the model is very slow everywhere. */
const BASELINE_BUDGET_MS = 20_000;
/** Added for the first backend in a worker, which loads the dataset. */
const DATA_MS = 30_000;
/** A probe worker's start (loading tfjs), and the gap between two backends. */
const START_MS = 20_000;

export interface AutoChoice {
  backend: BrowserBackend;
  why: string;
  probes: BackendProbe[];
  /** When it was measured (ms since the epoch); `cached`: in an earlier run. */
  at: number;
  cached: boolean;
}

/** The GPU as WebGL names it (no tfjs: one throwaway context). */
function gpuName(): string {
  try {
    const gl = document.createElement('canvas').getContext('webgl');
    if (!gl) return '';
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return name;
  } catch {
    return '';
  }
}

/** localStorage, or nothing where the browser refuses it (a private window, storage off). */
function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

function spawn(): ProbeWorker {
  const worker = new Worker(new URL('./probe.worker.ts', import.meta.url), { type: 'module' });
  return {
    start(request, on) {
      worker.onmessage = (e) => on.report(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        on.fail(e.message || 'the probe worker failed');
      };
      worker.postMessage(request);
    },
    terminate: () => worker.terminate(),
  };
}

/** The device a kept choice belongs to. */
export const currentDevice = () => deviceKey({ userAgent: navigator.userAgent, gpu: gpuName(), threads: navigator.hardwareConcurrency || 1 });

/** The kept choice for this browser, or a new one measured on `doc` as it will train. */
export async function autoBackend(doc: GraphDoc, settings: RunSettings, signal?: AbortSignal): Promise<AutoChoice> {
  const device = currentDevice();
  const kept = readCachedChoice(storage()?.getItem(STORAGE_KEY) ?? null, device, Date.now());
  if (kept) return { backend: kept.backend, why: kept.why, probes: kept.probes, at: kept.at, cached: true };
  const request = { doc, batchSize: settings.batchSize, seed: settings.seed };
  const options: ProbeRunnerOptions = {
    spawn,
    budgetMs: (name, first) => (name === 'wasm' || name === 'cpu' ? BASELINE_BUDGET_MS : GPU_BUDGET_MS) + (first ? DATA_MS : 0),
    startMs: START_MS,
    signal,
  };
  let probes = await runProbes(request, ['wasm', 'webgpu', 'webgl'], options);
  // CPU is slower than WASM wherever WASM runs: it is measured only as the baseline when WASM is missing.
  if (!probes.find((p) => p.name === 'wasm')?.available) probes = [...probes, ...(await runProbes(request, ['cpu'], options))];
  const choice = chooseBackend(probes);
  const at = Date.now();
  try {
    storage()?.setItem(STORAGE_KEY, storedChoice(device, choice, probes, at));
  } catch {
    // Storage full or refused: the choice holds for this run, and is measured again next time.
  }
  return { ...choice, probes, at, cached: false };
}
