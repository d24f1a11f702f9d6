'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { GraphDoc } from '@/lib/graph/schema';
import type { EncodedCheckpoint } from '@/lib/train/checkpoint';
import { ENDED, type BackendChoice, type BackendProbe, type BrowserBackend, type RunSettings, type RunStatus, type SamplingWork, type TrainCommand, type TrainEvent } from '@/lib/train/protocol';
import { RunRecorder } from './recorder';
import type { Diagnosis } from '@/lib/runtime/diagnostics';
import { MetricSeries } from './series';
import { autoBackend, type AutoChoice } from './autoBackend';
import { forgetTraining, rememberTraining } from './recovery';

export interface PictureRef {
  index: number;
  step: number;
  src: string;
}

export interface LiveRun {
  id?: string;
  number?: number;
  status: RunStatus | 'preparing';
  /** The status the server has recorded (the run history shows it). */
  savedStatus?: RunStatus;
  message?: string;
  backend?: BrowserBackend;
  probes?: BackendProbe[];
  /** How Auto chose the backend: what each one measured, and whether that was measured now or kept from before. */
  auto?: Pick<AutoChoice, 'why' | 'at' | 'cached'>;
  /** What the run is waiting for while it prepares. */
  preparing?: string;
  iteration: number;
  /** The iteration it started from (a resumed run: its checkpoint's). */
  startIteration: number;
  total: number;
  itPerSec: number;
  seconds: number;
  series: string[];
  /** The series that are monitors, not losses. */
  monitors: string[];
  /** What the quality scores compare, or why there are none. */
  scoreNote?: string;
  /** Failure modes recognised so far. */
  diagnoses: Diagnosis[];
  pictures: { samples: PictureRef[]; reconstructions: PictureRef[] };
  /** A sampler at work (a diffusion model's grid or scores), and how far it has got; absent when none is. */
  sampling?: { what: SamplingWork; fraction: number };
  interpolation?: string;
  checkpoint?: { id: string; iteration: number };
}

/** Seconds of training between periodic checkpoints (longer for large models: lib/train/checkpoint-interval.ts). */
const CHECKPOINT_SECONDS = 10;
const ACTIVE: readonly LiveRun['status'][] = ['preparing', 'running', 'paused'];
export const isActive = (run?: LiveRun) => !!run && ACTIVE.includes(run.status);
/** A run whose worker holds weights worth a checkpoint. */
const TRAINING: readonly LiveRun['status'][] = ['running', 'paused'];
/** How long a worker left behind (the editor closed in the app) may take to save its last checkpoint. */
const RETIRE_MS = 15_000;
/** The least time between two checkpoints asked for because the page was hidden. */
const HIDE_GAP_MS = 5_000;

/**
 * The page's side of training: owns the worker, turns its events into state
 * for the panel, and records the run through the API. Points live in a
 * MetricSeries (not React state): a long run has hundreds of thousands.
 */
