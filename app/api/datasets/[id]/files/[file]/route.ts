import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { errorResponse, jsonError, owned } from '@/app/api/_lib/http';
import { datasetFolder } from '@/lib/db/datasets';
import { MANIFEST_FILE, splitFiles } from '@/lib/runtime/dataset-folder';

/**
 * GET /api/datasets/:id/files/:file: one file of the owner's dataset (its
 * manifest, IDX files or preview), streamed. A dataset never changes once
 * imported, so the browser keeps each file: training loads it once.
 */
const TYPES: Record<string, string> = {
  [MANIFEST_FILE]: 'application/json',
  'preview.png': 'image/png',
  ...Object.fromEntries((['train', 'test'] as const).flatMap((s) => Object.values(splitFiles(s)).map((f) => [f, 'application/octet-stream']))),
};

type Context = { params: Promise<{ id: string; file: string }> };

export const GET = owned(async (owner, _request, { params }: Context) => {
  const { id, file } = await params;
  const type = TYPES[file];
  if (!type) return jsonError(`No dataset file "${file}"; there are ${Object.keys(TYPES).join(', ')}`, 404);
  const folder = await datasetFolder(owner, id);
  if (!folder.ok) return errorResponse(folder.error);
  const target = path.join(folder.value, file);
  const info = await stat(target).catch(() => undefined);
  if (!info) return jsonError(`This dataset has no ${file}`, 404);
  const body = Readable.toWeb(createReadStream(target)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: { 'Content-Type': type, 'Content-Length': String(info.size), 'Cache-Control': 'private, max-age=31536000, immutable' },
  });
});
