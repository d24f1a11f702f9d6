import { z } from 'zod';
import { BROWSER_BACKENDS, type BackendProbe, type BrowserBackend } from './protocol';

/**
 * Auto's choice of backend from what a short probe measured (lib/train/
 * probe-runner.ts), and the choice as it is kept per browser. WASM is the
 * baseline: another backend is taken only when it trained the model clearly
 * faster, after starting within the probe's budget, so Auto is never slower
 * than WASM (a GPU backend that spends a minute compiling its kernels, or
 * runs each small kernel with more overhead than it saves, loses).
 */

/** Another backend must take at most this share of the baseline's time per step: noise, and a longer start, must not flip the choice. */
export const FASTER_THAN_BASELINE = 0.8;

/** A choice is measured again after this long (drivers and browsers change under the same user agent). */
export const CHOICE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/** No backend could be initialised: nothing can train here. */
export class NoBackendError extends Error {
  constructor(readonly probes: readonly BackendProbe[]) {
    super(`No tfjs backend could be initialised in this browser (${probes.map(describeProbe).join('; ') || 'none tried'})`);
  }
}

const measured = (probe: BackendProbe): probe is BackendProbe & { msPerStep: number } =>
  probe.available && probe.msPerStep !== undefined && Number.isFinite(probe.msPerStep) && probe.msPerStep > 0;

/** `webgl: 41.2 ms/step`, `webgpu: not measured (software adapter)`, `cpu: unavailable`. */
export function describeProbe(probe: BackendProbe): string {
  if (measured(probe)) return `${probe.name}: ${probe.msPerStep.toFixed(1)} ms/step`;
  if (!probe.available) return `${probe.name}: unavailable${probe.reason ? ` (${probe.reason})` : ''}`;
  return `${probe.name}: not used (${probe.reason ?? 'not measured'})`;
}

export interface BackendChoice {
  backend: BrowserBackend;
  /** Why, in words: what each backend measured. */
  why: string;
}

/** The backend to train on: the baseline (WASM, else CPU) unless another measured clearly faster. */
export function chooseBackend(probes: readonly BackendProbe[]): BackendChoice {
  const baseline = probes.find((p) => p.name === 'wasm' && p.available) ?? probes.find((p) => p.name === 'cpu' && p.available);
  const baselineMs = baseline && measured(baseline) ? baseline.msPerStep : Infinity;
  const faster = probes
    .filter(measured)
    .filter((p) => p !== baseline && p.msPerStep < baselineMs * FASTER_THAN_BASELINE)
    .sort((a, b) => a.msPerStep - b.msPerStep);
  const chosen = faster[0] ?? baseline ?? probes.filter(measured).sort((a, b) => a.msPerStep - b.msPerStep)[0] ?? probes.find((p) => p.available);
  if (!chosen) throw new NoBackendError(probes);
  return { backend: chosen.name, why: probes.map(describeProbe).join('; ') };
}

/** Names a software renderer (WebGPU's or WebGL's): correct, but far slower than WASM, so not worth the probe's seconds. */
export function isSoftwareRenderer(description: string): boolean {
  return /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i.test(description);
}

/** What a choice is kept under: the browser, the GPU and the threads WASM may use. A new browser version or GPU measures again. */
export function deviceKey({ userAgent, gpu, threads }: { userAgent: string; gpu: string; threads: number }): string {
  return `${userAgent} | ${gpu || 'no GPU named'} | ${threads} threads`;
}

const ProbeSchema = z.object({
  name: z.enum(BROWSER_BACKENDS as [BrowserBackend, ...BrowserBackend[]]),
  available: z.boolean(),
  note: z.string().max(500).optional(),
  msPerStep: z.number().positive().optional(),
  warmUpMs: z.number().min(0).optional(),
  reason: z.string().max(500).optional(),
});

const CachedSchema = z.object({
  device: z.string().max(2000),
  backend: z.enum(BROWSER_BACKENDS as [BrowserBackend, ...BrowserBackend[]]),
  why: z.string().max(2000),
  probes: z.array(ProbeSchema).max(BROWSER_BACKENDS.length),
  at: z.number(),
});
export type CachedChoice = z.infer<typeof CachedSchema>;

/** The kept choice, when it is this device's and recent; anything else stored (another device, old, malformed) counts as none. */
export function readCachedChoice(raw: string | null, device: string, now: number): CachedChoice | undefined {
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const entry = CachedSchema.safeParse(parsed);
  if (!entry.success || entry.data.device !== device) return undefined;
  const age = now - entry.data.at;
  return age >= 0 && age < CHOICE_MAX_AGE_MS ? entry.data : undefined;
}

/** A choice to keep, as stored. */
export const storedChoice = (device: string, choice: BackendChoice, probes: readonly BackendProbe[], now: number): string =>
  JSON.stringify({ device, ...choice, probes: [...probes], at: now } satisfies CachedChoice);
