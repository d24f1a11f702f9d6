import { compile, type Progress, type TrainingProgram } from '../compile/program';
import type { GraphDoc } from '../graph/schema';
import { decodeCheckpoint, encodeCheckpoint, type EncodedCheckpoint } from '../runtime/checkpoint';
import type { DataProvider } from '../runtime/dataset';
import { imageGrid, pairs, type Picture } from '../runtime/grid';
import { DivergedError, TrainingLoop } from '../runtime/loop';
import type { TF } from '../runtime/ops';
import type { Classifier } from '../runtime/classifier';
import { Diagnostician, type Diagnosis } from '../runtime/diagnostics';
import { scoreNamesFor, scoreValues } from '../runtime/scores';
import { createScorer, type RunScorer, type ScorerResult } from '../compile/scoring';
import type { BackendChoice, BackendProbe, BrowserBackend, MetricPoint, RunSettings, RunStatus, SamplingWork, TrainCommand, TrainEvent } from './protocol';
import { checkpointInterval } from './checkpoint-interval';

/** What the session needs from where it runs (the browser worker, or a test in Node). */
export interface SessionHost {
  post(event: TrainEvent): void;
  selectBackend(choice: BackendChoice): Promise<{ tf: TF; backend: BrowserBackend; probes: BackendProbe[] }>;
  data: DataProvider;
  png(image: Picture): Promise<Blob>;
  /** The bundled MNIST classifier, for quality scores of MNIST-like samples. */
  classifier(): Promise<Classifier>;
  /** Stores a checkpoint with the run `runId` (the `checkpoint` command: the page may be going). */
  saveCheckpoint(runId: string, checkpoint: EncodedCheckpoint): Promise<{ id: string; iteration: number }>;
}

/** Steps run back to back for this long (seconds) before the session looks at its messages. */
const SLICE_SECONDS = 0.04;
/** Losses reach the page at most this often. */
const PROGRESS_MS = 250;
/** The least time between two reports of a sampler's progress. */
const SAMPLING_MS = 250;

interface Run {
  program: TrainingProgram;
  /** The runtime's loop over the program: the session runs it in slices. */
  loop: TrainingLoop;
  doc: GraphDoc;
  settings: RunSettings;
  /** Seconds of training between checkpoints: the start command's, longer for large checkpoints (checkpoint-interval.ts). */
  checkpointEvery: number;
  checkpointSeconds: number;
  /** The iteration of the last checkpoint made. */
  lastCheckpointIteration?: number;
  points: MetricPoint[];
  scorer?: RunScorer;
  diagnostician: Diagnostician;
  lastCheckpointAt: number;
  window: { steps: number; seconds: number; itPerSec: number };
}

/** Lets queued messages (pause, stop) in. A MessageChannel, not setTimeout: nested timeouts are clamped to 4 ms. */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}

/**
 * One training run at a time, driven by commands: start, pause, resume, step,
 * stop. Runs steps in short slices so pause and stop take effect at once,
 * sends losses in batches, pictures every `sampleEvery` iterations (before the
 * step, as the seeds save them) and checkpoints every `checkpointSeconds` of
 * training (longer for large checkpoints), whenever the run pauses or ends,
 * and when the page asks (it is being left or hidden). A NaN or infinite loss ends
 * the run without a checkpoint: the last good one stays.
 */
export class TrainingSession {
  private run?: Run;
  private status: RunStatus | 'idle' = 'idle';
  private tf?: TF;
  /** Changes at every start, so a loop left over from an earlier run stops. */
  private generation = 0;
  private lastProgress = 0;
  /** The running loop; pause and stop are requests it honours between iterations, so a step is never cut in half. */
  private looping?: Promise<void>;
  private requested?: 'paused' | 'stopped';
  /** A checkpoint asked for by the page (it is being left or hidden), for the run with this id; made between iterations. */
  private urgent?: string;

  constructor(private host: SessionHost) {}

