import * as tf from '@tensorflow/tfjs';

/**
 * Picks the fastest tfjs backend this machine has: TensorFlow's native
 * library through @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node
 * (CPU), then WebAssembly, then plain JavaScript. The native packages are
 * optional dependencies: their install downloads libtensorflow and fails
 * without network access or a supported platform, and then this falls back.
 */
export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** Both packages register the "tensorflow" backend; the GPU one first. */
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

export interface ChosenBackend {
  name: string;
  /** Why faster backends were passed over, for the start-up message. */
  notes: string[];
}

export async function useBackend(choice: BackendChoice): Promise<ChosenBackend> {
  const notes: string[] = [];
  if (choice === 'auto' || choice === 'tensorflow') {
    for (const name of NATIVE_PACKAGES) {
      try {
        // A variable specifier: the package may be absent, and type-checking must not require it.
        await import(name);
        if (await select('tensorflow')) return { name: `tensorflow (${name})`, notes };
      } catch (e) {
        notes.push(`${name}: ${firstLine(e)}`);
      }
    }
    if (choice === 'tensorflow') throw new Error(`the TensorFlow backend is not available:\n  ${notes.join('\n  ')}`);
  }
  if (choice === 'auto' || choice === 'wasm') {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      if (await select('wasm')) return { name: 'wasm', notes };
      notes.push('wasm: the backend did not initialise');
    } catch (e) {
      notes.push(`@tensorflow/tfjs-backend-wasm: ${firstLine(e)}`);
    }
    if (choice === 'wasm') throw new Error(`the wasm backend is not available:\n  ${notes.join('\n  ')}`);
  }
  if (await select('cpu')) return { name: 'cpu', notes };
  throw new Error(`no tfjs backend could be started:\n  ${notes.join('\n  ')}`);
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
