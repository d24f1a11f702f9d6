import { compile, type TrainingProgram } from '@/lib/compile/program';
import { fetchData } from '@/lib/data/fetch';
import { activate, describeBackend, tf } from '@/lib/train/browser-backends';
import type { ProbeReport, ProbeRequest } from '@/lib/train/probe-runner';
import { timeSteps } from '@/lib/train/probe-steps';
import type { BackendProbe, BrowserBackend } from '@/lib/train/protocol';

/**
 * Auto's probe worker: compiles the model to train on each backend asked for
 * and times a few of its steps. Its own worker, so that the page can end it
 * when a backend overruns its budget (lib/train/probe-runner.ts).
 */
const scope = self as unknown as { postMessage(report: ProbeReport): void; onmessage: ((e: MessageEvent<ProbeRequest>) => void) | null };
const data = fetchData();

async function probe(name: BrowserBackend, { doc, batchSize, seed }: ProbeRequest): Promise<BackendProbe> {
  if (!(await activate(name))) return { name, available: false };
  const { note, software } = await describeBackend(name);
  if (software) return { name, available: true, note, reason: `${note}: slower than WASM, not measured` };
  let program: TrainingProgram | undefined;
  try {
    const started = performance.now();
    program = await compile(doc, { tf, data, seed, batchSize });
    const compiled = performance.now() - started;
    const trained = program;
    const timing = await timeSteps(() => trained.stepAsync());
    return { name, available: true, note, msPerStep: timing.msPerStep, warmUpMs: compiled + timing.warmUpMs };
  } catch (error) {
    return { name, available: true, note, reason: `could not train the model: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    program?.dispose();
  }
}

scope.onmessage = async (e) => {
  for (const name of e.data.backends) {
    scope.postMessage({ type: 'begin', name });
    scope.postMessage({ type: 'result', probe: await probe(name, e.data) });
  }
};
