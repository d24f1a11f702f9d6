import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CLASSIFIER_DIR, CLASSIFIER_FILES } from '@/lib/data/classifier';
import { jsonError } from '@/app/api/_lib/http';

/** The bundled MNIST classifier's two files, for quality scores in the training worker. */
export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  const known = CLASSIFIER_FILES.find((f) => f === file);
  if (!known) return jsonError(`No classifier file "${file}"; there are ${CLASSIFIER_FILES.join(', ')}`, 404);
  const bytes = new Uint8Array(await readFile(path.join(CLASSIFIER_DIR, known)));
  // Cached for a day, not forever: a retrained classifier keeps these names.
  return new Response(bytes, { headers: { 'Content-Type': known.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'Cache-Control': 'public, max-age=86400' } });
}
