import { fileResponse, jsonError } from '@/app/api/_lib/http';
import { readPackageFile } from '@/app/api/_lib/package-files';

/**
 * The tfjs WASM backend's binaries (plain, SIMD, SIMD with threads), which the
 * training worker loads by URL, and the threads' Emscripten factory as
 * published (see lib/train/browser-backends.ts).
 */
const FILES = new Map([
  ['tfjs-backend-wasm.wasm', ['dist', 'application/wasm']],
  ['tfjs-backend-wasm-simd.wasm', ['dist', 'application/wasm']],
  ['tfjs-backend-wasm-threaded-simd.wasm', ['dist', 'application/wasm']],
  ['tfjs-backend-wasm-threaded-simd.js', ['wasm-out', 'text/javascript']],
]);

export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  const found = FILES.get(file);
  if (!found) return jsonError(`No tfjs WASM file "${file}"`, 404);
  const [folder, type] = found;
  return fileResponse(await readPackageFile('@tensorflow/tfjs-backend-wasm', folder!, file), type!);
}
