import { tmpdir } from 'node:os';
import * as tf from '@tensorflow/tfjs';

/**
 * Picks the fastest tfjs backend this machine has, in this order: WebGPU on
 * a real GPU (the `webgpu` package: Dawn over Vulkan, Metal or D3D12, no CUDA
 * toolkit), TensorFlow's native library through @tensorflow/tfjs-node-gpu
 * (CUDA) or @tensorflow/tfjs-node (CPU), WebAssembly, then plain JavaScript.
 * The GPU and native packages are optional dependencies: where one is missing
 * or cannot start, the next is tried and the reason is kept for the start-up
 * message. `--backend webgpu` also takes a software adapter (Mesa's llvmpipe
 * through Dawn's OpenGL ES backend), for machines without a GPU.
 */
export type BackendChoice = 'auto' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

/** Both packages register the "tensorflow" backend; the GPU one first. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

export interface ChosenBackend {
  name: string;
  /** Why faster backends were passed over, for the start-up message. */
  notes: string[];
}

export async function useBackend(choice: BackendChoice): Promise<ChosenBackend> {
  const notes: string[] = [];
  const only = (name: BackendChoice) => choice === 'auto' || choice === name;
  const unavailable = (name: string) => new Error(`the ${name} backend is not available:\n  ${notes.join('\n  ')}`);
  if (only('webgpu')) {
    const adapter = await webgpuAdapter(choice === 'webgpu');
    if ('name' in adapter) {
      await import('@tensorflow/tfjs-backend-webgpu');
      if (await select('webgpu')) return { name: `webgpu (${adapter.name})`, notes };
      notes.push('webgpu: the backend did not initialise');
    } else notes.push(`webgpu: ${adapter.missing}`);
    if (choice === 'webgpu') throw unavailable('webgpu');
  }
  if (only('tensorflow')) {
    for (const name of NATIVE_PACKAGES) {
      try {
        // A variable specifier: the package may be absent, and type-checking must not require it.
        await import(name);
        if (await select('tensorflow')) return { name: `tensorflow (${name})`, notes };
      } catch (e) {
        notes.push(`${name}: ${firstLine(e)}`);
      }
    }
    if (choice === 'tensorflow') throw unavailable('TensorFlow');
  }
  if (only('wasm')) {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      if (await select('wasm')) return { name: 'wasm', notes };
      notes.push('wasm: the backend did not initialise');
    } catch (e) {
      notes.push(`@tensorflow/tfjs-backend-wasm: ${firstLine(e)}`);
    }
    if (choice === 'wasm') throw unavailable('wasm');
  }
  if (await select('cpu')) return { name: 'cpu', notes };
  throw new Error(`no tfjs backend could be started:\n  ${notes.join('\n  ')}`);
}

/** Adapters that are software rendering, however they present themselves. */
const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software|warp/i;

type Found = { name: string } | { missing: string };
/** Dawn's instance lives as long as the process: tfjs's backend keeps its device, so it is made (and kept referenced) once. */
const dawn: { found?: Found; softwareToo?: boolean; gpu?: GPU } = {};

/**
 * A WebGPU adapter from Dawn, installed as `navigator.gpu` for tfjs: its name,
 * or why there is none. Real GPUs first; a software one only when asked.
 */
async function webgpuAdapter(softwareToo: boolean): Promise<Found> {
  if (dawn.found && ('name' in dawn.found || dawn.softwareToo === softwareToo)) return dawn.found;
  dawn.softwareToo = softwareToo;
  dawn.found = await findAdapter(softwareToo);
  return dawn.found;
}

async function findAdapter(softwareToo: boolean): Promise<Found> {
  let webgpu: typeof import('webgpu');
  try {
    webgpu = await import('webgpu');
  } catch (e) {
    return { missing: `the webgpu package did not load (${firstLine(e)})` };
  }
  Object.assign(globalThis, webgpu.globals);
  // Dawn's drivers want a runtime folder even headless.
  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  const describe = (adapter: GPUAdapter) => [adapter.info.vendor, adapter.info.device || adapter.info.description].filter(Boolean).join(' ') || 'unnamed adapter';
  const gpu = webgpu.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  const software = !adapter || adapter.info.isFallbackAdapter || SOFTWARE.test(`${adapter.info.device} ${adapter.info.description}`);
  if (adapter && !software) {
    install(gpu, {});
    return { name: describe(adapter) };
  }
  if (!softwareToo) return { missing: adapter ? `only a software adapter (${describe(adapter)}); --backend webgpu uses it anyway` : 'no GPU adapter (Vulkan, Metal or D3D12)' };
  // No GPU: Mesa's llvmpipe through Dawn's OpenGL ES backend, headless, at WebGPU's compatibility level.
  process.env.EGL_PLATFORM ??= 'surfaceless';
  const opengl = webgpu.create(['backend=opengl']);
  const compatible = { featureLevel: 'compatibility' } as GPURequestAdapterOptions;
  const fallback = await opengl.requestAdapter(compatible).catch(() => null);
  if (!fallback) return { missing: 'no adapter at all (for software rendering install Mesa: libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri)' };
  install(opengl, compatible);
  return { name: `${describe(fallback)}, software` };
}

/** tfjs asks `navigator.gpu` for its adapter; Node has no such object, so it gets Dawn's (with the options this adapter needs). */
function install(gpu: GPU, options: GPURequestAdapterOptions) {
  dawn.gpu = gpu;
  const navigatorGpu = {
    requestAdapter: (asked?: GPURequestAdapterOptions) => gpu.requestAdapter({ ...asked, ...options }),
    getPreferredCanvasFormat: () => 'rgba8unorm' as const,
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
  };
  const existing = (globalThis as { navigator?: object }).navigator;
  Object.defineProperty(globalThis, 'navigator', { value: { ...existing, gpu: navigatorGpu }, configurable: true, writable: true });
}

/** tfjs falls back silently when a backend fails, so check which one is active. */
async function select(name: string): Promise<boolean> {
  const ok = await tf.setBackend(name);
  await tf.ready();
  return ok && tf.getBackend() === name;
}

function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0]!.slice(0, 200);
}