export function useTrainer(projectId: string, onError: (message: string) => void) {
  const worker = useRef<Worker>(undefined);
  const recorder = useRef<RunRecorder>(undefined);
  const metrics = useRef(new MetricSeries());
  const [run, setRun] = useState<LiveRun>();
  const [metricsVersion, setMetricsVersion] = useState(0);
  const runBackend = useRef<BrowserBackend>(undefined);
  const pending = useRef<{ doc: GraphDoc; settings: RunSettings; resumedFrom?: string }>(undefined);
  const onErrorRef = useRef(onError);
  onErrorRef.current = onError;
  /** The run as the page's leave handlers see it (they are not re-bound on every render). */
  const current = useRef<LiveRun>(undefined);
  current.current = run;
  const autoChoice = useRef<AutoChoice>(undefined);
  const probing = useRef<AbortController>(undefined);
  /** Object URLs of the pictures on show, released when a new run replaces them. */
  const urls = useRef(new Set<string>());
  const url = (blob: Blob) => {
    const made = URL.createObjectURL(blob);
    urls.current.add(made);
    return made;
  };
  const releaseAll = () => {
    urls.current.forEach((u) => URL.revokeObjectURL(u));
    urls.current.clear();
    recorder.current?.dispose();
    recorder.current = undefined;
  };

  const handle = useCallback(
    (event: TrainEvent) => {
      const update = (change: Partial<LiveRun> | ((r: LiveRun) => Partial<LiveRun>)) =>
        setRun((r) => (r ? { ...r, ...(typeof change === 'function' ? change(r) : change) } : r));
      switch (event.type) {
        case 'backend': {
          const auto = autoChoice.current;
          return update(auto ? { backend: event.backend, probes: auto.probes, auto: { why: auto.why, at: auto.at, cached: auto.cached } } : { backend: event.backend, probes: event.probes });
        }
        case 'started': {
          const series = [...event.lossNames, ...event.monitorNames, ...event.scoreNames];
          metrics.current.reset(series);
          setMetricsVersion((v) => v + 1);
          update({ series, monitors: event.monitorNames, scoreNote: event.scoreNote, iteration: event.iteration, startIteration: event.iteration, total: event.total });
          const start = pending.current!;
          recorder.current = new RunRecorder(
            projectId,
            {
              graph: start.doc,
              settings: start.settings,
              backend: runBackend.current ?? 'unknown',
              series,
              resumedFrom: start.resumedFrom,
              startIteration: event.iteration,
              scoreNote: event.scoreNote,
            },
            (message) => onErrorRef.current(message),
            (created) => {
              rememberTraining({ projectId, runId: created.id });
              update(created);
            },
          );
          return;
        }
        case 'progress':
          metrics.current.add(event.points);
          recorder.current?.points(event.points, { iteration: event.iteration, itPerSec: event.itPerSec, seconds: event.seconds });
          setMetricsVersion((v) => v + 1);
          return update({ iteration: event.iteration, itPerSec: event.itPerSec, seconds: event.seconds });
        case 'picture': {
          recorder.current?.picture(event.kind, event.picture);
          const ref = { index: event.picture.index, step: event.picture.step, src: url(event.picture.png) };
          return update((r) => ({ pictures: { ...r.pictures, [event.kind]: [...r.pictures[event.kind].filter((p) => p.index !== ref.index), ref] } }));
        }
        case 'sampling':
          return update({ sampling: event.fraction < 1 ? { what: event.what, fraction: event.fraction } : undefined });
        case 'diagnosis':
          recorder.current?.diagnosis(event.diagnosis);
          return update((r) => ({ diagnoses: [...r.diagnoses, event.diagnosis] }));
        case 'notice':
          return onErrorRef.current(event.message);
        case 'interpolation':
          return update({ interpolation: url(event.png) });
        case 'checkpoint':
          return recorder.current?.checkpoint(event.checkpoint, (saved) => update({ checkpoint: saved }));
        case 'checkpoint-saved':
          return update({ checkpoint: { id: event.id, iteration: event.iteration } });
        case 'status': {
          const saved = recorder.current?.id;
          recorder.current?.status(event.status, event.message, () => {
            // An ended run needs no recovery in the next page of this tab.
            if (saved && ENDED.includes(event.status)) forgetTraining(saved);
            update({ savedStatus: event.status });
          });
          return update({ status: event.status, message: event.message, iteration: event.iteration });
        }
      }
    },
    [projectId],
  );

  const post = useCallback(
    (command: TrainCommand) => {
      if (!worker.current) {
        worker.current = new Worker(new URL('./training.worker.ts', import.meta.url), { type: 'module' });
        worker.current.onmessage = (e: MessageEvent<TrainEvent>) => {
          if (e.data.type === 'backend') runBackend.current = e.data.backend;
          handle(e.data);
        };
        worker.current.onerror = (e) => {
          // The worker is gone: the run ends as failed and the next command starts a new worker.
          const message = `The training worker failed: ${e.message}`;
          recorder.current?.status('failed', message, () => undefined);
          worker.current?.terminate();
          worker.current = undefined;
          setRun((r) => r && { ...r, status: 'failed', message });
          onErrorRef.current(message);
        };
      }
      worker.current.postMessage(command);
    },
    [handle],
  );

  const fresh = (settings: RunSettings): LiveRun => ({
    status: 'preparing',
    iteration: 0,
    startIteration: 0,
    total: settings.iterations,
    itPerSec: 0,
    seconds: 0,
    series: [],
    monitors: [],
    diagnoses: [],
    pictures: { samples: [], reconstructions: [] },
  });

  /** "auto" as this browser measured it (once; kept per browser), or the backend asked for. */
  const resolve = useCallback(async (doc: GraphDoc, settings: RunSettings, backend: BackendChoice): Promise<BrowserBackend | undefined> => {
    autoChoice.current = undefined;
    if (backend !== 'auto') return backend;
    probing.current?.abort();
    const controller = new AbortController();
    probing.current = controller;
    try {
      autoChoice.current = await autoBackend(doc, settings, controller.signal);
      return autoChoice.current.backend;
    } catch (e) {
      if (controller.signal.aborted) return undefined;
      // The probe itself failed: the baseline, never a slower guess.
      onErrorRef.current(`Auto could not measure the backends (${(e as Error).message}); training on WASM`);
      return 'wasm';
    }
  }, []);

  const start = useCallback(
    async (doc: GraphDoc, settings: RunSettings, backend: BackendChoice, resume?: { checkpoint: EncodedCheckpoint; id: string }) => {
      pending.current = { doc, settings, resumedFrom: resume?.id };
      releaseAll();
      setRun({ ...fresh(settings), ...(backend === 'auto' && { preparing: 'choosing the backend (measured once per browser)' }) });
      const chosen = await resolve(doc, settings, backend);
      if (!chosen) return;
      setRun((r) => r && { ...r, preparing: undefined });
      post({ type: 'start', doc, settings, backend: chosen, resume: resume?.checkpoint, checkpointSeconds: CHECKPOINT_SECONDS });
    },
    [post, resolve],
  );

  const inspect = useCallback(
    async (doc: GraphDoc, checkpoint: EncodedCheckpoint, backend: BackendChoice) => {
      releaseAll();
      const iteration = checkpoint.manifest.iteration;
      setRun({ ...fresh({ ...doc.training, iterations: iteration }), status: 'completed', iteration, startIteration: iteration, message: 'Loaded from a checkpoint' });
      const chosen = await resolve(doc, doc.training, backend);
      if (chosen) post({ type: 'inspect', doc, checkpoint, backend: chosen });
    },
    [post, resolve],
  );

  useEffect(() => {
    /** The run this page trains, with the id it is saved under, while its worker holds weights not yet checkpointed. */
    const training = () => {
      const live = current.current;
      return live?.id && TRAINING.includes(live.status) ? live.id : undefined;
    };
    const checkpointNow = () => {
      const runId = training();
      if (!runId) return;
      worker.current?.postMessage({ type: 'checkpoint', runId } satisfies TrainCommand);
      recorder.current?.report();
    };
    // Leaving while a run trains: the browser asks first, and meanwhile the worker saves a checkpoint itself (this thread waits on the question).
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!isActive(current.current)) return;
      e.preventDefault();
      e.returnValue = '';
      checkpointNow();
    };
    // Hidden (another tab, minimised, a phone's app switcher): often the last moment the page is sure to run. Quick tab switching asks at most every few seconds.
    let hiddenAt = -Infinity;
    const onVisibility = () => {
      if (document.visibilityState !== 'hidden' || performance.now() - hiddenAt < HIDE_GAP_MS) return;
      hiddenAt = performance.now();
      checkpointNow();
    };
    // The page is going: the worker with it. The run is marked interrupted (a beacon: it outlives the page).
    const onHide = () => recorder.current?.dispose();
    window.addEventListener('beforeunload', onBeforeUnload);
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('pagehide', onHide);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', onHide);
      probing.current?.abort();
      // Leaving the editor within the app: the page lives on, so the worker may finish a last checkpoint before it goes.
      const left = worker.current;
      const runId = training();
      worker.current = undefined;
      if (left && runId) {
        const retire = setTimeout(() => left.terminate(), RETIRE_MS);
        left.onmessage = (e: MessageEvent<TrainEvent>) => {
          if (e.data.type === 'checkpoint-saved' || e.data.type === 'notice' || e.data.type === 'status') {
            clearTimeout(retire);
            left.terminate();
          }
        };
        left.postMessage({ type: 'checkpoint', runId } satisfies TrainCommand);
      } else left?.terminate();
      releaseAll();
    };
  }, []);

  return { run, metrics: metrics.current, metricsVersion, start, inspect, command: post };
}
