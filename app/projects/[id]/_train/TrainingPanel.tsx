'use client';
import { useEffect, useMemo, useState } from 'react';
import { analyse, type Analysis } from '@/lib/graph/analyse';
import { lower } from '@/lib/plan/lower';
import { SEED_LAYOUT } from '@/lib/plan/plan';
import { formatProblem } from '@/lib/graph/problems';
import type { GraphDoc } from '@/lib/graph/schema';
import type { RunDetail, RunSummary } from '@/lib/db/runs';
import { speedLabel } from '@/lib/train/speed';
import { RunSettingsSchema, type RunSettings } from '@/lib/train/protocol';
import { OnnxDownload } from './OnnxDownload';
import { readParams } from '@/lib/kinds/fields';
import { loadCheckpoint, loadRun } from './api';
import { LossChart, type ChartAxes } from './LossChart';
import { isScoreName, SCORE_NAMES } from '@/lib/runtime/scores';
import type { MonitorMeasure } from '@/lib/runtime/diagnostics';
import { Pictures } from './Pictures';
import { PreviewPicker } from './PreviewPicker';
import { RunHistory } from './RunHistory';
import { ScheduleEditor } from './ScheduleEditor';
import { SettingsForm } from './SettingsForm';
import { MetricSeries } from './series';
import { isActive, useTrainer, type PictureRef } from './useTrainer';

/** Fréchet distance on the left; entropy (bits, at most log2 10), confidence and diversity on the right. */
const QUALITY_AXES: ChartAxes = { left: 'Fréchet distance', right: 'bits · fraction', rightRange: [0, 3.4] };

