import { fileResponse, jsonError } from '@/app/api/_lib/http';
import { readPackageFile } from '@/app/api/_lib/package-files';

/**
 * onnxruntime-web's WASM build as published (never from a CDN): the ES
 * module a page imports, and the Emscripten factory and binary it loads
 * from `ort.env.wasm.wasmPaths = '/api/onnxruntime-web/'`, to run an
 * exported network (an ONNX file of the run history) in the browser.
 */
const FILES = new Map([
  ['ort.wasm.min.mjs', 'text/javascript'],
  ['ort-wasm-simd-threaded.mjs', 'text/javascript'],
  ['ort-wasm-simd-threaded.wasm', 'application/wasm'],
]);

export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  const type = FILES.get(file);
  if (!type) return jsonError(`No onnxruntime-web file "${file}"`, 404);
  return fileResponse(await readPackageFile('onnxruntime-web', 'dist', file), type);
}
