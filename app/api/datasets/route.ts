import { jsonError, jsonResult, owned, refuseLarge } from '@/app/api/_lib/http';
import { BODY_LIMITS } from '@/app/_lib/body-limits';
import { DATASET_LIMITS } from '@/lib/data/limits';
import { memoryFile } from '@/lib/data/import';
import { importDataset, listDatasets } from '@/lib/db/datasets';
import { ok } from '@/lib/result';

/**
 * GET /api/datasets: the owner's library. POST /api/datasets: an import, as
 * multipart form data: `name`, `files` (each file), `paths` (a JSON list of
 * each file's path, folders included, in the same order), and optionally
 * `size` ("64x64", to resize images) and `channels` ("grey" or "rgb").
 * 201 with the dataset, or 400 naming the file (row, entry) at fault.
 */
export const GET = owned(async (owner) => jsonResult(ok(await listDatasets(owner))));

export const POST = owned(async (owner, request) => {
  const large = refuseLarge(request, BODY_LIMITS.datasetUpload);
  if (large) return large;
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return jsonError('The upload is not a valid multipart form');
  }
  const files = form.getAll('files').filter((f): f is File => f instanceof File);
  let paths: unknown;
  try {
    paths = JSON.parse(String(form.get('paths') ?? 'null'));
  } catch {
    paths = null;
  }
  const names = Array.isArray(paths) && paths.length === files.length && paths.every((p) => typeof p === 'string') ? (paths as string[]) : files.map((f) => f.name);
  const size = /^(\d{1,4})x(\d{1,4})$/.exec(String(form.get('size') ?? ''));
  const channels = form.get('channels');
  const options = {
    ...(size ? { size: { height: Number(size[1]), width: Number(size[2]) } } : {}),
    ...(channels === 'grey' ? { channels: 1 as const } : channels === 'rgb' ? { channels: 3 as const } : {}),
  };
  if (options.size && (options.size.height < 1 || options.size.width < 1 || options.size.height > DATASET_LIMITS.side || options.size.width > DATASET_LIMITS.side)) {
    return jsonError(`size: from 1x1 to ${DATASET_LIMITS.side}x${DATASET_LIMITS.side}`);
  }
  const inputs = await Promise.all(files.map(async (file, i) => memoryFile(names[i]!.replace(/^\.?\/+/, ''), new Uint8Array(await file.arrayBuffer()))));
  return jsonResult(await importDataset(owner, { name: form.get('name'), files: inputs, options }), 201);
});
