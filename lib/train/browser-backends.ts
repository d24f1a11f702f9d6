import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice, BackendProbe, BrowserBackend } from './protocol';
import { BROWSER_BACKENDS } from './protocol';

/**
 * Backend selection in the browser worker. tfjs silently falls back when a
 * backend fails to initialise, so every choice is checked against
 * tf.getBackend(). "auto" measures instead of assuming: a software WebGPU
 * adapter (SwiftShader) is correct but far slower than WASM.
 */
export const WASM_PATH = '/api/tfjs-wasm/';
setWasmPaths(WASM_PATH);
serveThreadFactoryUnbundled();

/**
 * tfjs starts each WASM thread from a Blob holding its Emscripten factory's
 * source (`factory.toString()`). Bundled, that source refers to the bundle's
 * own variables (its `process` shim) and fails in the thread with "a is not
 * defined". Threads load the factory file as published instead.
 */
function serveThreadFactoryUnbundled() {
  const prefix = 'var WasmBackendModuleThreadedSimd = ';
  const NativeBlob = globalThis.Blob;
  if (!NativeBlob) return;
  globalThis.Blob = class extends NativeBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      const first = parts?.[0];
      const factory = parts?.length === 1 && typeof first === 'string' && first.startsWith(prefix);
      super(factory ? [`importScripts(${JSON.stringify(new URL(`${WASM_PATH}tfjs-backend-wasm-threaded-simd.js`, location.href).href)});`] : parts, options);
    }
  };
}

async function note(name: BrowserBackend): Promise<string | undefined> {
  if (name === 'webgpu') {
    // `info` is newer than the bundled WebGPU typings.
    const adapter = (await navigator.gpu?.requestAdapter()) as { info?: { isFallbackAdapter?: boolean; vendor?: string } } | null;
    return adapter?.info?.isFallbackAdapter ? 'software adapter' : adapter?.info?.vendor || undefined;
  }
  if (name === 'wasm') return globalThis.crossOriginIsolated ? 'SIMD, threads' : 'SIMD, no threads (page not cross-origin isolated)';
  return undefined;
}

export async function activate(name: BrowserBackend): Promise<boolean> {
  try {
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * Milliseconds per training step of a small MLP (784-128-1, batch 128): the
 * shape of the seeds' models. Reads the loss asynchronously, as training
 * does: a synchronous read on WebGPU in a worker returns at once with wrong
 * values (and would make WebGPU look fastest).
 */
async function measure(): Promise<number> {
  const x = tf.randomUniform([128, 784]);
  const w1 = tf.variable(tf.randomNormal([784, 128], 0, 0.05));
  const w2 = tf.variable(tf.randomNormal([128, 1], 0, 0.05));
  const step = async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.sigmoid(tf.matMul(tf.relu(tf.matMul(x, w1)), w2))) as tf.Scalar, [w1, w2]);
      w1.assign(tf.sub(w1, tf.mul(grads[w1.name]!, 0.01)));
      w2.assign(tf.sub(w2, tf.mul(grads[w2.name]!, 0.01)));
      return value;
    });
    await loss.data();
    loss.dispose();
  };
  try {
    await step(); // warm-up: shader compilation, wasm instantiation
    const start = performance.now();
    let steps = 0;
    while (steps < 5 && performance.now() - start < 1500) {
      await step();
      steps += 1;
    }
    return (performance.now() - start) / steps;
  } finally {
    [x, w1, w2].forEach((t) => t.dispose());
  }
}

let probed: Promise<BackendProbe[]> | undefined;

/** Initialises and times every backend once per worker. */
export function probeBackends(): Promise<BackendProbe[]> {
  probed ??= (async () => {
    const probes: BackendProbe[] = [];
    for (const name of BROWSER_BACKENDS) {
      const available = await activate(name);
      probes.push(available ? { name, available, note: await note(name), msPerStep: await measure() } : { name, available });
    }
    return probes;
  })();
  return probed;
}

/** Activates the chosen backend (auto: the fastest measured) and says which is in use. */
export async function selectBackend(choice: BackendChoice): Promise<{ backend: BrowserBackend; probes: BackendProbe[] }> {
  if (choice !== 'auto') {
    if (!(await activate(choice))) throw new Error(`The ${choice} backend is not available in this browser`);
    return { backend: choice, probes: [{ name: choice, available: true, note: await note(choice) }] };
  }
  const probes = await probeBackends();
  const ranked = probes.filter((p) => p.available).sort((a, b) => a.msPerStep! - b.msPerStep!);
  for (const probe of ranked) if (await activate(probe.name)) return { backend: probe.name, probes };
  throw new Error('No tfjs backend could be initialised in this browser');
}

export { tf };
