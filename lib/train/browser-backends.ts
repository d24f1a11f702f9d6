import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendChoice, BackendProbe, BrowserBackend } from './protocol';
import { isSoftwareRenderer } from './backend-choice';

/**
 * Backend selection in the browser worker. tfjs silently falls back when a
 * backend fails to initialise, so every choice is checked against
 * tf.getBackend().
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

/**
 * What the active backend runs on, for the panel, and whether it is a
 * software renderer (SwiftShader, llvmpipe): correct, but far slower than
 * WASM, so Auto's probe does not spend its seconds on one.
 */
export async function describeBackend(name: BrowserBackend): Promise<{ note?: string; software: boolean }> {
  if (name === 'webgpu') {
    // `info` is newer than the bundled WebGPU typings.
    const adapter = (await navigator.gpu?.requestAdapter()) as { info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string; description?: string } } | null;
    const info = adapter?.info;
    const named = [info?.vendor, info?.architecture, info?.description].filter(Boolean).join(' ');
    const software = !!info?.isFallbackAdapter || isSoftwareRenderer(named);
    return { note: software ? 'software adapter' : info?.vendor || undefined, software };
  }
  if (name === 'webgl') {
    // The renderer tfjs itself draws with (the backend is active).
    const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
    const info = gl?.getExtension('WEBGL_debug_renderer_info');
    const renderer = gl ? String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '') : '';
    const software = isSoftwareRenderer(renderer);
    return { note: software ? 'software renderer' : undefined, software };
  }
  if (name === 'wasm') return { note: globalThis.crossOriginIsolated ? 'SIMD, threads' : 'SIMD, no threads (page not cross-origin isolated)', software: false };
  return { software: false };
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
 * Activates the chosen backend and says which is in use. The page resolves
 * "auto" with its probe (probe-runner.ts) before it starts a run; a bare
 * "auto" here takes the baseline, WASM (else CPU), never a slower guess.
 */
export async function selectBackend(choice: BackendChoice): Promise<{ backend: BrowserBackend; probes: BackendProbe[] }> {
  const candidates: BrowserBackend[] = choice === 'auto' ? ['wasm', 'cpu'] : [choice];
  for (const name of candidates) {
    if (await activate(name)) return { backend: name, probes: [{ name, available: true, note: (await describeBackend(name)).note }] };
  }
  throw new Error(choice === 'auto' ? 'No tfjs backend could be initialised in this browser' : `The ${choice} backend is not available in this browser`);
}

export { tf };