function duration(seconds: number) {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

const storedPictures = (run: RunDetail, kind: 'samples' | 'reconstructions'): PictureRef[] =>
  run.pictures.filter((p) => p.kind === kind).map((p) => ({ index: p.index, step: p.step, src: `/api/runs/${run.id}/pictures/${kind}/${p.index}` }));

/** What the pictures column says before it has a picture. */
function picturesNote(analysis: Analysis): string {
  const { candidates, samples, reconstructions } = analysis.previews;
  if (candidates.length === 0) return 'This graph has no output that holds a batch of images: there are no grids to show.';
  if (!samples && !reconstructions) return 'No grids chosen: pick samples or reconstructions under Pictures.';
  return 'Sample grids and reconstructions appear here as the model trains.';
}

/** The monitors a graph charts, with what each measures (a graph with errors trained nothing, so it has none). */
function monitorsOf(graph: GraphDoc): { name: string; measures: MonitorMeasure }[] {
  const analysis = analyse(graph);
  return analysis.ok ? lower(analysis).monitors.values.map((m) => ({ name: m.name, measures: m.monitor.measures })) : [];
}
const monitorNames = (graph: GraphDoc) => monitorsOf(graph).map((m) => m.name);

/** The right-hand axis says what its monitors measure: a discriminator's mean output, the share of active latent units, or both. */
const MEASURE_LABELS: Record<MonitorMeasure, string> = { probability: 'mean D', 'active-units': 'active units' };
function monitorAxes(graphs: GraphDoc[]): ChartAxes {
  const measures = [...new Set(graphs.flatMap((g) => monitorsOf(g).map((m) => m.measures)))];
  return { left: 'loss', right: measures.map((m) => MEASURE_LABELS[m]).join(' · ') || 'mean D', rightRange: [0, 1] };
}

/**
 * Train the graph in the browser: the project's settings, schedule and
 * pictures (saved with the graph), controls, live losses and pictures, run
 * history and checkpoints.
 */
export function TrainingPanel({
  projectId,
  doc,
  analysis,
  lastRun,
  onChange,
  onMessage,
}: {
  projectId: string;
  doc: GraphDoc;
  analysis: Analysis;
  /** The project's last run when the project opened: shown with its charts and grids until another is trained or opened. */
  lastRun?: RunSummary;
  onChange(doc: GraphDoc): void;
  onMessage(message: string): void;
}) {
  const { run, metrics, metricsVersion, start, inspect, command } = useTrainer(projectId, onMessage);
  const backend = doc.training.backend;
  const [log, setLog] = useState(false);
  const [opened, setOpened] = useState<RunDetail>();
  const [overlay, setOverlay] = useState<RunDetail>();
  const [refresh, setRefresh] = useState(0);
  // The rows of the sample grid: the seeds' 16, or 8 per class for conditional models.
  const previewCount = useMemo(() => (analysis.ok ? lower(analysis).previews.layout.count : SEED_LAYOUT.count), [analysis]);
  const [blend, setBlend] = useState({ from: 1, to: 16 });
  const active = isActive(run);

  // The history shows a run as soon as it exists, and its final state when it ends.
  const runId = run?.id;
  const runStatus = run?.savedStatus;
  useEffect(() => setRefresh((r) => r + 1), [runId, runStatus]);

  // The project opens on its last run (an interrupted one with its Resume), unless training has begun meanwhile.
  const lastRunId = lastRun?.id;
  const lastRunStatus = lastRun?.status;
  const started = !!run;
  useEffect(() => {
    if (!lastRunId || started) return;
    // The same run again (it was found interrupted after all) replaces what was shown of it; another run opened by hand stays.
    loadRun(lastRunId).then((detail) => setOpened((o) => (!o || o.id === detail.id ? detail : o)), (e: Error) => onMessage(e.message));
    setRefresh((r) => r + 1);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the last run is known or changes status; a run started since wins
  }, [lastRunId, lastRunStatus]);

  const { batchSize, iterations, seed, sampleEvery, evaluation } = doc.training;
  const parsed = RunSettingsSchema.safeParse({ batchSize, iterations, seed, sampleEvery, evaluation });
  const blocker = !analysis.ok
    ? `Fix the graph first: ${analysis.errors.length} problem(s), e.g. ${formatProblem(analysis.errors[0]!)}`
    : !parsed.success
      ? `Settings: ${[...readParams({ params: RunSettingsSchema }, { batchSize, iterations, seed, sampleEvery, evaluation }).issues.values()][0]}`
      : undefined;

  const viewed = opened && !active ? opened : undefined;
  const series = useMemo(() => (viewed ? MetricSeries.from(viewed.series, viewed.points) : metrics), [viewed, metrics]);
  const overlaySeries = useMemo(() => overlay && MetricSeries.from(overlay.series, overlay.points), [overlay]);
  const allTraces = [...series.traces(), ...(overlaySeries?.traces(`#${overlay!.number} `) ?? [])];
  // Quality scores get a chart of their own (their scales have nothing to do with the losses').
  const isScore = (label: string) => isScoreName(label.replace(/^#\d+ /, ''));
  const traces = allTraces.filter((t) => !isScore(t.label));
  const scoreTraces = allTraces.filter((t) => isScore(t.label) && t.steps.length > 0);
  const scoreNote = viewed ? viewed.scoreNote : run?.scoreNote;
  const diagnoses = viewed ? viewed.diagnoses : (run?.diagnoses ?? []);
  // Monitors (a discriminator's mean output) go on the 0..1 axis: known from the graph each run trained.
  const probabilities = new Set([
    ...(viewed ? monitorNames(viewed.graph) : (run?.monitors ?? [])),
    ...(overlay ? monitorNames(overlay.graph).map((name) => `#${overlay.number} ${name}`) : []),
  ]);
  const dashed = new Set(overlaySeries ? overlaySeries.traces(`#${overlay!.number} `).map((t) => t.label) : []);
  const pictures = viewed
    ? { samples: storedPictures(viewed, 'samples'), reconstructions: storedPictures(viewed, 'reconstructions') }
    : (run?.pictures ?? { samples: [], reconstructions: [] });

  const open = (id: string) => loadRun(id).then(setOpened, (e: Error) => onMessage(e.message));
  const overlayRun = (id: string | undefined) => (id ? loadRun(id).then(setOverlay, (e: Error) => onMessage(e.message)) : setOverlay(undefined));
  /** Trains on from a checkpoint: to the run's own end, or `more` iterations past the checkpoint. */
  const resume = async (source: RunDetail, checkpointId: string, more?: number) => {
    try {
      const checkpoint = await loadCheckpoint(checkpointId);
      setOpened(undefined);
      const settings = more ? { ...source.settings, iterations: checkpoint.manifest.iteration + more } : source.settings;
      start(source.graph, settings, backend, { checkpoint, id: checkpointId });
    } catch (e) {
      onMessage(`Cannot resume: ${(e as Error).message}`);
    }
  };
  const sampleFrom = async (source: RunDetail, checkpointId: string) => {
    try {
      const checkpoint = await loadCheckpoint(checkpointId);
      setOpened(undefined);
      inspect(source.graph, checkpoint, backend);
    } catch (e) {
      onMessage(`Cannot load the checkpoint: ${(e as Error).message}`);
    }
  };

  const remaining = run && run.itPerSec > 0 ? (run.total - run.iteration) / run.itPerSec : NaN;
  const probe = run?.probes?.find((p) => p.name === run.backend);
  const lastCheckpoint = viewed?.checkpoints.at(-1);

  return (
    <section className="training" aria-label="Training">
      <div className="training-controls">
        <SettingsForm doc={doc} disabled={active} onChange={onChange} />
        <div className="buttons">
          {!active && (
            <button className="primary" disabled={!!blocker} onClick={() => parsed.success && (setOpened(undefined), start(doc, parsed.data, backend))}>
              Train
            </button>
          )}
          {run?.status === 'running' && <button onClick={() => command({ type: 'pause' })}>Pause</button>}
          {run?.status === 'paused' && (
            <>
              <button onClick={() => command({ type: 'resume' })}>Resume</button>
              <button onClick={() => command({ type: 'step' })}>Step</button>
            </>
          )}
          {active && run?.status !== 'preparing' && (
            <button className="danger" onClick={() => command({ type: 'stop' })}>
              Stop
            </button>
          )}
        </div>
        {blocker && !active && (
          <p className="error" role="alert" aria-label="Cannot train">
            {blocker}
          </p>
        )}
        {run && !viewed && (
          <div className="progress" aria-label="Progress">
            <progress max={run.total} value={run.iteration} />
            <span data-testid="run-state" data-status={run.status} data-backend={run.backend ?? ''} data-iteration={run.iteration}>
              {run.number ? `Run #${run.number} · ` : ''}
              {run.status === 'preparing' ? `preparing (${run.preparing ?? 'loading the data, starting the backend'})…` : run.status} · iteration{' '}
              {run.iteration.toLocaleString()} / {run.total.toLocaleString()} ·{' '}
              <span data-testid="run-speed">{speedLabel({ ...run, active: run.status !== 'preparing' && active })}</span> ·{' '}
              {active ? `${duration(remaining)} left` : `${duration(run.seconds)} trained`}
            </span>
            {run.backend && (
              <span className="backend" title={run.auto?.why ?? run.probes?.map((p) => `${p.name}: ${p.note ?? (p.available ? 'available' : 'unavailable')}`).join('\n')}>
                Backend: <strong data-testid="backend">{run.backend}</strong>
                {probe?.note ? ` (${probe.note})` : ''}
                {run.auto && (
                  <span className="muted" data-testid="auto-backend" data-cached={run.auto.cached}>
                    {' '}
                    · Auto ({run.auto.cached ? `measured ${new Date(run.auto.at).toLocaleDateString()}` : 'measured now'})
                  </span>
                )}
              </span>
            )}
            {run.sampling && (
              <span className="sampling" data-testid="sampling" aria-live="polite">
                {run.sampling.what === 'samples' ? 'Sampling the grid' : 'Sampling for the scores'}{' '}
                <progress max={1} value={run.sampling.fraction} aria-label="Sampling" /> {Math.round(100 * run.sampling.fraction)}%
              </span>
            )}
            {run.message && (
              <p className={run.status === 'diverged' || run.status === 'failed' ? 'error' : 'muted'} role={run.status === 'diverged' || run.status === 'failed' ? 'alert' : undefined}>
                {run.message}
              </p>
            )}
          </div>
        )}
        {viewed && (
          <div className="progress">
            <span data-testid="viewed-run" data-status={viewed.status}>
              Viewing run #{viewed.number} ({viewed.status}, {viewed.iteration.toLocaleString()} iterations on {viewed.backend}
              {viewed.averageItPerSec !== null && `, ${speedLabel({ ...viewed, active: false })}`}){' '}
              <button onClick={() => setOpened(undefined)}>Close</button>
            </span>
            {viewed.message && <p className="muted">{viewed.message}</p>}
            {viewed.status === 'interrupted' && (
              <p className="resume-interrupted">
                {lastCheckpoint && lastCheckpoint.iteration < viewed.settings.iterations ? (
                  <button className="primary" onClick={() => resume(viewed, lastCheckpoint.id)}>
                    Resume from iteration {lastCheckpoint.iteration.toLocaleString()}
                  </button>
                ) : (
                  <span className="muted">No checkpoint was saved before the page closed: train it again.</span>
                )}
              </p>
            )}
            <ul className="checkpoints" aria-label="Checkpoints">
              {viewed.checkpoints.map((c, i) => (
                <li key={c.id}>
                  Checkpoint at {c.iteration.toLocaleString()} <a href={`/api/checkpoints/${c.id}`}>Download</a>{' '}
                  {c.iteration < viewed.settings.iterations && <button onClick={() => resume(viewed, c.id)}>Resume</button>}{' '}
                  <button onClick={() => sampleFrom(viewed, c.id)}>Sample</button>{' '}
                  <OnnxDownload runId={viewed.id} checkpointId={c.id} networks={viewed.graph.networks.filter((n) => !n.block)} />
                  {i === viewed.checkpoints.length - 1 && (
                    <form
                      className="continue"
                      onSubmit={(e) => {
                        e.preventDefault();
                        const more = Number(new FormData(e.currentTarget).get('more'));
                        if (Number.isInteger(more) && more > 0) void resume(viewed, c.id, more);
                      }}
                    >
                      <button type="submit">Continue</button> for{' '}
                      <input name="more" type="number" min={1} defaultValue={viewed.settings.iterations - viewed.startIteration || 1000} aria-label="More iterations" /> more
                      iterations
                    </form>
                  )}
                </li>
              ))}
              {viewed.checkpoints.length === 0 && <li className="muted">No checkpoints.</li>}
            </ul>
          </div>
        )}
        <h4>Schedule</h4>
        <ScheduleEditor doc={doc} analysis={analysis} disabled={active} onChange={onChange} onMessage={onMessage} />
        <h4>Pictures</h4>
        <PreviewPicker doc={doc} analysis={analysis} disabled={active} onChange={onChange} />
        <h4>Runs</h4>
        <RunHistory
          projectId={projectId}
          refresh={refresh}
          opened={opened?.id}
          overlaid={overlay?.id}
          live={run?.id ? { id: run.id, status: run.status, iteration: run.iteration, total: run.total, speed: speedLabel({ ...run, active }) } : undefined}
          onOpen={open}
          onOverlay={overlayRun}
        />
      </div>
      <div className="training-chart">
        {/* Above the curves they explain, in the wide column: what went wrong, what it means, what to change. */}
        {diagnoses.length > 0 && (
          <ul className="diagnoses" aria-label="Diagnoses">
            {diagnoses.map((d) => (
              <li key={d.id} role="alert" data-diagnosis={d.id}>
                <p>
                  <strong>{d.title}</strong> at iteration {d.step.toLocaleString()}: {d.evidence}. {d.meaning}
                </p>
                <p className="remedy">{d.remedy}</p>
              </li>
            ))}
          </ul>
        )}
        <label className="log-toggle">
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> Log scale
        </label>
        {traces.length > 0 ? (
          // Keyed by what it shows: another run (or overlay) draws a new chart.
          <LossChart
            key={`${viewed?.id ?? 'live'}/${overlay?.id ?? ''}`}
            traces={traces}
            probabilities={probabilities}
            axes={monitorAxes([viewed?.graph ?? doc, ...(overlay ? [overlay.graph] : [])])}
            dashed={dashed}
            log={log}
            version={metricsVersion}
          />
        ) : (
          <p className="muted">Losses appear here as the model trains.</p>
        )}
        {scoreTraces.length > 0 && (
          <div className="quality-chart">
            <LossChart
              key={`quality/${viewed?.id ?? 'live'}/${overlay?.id ?? ''}`}
              name="Quality chart"
              traces={scoreTraces}
              probabilities={new Set(scoreTraces.filter((t) => !t.label.endsWith(SCORE_NAMES.frechet)).map((t) => t.label))}
              axes={QUALITY_AXES}
              dashed={dashed}
              log={false}
              version={metricsVersion}
            />
          </div>
        )}
        {scoreNote && (
          <p className="muted score-note" data-testid="score-note">
            {scoreNote}
          </p>
        )}
      </div>
      <div className="training-pictures">
        {pictures.samples.length === 0 && pictures.reconstructions.length === 0 && <p className="muted">{picturesNote(analysis)}</p>}
        <Pictures title="Samples" pictures={pictures.samples} />
        <Pictures title="Reconstructions: x beside P(Q(x))" pictures={pictures.reconstructions} />
        {run && !viewed && pictures.samples.length > 0 && (
          <div className="interpolation">
            <label>
              From sample <input type="number" min={1} max={previewCount} value={blend.from} onChange={(e) => setBlend((b) => ({ ...b, from: Number(e.target.value) }))} />
            </label>
            <label>
              to <input type="number" min={1} max={previewCount} value={blend.to} onChange={(e) => setBlend((b) => ({ ...b, to: Number(e.target.value) }))} />
            </label>
            <button
              disabled={!(blend.from >= 1 && blend.from <= previewCount && blend.to >= 1 && blend.to <= previewCount)}
              onClick={() => command({ type: 'interpolate', from: blend.from - 1, to: blend.to - 1 })}
            >
              Interpolate
            </button>
            {/* eslint-disable-next-line @next/next/no-img-element */}
            {run.interpolation && <img src={run.interpolation} alt="Latent interpolation" />}
          </div>
        )}
      </div>
    </section>
  );
}
