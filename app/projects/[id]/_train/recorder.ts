import type { EncodedCheckpoint } from '@/lib/train/checkpoint';
import { MAX_PICTURES_PER_RUN, MAX_POINTS_PER_REPORT, reportChunk, storablePoint, thinPoints, type MetricPoint, type Picture, type RunSettings, type RunStatus } from '@/lib/train/protocol';
import type { GraphDoc } from '@/lib/graph/schema';
import { jsonBody, requestJson, saveCheckpoint } from './api';
import type { Diagnosis } from '@/lib/runtime/diagnostics';
import { isScoreName } from '@/lib/runtime/scores';
import { leaveReport } from '@/lib/train/leave-report';

/** How often the page reports to the server while a run is live (also its heartbeat). */
const REPORT_MS = 2000;

/**
 * Persists a live run: creates it, then reports points, progress and status
 * in order (one request at a time), every REPORT_MS and at each status
 * change; stores pictures and checkpoints as they come. A failed write is
 * reported, and the points it carried are sent again with the next report.
 */
export class RunRecorder {
  private queue: Promise<unknown>;
  /** The run ended on this page and the server does not have it yet. */
  private ending?: { status: RunStatus; message?: string };
  private pending: MetricPoint[] = [];
  /** The latest scores and the diagnoses not yet sent. */
  private scores?: MetricPoint;
  private diagnoses: Diagnosis[] = [];
  private progress = { iteration: 0, itPerSec: 0, seconds: 0 };
  private timer: ReturnType<typeof setInterval>;
  private runId?: string;
  private closed = false;
  /** Sent with every report, so a run marked interrupted while this tab was throttled comes back to life. */
  private current: RunStatus = 'running';

  constructor(
    projectId: string,
    run: { graph: GraphDoc; settings: RunSettings; backend: string; series: string[]; resumedFrom?: string; startIteration: number; scoreNote?: string },
    private onError: (message: string) => void,
    onCreated: (run: { id: string; number: number }) => void,
  ) {
    this.queue = requestJson<{ id: string; number: number }>(`/api/projects/${projectId}/runs`, jsonBody('POST', run)).then(({ id, number }) => {
      this.runId = id;
      onCreated({ id, number });
    });
    this.queue.catch((e: Error) => onError(`The run could not be saved: ${e.message}`));
    this.timer = setInterval(() => this.report(), REPORT_MS);
  }

  /** The run's id, once the server has created it. */
  get id(): string | undefined {
    return this.runId;
  }

  points(logged: MetricPoint[], progress: { iteration: number; itPerSec: number; seconds: number }) {
    const points = logged.map(storablePoint);
    this.pending.push(...points);
    // While the server cannot be reached, the backlog is thinned rather than grown without end.
    if (this.pending.length > 4 * MAX_POINTS_PER_REPORT) this.pending = thinPoints(this.pending, 2 * MAX_POINTS_PER_REPORT);
    this.progress = progress;
    const scored = [...points].reverse().find((p) => Object.keys(p.values).some(isScoreName));
    if (scored) this.scores = { step: scored.step, values: Object.fromEntries(Object.entries(scored.values).filter(([name]) => isScoreName(name))) as Record<string, number> };
  }

  diagnosis(diagnosis: Diagnosis) {
    this.diagnoses.push(diagnosis);
  }

  /**
   * Records a status change; `onSaved` runs once the server has it. The
   * final status of a run is retried a few times: it is the one report that
   * must not be lost.
   */
  status(status: RunStatus, message: string | undefined, onSaved: () => void) {
    this.current = status;
    const ended = status !== 'running' && status !== 'paused';
    if (ended) {
      this.close();
      this.ending = { status, message };
    }
    this.enqueue(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.sendReport(message ? { message } : {});
          if (ended) this.ending = undefined;
          return onSaved();
        } catch (e) {
          if (!ended || attempt >= 4) throw e;
          await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
        }
      }
    });
  }

  picture(kind: 'samples' | 'reconstructions', picture: Picture) {
    // The server keeps MAX_PICTURES_PER_RUN grids of each kind; later ones are shown live but not stored.
    if (picture.index >= MAX_PICTURES_PER_RUN) return;
    this.enqueue(() => requestJson(`/api/runs/${this.runId}/pictures/${kind}/${picture.index}?step=${picture.step}`, { method: 'PUT', body: picture.png }));
  }

  checkpoint(checkpoint: EncodedCheckpoint, onSaved: (saved: { id: string; iteration: number }) => void) {
    this.enqueue(async () => onSaved(await saveCheckpoint(this.runId!, checkpoint)));
  }

  /**
   * The worker is gone (the tab closes, the editor unmounts, a new run
   * starts): a live run is marked interrupted by a beacon, which outlives the
   * page and carries the points not yet reported (as many as a beacon holds),
   * so the chart reopens as far as the page had drawn it.
   */
  dispose() {
    // Live, or ended here with the ending still queued (behind pictures): the beacon says which.
    if (this.runId && (!this.closed || this.ending)) {
      const url = `/api/runs/${this.runId}/interrupt`;
      const { body, carried } = leaveReport({ ...this.progress, scores: this.scores, diagnoses: this.diagnoses, ...this.ending }, this.pending);
      // A string goes as text/plain, a type a beacon may carry; refused (the browser's beacon quota is spent), the bare interrupt still goes.
      if (navigator.sendBeacon(url, body)) this.pending = this.pending.slice(carried);
      else navigator.sendBeacon(url);
    }
    this.close();
  }

  /** Reports now rather than at the next tick (the page is being hidden: its timers may soon be throttled). */
  report() {
    if (!this.closed) this.enqueue(() => this.sendReport());
  }

  /** Sends the points gathered so far with the progress and status; on failure they wait for the next report. */
  private async sendReport(extra: { message?: string } = {}) {
    const points = reportChunk(this.pending);
    this.pending = this.pending.slice(points.length);
    const diagnoses = this.diagnoses.splice(0);
    try {
      await requestJson(`/api/runs/${this.runId}`, jsonBody('PATCH', { ...this.progress, points, status: this.current, scores: this.scores, diagnoses, ...extra }));
    } catch (e) {
      this.pending.unshift(...points);
      this.diagnoses.unshift(...diagnoses);
      throw e;
    }
  }

  private enqueue(write: () => Promise<unknown>) {
    this.queue = this.queue.then(() => (this.runId ? write() : undefined)).catch((e: Error) => this.onError(`Saving the run failed: ${e.message}`));
  }

  /** No more reports from the timer; writes already queued still go out. */
  private close() {
    this.closed = true;
    clearInterval(this.timer);
  }
}