  /**
   * Commands run one after another (two quick Steps never run one iteration
   * twice), except pause and stop, which are requests the running loop
   * honours between iterations. Resolves when the command's work is done
   * (for start and resume: when the loop ends).
   */
  handle(command: TrainCommand): Promise<void> {
    switch (command.type) {
      case 'pause':
        if (this.status === 'running') this.requested = 'paused';
        return this.looping ?? Promise.resolve();
      case 'stop':
        if (this.status === 'running') {
          this.requested = 'stopped';
          return this.looping ?? Promise.resolve();
        }
        return this.enqueue(async () => {
          // An earlier command (resume) may have restarted the loop: then stop is a request to it.
          if (this.status === 'running') {
            this.requested = 'stopped';
            return await this.looping;
          }
          await this.looping; // a pause still winding down
          if (this.status === 'paused') await this.settle('stopped');
        });
      case 'start':
        return this.enqueue(() => this.start(command)).then(() => this.looping);
      case 'resume':
        return this.enqueue(async () => {
          if (this.status !== 'paused') return;
          await this.looping;
          this.setStatus('running');
          this.startLoop();
        }).then(() => this.looping);
      case 'step':
        return this.enqueue(async () => {
          if (this.status !== 'paused') return;
          await this.looping;
          const outcome = await this.advance({ iterations: 1 });
          if (outcome === 'completed') return await this.settle('completed');
          if (outcome === 'continue') await this.flush(true);
        });
      case 'checkpoint':
        if (this.status === 'running') {
          this.urgent = command.runId;
          return Promise.resolve();
        }
        // Otherwise once the command before it is done (a start: then the loop makes it), unless a pause's checkpoint holds this iteration already.
        return this.enqueue(async () => {
          if (this.status === 'running') {
            this.urgent = command.runId;
            return;
          }
          await this.looping; // a pause winding down
          if (this.status === 'paused' && this.run?.lastCheckpointIteration !== this.run?.program.iteration) await this.saveNow(command.runId);
        });
      case 'inspect':
        return this.enqueue(() => this.inspect(command.doc, command.checkpoint, command.backend));
      case 'interpolate':
        return this.enqueue(async () => {
          try {
            const images = await this.run?.program.interpolation(command.from, command.to);
            if (images) this.host.post({ type: 'interpolation', png: await this.host.png(imageGrid(images, this.run!.program.previewLayout.columns)) });
          } catch (error) {
            // A preview that cannot be drawn says so; the run goes on.
            this.host.post({ type: 'notice', message: `Interpolation: ${error instanceof Error ? error.message : String(error)}` });
          }
        });
    }
  }

  private queue: Promise<void> = Promise.resolve();

  private enqueue(work: () => Promise<void>): Promise<void> {
    const done = this.queue.then(work).catch((error: unknown) => this.fail(error));
    this.queue = done;
    return done;
  }

  private async prepare(doc: GraphDoc, settings: RunSettings, choice: BackendChoice) {
    this.generation += 1;
    this.urgent = undefined;
    this.run?.scorer?.dispose();
    this.run?.program.dispose();
    this.run = undefined;
    const { tf, backend, probes } = await this.host.selectBackend(choice);
    this.tf = tf;
    this.host.post({ type: 'backend', backend, probes });
    return compile(doc, { tf, data: this.host.data, seed: settings.seed, batchSize: settings.batchSize });
  }

  private async start(command: Extract<TrainCommand, { type: 'start' }>) {
    const { doc, settings, resume } = command;
    const program = await this.prepare(doc, settings, command.backend);
    if (resume) this.restore(program, resume);
    const scoring = await this.scorer(program, settings);
    this.run = this.newRun(program, doc, settings, command.checkpointSeconds, scoring.ok ? scoring.scorer : undefined);
    this.host.post({
      type: 'started',
      lossNames: [...program.lossNames],
      monitorNames: [...program.monitorNames],
      scoreNames: scoring.ok ? scoreNamesFor(scoring.scorer.features) : [],
      scoreNote: scoring.ok ? scoring.scorer.note : scoring.reason,
      iteration: program.iteration,
      total: settings.iterations,
    });
    this.setStatus('running');
    this.startLoop();
  }

