'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { GraphDoc } from '@/lib/graph/schema';
import type { EncodedCheckpoint } from '@/lib/train/checkpoint';
import type { BackendChoice, BackendProbe, BrowserBackend, RunSettings, RunStatus, TrainCommand, TrainEvent } from '@/lib/train/protocol';
import { RunRecorder } from './recorder';
import type { Diagnosis } from '@/lib/runtime/diagnostics';
import { MetricSeries } from './series';

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
  iteration: number;
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
  interpolation?: string;
  checkpoint?: { id: string; iteration: number };
}

const ACTIVE: readonly LiveRun['status'][] = ['preparing', 'running', 'paused'];
export const isActive = (run?: LiveRun) => !!run && ACTIVE.includes(run.status);

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
        case 'backend':
          return update({ backend: event.backend, probes: event.probes });
        case 'started': {
          const series = [...event.lossNames, ...event.monitorNames, ...event.scoreNames];
          metrics.current.reset(series);
          setMetricsVersion((v) => v + 1);
          update({ series, monitors: event.monitorNames, scoreNote: event.scoreNote, iteration: event.iteration, total: event.total });
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
            (created) => update(created),
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
        case 'diagnosis':
          recorder.current?.diagnosis(event.diagnosis);
          return update((r) => ({ diagnoses: [...r.diagnoses, event.diagnosis] }));
        case 'notice':
          return onErrorRef.current(event.message);
        case 'interpolation':
          return update({ interpolation: url(event.png) });
        case 'checkpoint':
          return recorder.current?.checkpoint(event.checkpoint, (saved) => update({ checkpoint: saved }));
        case 'status':
          recorder.current?.status(event.status, event.message, () => update({ savedStatus: event.status }));
          return update({ status: event.status, message: event.message, iteration: event.iteration });
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
    total: settings.iterations,
    itPerSec: 0,
    seconds: 0,
    series: [],
    monitors: [],
    diagnoses: [],
    pictures: { samples: [], reconstructions: [] },
  });

  const start = useCallback(
    (doc: GraphDoc, settings: RunSettings, backend: BackendChoice, resume?: { checkpoint: EncodedCheckpoint; id: string }) => {
      pending.current = { doc, settings, resumedFrom: resume?.id };
      releaseAll();
      setRun(fresh(settings));
      post({ type: 'start', doc, settings, backend, resume: resume?.checkpoint, checkpointSeconds: 30 });
    },
    [post],
  );

  const inspect = useCallback(
    (doc: GraphDoc, checkpoint: EncodedCheckpoint, backend: BackendChoice) => {
      releaseAll();
      setRun({ ...fresh({ ...doc.training, iterations: checkpoint.manifest.iteration }), status: 'completed', iteration: checkpoint.manifest.iteration, message: 'Loaded from a checkpoint' });
      post({ type: 'inspect', doc, checkpoint, backend });
    },
    [post],
  );

  // Closing or reloading the tab ends the worker: mark the run interrupted rather than leave it "running".
  useEffect(() => {
    const onHide = () => recorder.current?.dispose();
    window.addEventListener('pagehide', onHide);
    return () => {
      window.removeEventListener('pagehide', onHide);
      worker.current?.terminate();
      releaseAll();
    };
  }, []);

  return { run, metrics: metrics.current, metricsVersion, start, inspect, command: post };
}