  private async inspect(doc: GraphDoc, checkpoint: EncodedCheckpoint, choice: BackendChoice) {
    const settings = { ...doc.training, iterations: checkpoint.manifest.iteration };
    const program = await this.prepare(doc, settings, choice);
    this.restore(program, checkpoint);
    this.run = this.newRun(program, doc, settings, Infinity);
    await this.pictures(program.iteration);
  }

  /** The run's scorer, when it scores (or why it cannot: said in the panel). A scorer that fails to load does not stop training. */
  private async scorer(program: TrainingProgram, settings: RunSettings): Promise<ScorerResult> {
    const evaluation = settings.evaluation;
    if (!evaluation || evaluation.every === 0) return { ok: false, reason: 'Quality scores are off (Score every: 0).' };
    try {
      return await createScorer(program, { tf: this.tf!, data: this.host.data, classifier: () => this.host.classifier() }, evaluation.samples);
    } catch (error) {
      return { ok: false, reason: `No quality scores: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  private newRun(program: TrainingProgram, doc: GraphDoc, settings: RunSettings, checkpointSeconds: number, scorer?: RunScorer): Run {
    const points: MetricPoint[] = [];
    const diagnostician = new Diagnostician(program.monitorMeasures);
    const loop = new TrainingLoop(program, {
      iterations: settings.iterations,
      sampleEvery: settings.sampleEvery,
      guard: doc.training.guard,
      onSnapshot: ({ step }) => this.pictures(step),
      onStep: (step, losses) => void points.push({ step, values: losses }),
      evaluateEvery: scorer && settings.evaluation?.every,
      onEvaluate: async (step) => {
        const scores = await scorer!.score(this.sampling('scores'));
        points.push({ step, values: scoreValues(scores) });
        this.diagnose(diagnostician.scores(step, scores));
      },
    });
    return { program, loop, doc, settings, checkpointEvery: checkpointSeconds, checkpointSeconds, points, scorer, diagnostician, lastCheckpointAt: 0, window: { steps: 0, seconds: 0, itPerSec: 0 } };
  }

  private diagnose(found: Diagnosis[]) {
    for (const diagnosis of found) this.host.post({ type: 'diagnosis', diagnosis });
  }

  /** Restores a checkpoint into a new program, disposing the program when it does not fit. */
  private restore(program: TrainingProgram, checkpoint: EncodedCheckpoint) {
    const state = decodeCheckpoint(this.tf!, checkpoint);
    try {
      program.restore(state);
    } catch (error) {
      program.dispose();
      throw error;
    } finally {
      state.tensors.forEach((t) => t.dispose());
    }
  }

  private startLoop() {
    this.requested = undefined;
    this.looping = this.loop(this.generation).catch((error: unknown) => this.fail(error));
  }

  private async loop(generation: number) {
    while (generation === this.generation && this.status === 'running') {
      const run = this.run!;
      const outcome = await this.advance({ seconds: SLICE_SECONDS, stop: () => this.requested !== undefined });
      if (outcome === 'completed') return await this.settle('completed');
      if (outcome === 'diverged') return;
      await this.flush(false);
      if (this.requested) return await this.settle(this.requested);
      if (this.urgent) await this.saveNow(this.urgent);
      else if (run.loop.summary().seconds - run.lastCheckpointAt >= run.checkpointEvery) await this.checkpoint();
      await yieldToMessages();
    }
  }

  /** Runs the loop for a slice of the run (the pictures due come with it); a NaN or infinite loss ends the run. */
  private async advance(budget: Parameters<TrainingLoop['run']>[0]): Promise<'continue' | 'completed' | 'diverged'> {
    const run = this.run!;
    const before = run.loop.summary();
    try {
      if (await run.loop.run(budget)) return 'completed';
      return 'continue';
    } catch (error) {
      if (!(error instanceof DivergedError)) throw error;
      await this.flush(true);
      this.setStatus('diverged', `${error.message}. The last good checkpoint is kept.`);
      return 'diverged';
    } finally {
      const after = run.loop.summary();
      const { window } = run;
      run.window = { steps: window.steps + after.steps - before.steps, seconds: window.seconds + after.seconds - before.seconds, itPerSec: window.itPerSec };
    }
  }

  /** Sends the losses gathered since the last call (with the monitors at the latest step). */
  private async flush(force: boolean) {
    const run = this.run;
    if (!run || (!force && performance.now() - this.lastProgress < PROGRESS_MS)) return;
    this.lastProgress = performance.now();
    const last = run.points.at(-1);
    if (last) {
      const monitors = await run.program.monitors();
      Object.assign(last.values, monitors);
      this.diagnose(run.diagnostician.monitors(last.step, monitors));
    }
    if (run.window.seconds > 0.5) run.window = { steps: 0, seconds: 0, itPerSec: run.window.steps / run.window.seconds };
    const itPerSec = run.window.itPerSec || (run.window.seconds > 0 ? run.window.steps / run.window.seconds : 0);
    this.host.post({ type: 'progress', iteration: run.program.iteration, points: run.points.splice(0), itPerSec, seconds: run.loop.summary().seconds });
  }

  private async pictures(step: number) {
    const { program, settings } = this.run!;
    const index = Math.ceil(step / settings.sampleEvery);
    const samples = await program.samples(this.sampling('samples'));
    const reconstructions = await program.reconstructions();
    if (samples) this.host.post({ type: 'picture', kind: 'samples', picture: { png: await this.host.png(imageGrid(samples, program.previewLayout.columns)), step, index } });
    if (reconstructions) {
      const png = await this.host.png(imageGrid(pairs(reconstructions.inputs, reconstructions.outputs), 2 * program.previewLayout.columns));
      this.host.post({ type: 'picture', kind: 'reconstructions', picture: { png, step, index } });
    }
  }

  /** Reports how far a sampler has got, at most every SAMPLING_MS, and when it is done. */
  private sampling(what: SamplingWork): Progress {
    let last = performance.now();
    return (fraction) => {
      if (fraction < 1 && performance.now() - last < SAMPLING_MS) return;
      last = performance.now();
      this.host.post({ type: 'sampling', what, fraction });
    };
  }

  private async checkpoint() {
    this.host.post({ type: 'checkpoint', checkpoint: await this.encode() });
  }

  /**
   * The checkpoint the page asked for, saved by this worker: the page's own
   * thread may be held by the leave warning. Training goes on while it uploads.
   */
  private async saveNow(runId: string) {
    this.urgent = undefined;
    const checkpoint = await this.encode();
    this.host.saveCheckpoint(runId, checkpoint).then(
      (saved) => this.host.post({ type: 'checkpoint-saved', ...saved }),
      (error: unknown) => this.host.post({ type: 'notice', message: `The checkpoint could not be saved: ${error instanceof Error ? error.message : String(error)}` }),
    );
  }

  /** Encodes the weights and optimizer state as they are between iterations, and times the next periodic checkpoint from its cost. */
  private async encode(): Promise<EncodedCheckpoint> {
    const run = this.run!;
    run.lastCheckpointAt = run.loop.summary().seconds;
    const started = performance.now();
    const checkpoint = await encodeCheckpoint(this.tf!, run.doc.name, run.program.state());
    run.lastCheckpointIteration = checkpoint.manifest.iteration;
    run.checkpointEvery = checkpointInterval(run.checkpointSeconds, { bytes: checkpoint.weights.byteLength, encodeSeconds: (performance.now() - started) / 1000 });
    return checkpoint;
  }

  /** Ends (or pauses) the run: the losses so far, a checkpoint, then the status (the loop took the final pictures of a completed run). */
  private async settle(status: 'paused' | 'stopped' | 'completed') {
    this.status = status;
    await this.flush(true);
    await this.checkpoint();
    this.setStatus(status);
  }

  private setStatus(status: RunStatus, message?: string) {
    this.status = status;
    this.host.post({ type: 'status', status, message, iteration: this.run?.program.iteration ?? 0 });
  }

  private fail(error: unknown) {
    this.generation += 1;
    const message = error instanceof Error ? error.message : String(error);
    this.setStatus('failed', message);
  }
}
