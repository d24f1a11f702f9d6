import { jsonError, jsonResult, owned, refuseLarge } from '@/app/api/_lib/http';
import { BODY_LIMITS } from '@/app/_lib/body-limits';
import { memoryFile, parseImportOptions } from '@/lib/data/import';
import { importDataset, listDatasets } from '@/lib/db/datasets';
import { ok } from '@/lib/result';

/**
 * GET /api/datasets: the owner's library. POST /api/datasets: an import, as
 * multipart form data: `name`, `files` (each file), `paths` (a JSON list of
 * each file's path, folders included, in the same order), and optionally
 * `size` ("64x64", to resize images), `channels` ("grey" or "rgb"),
 * `background` ("white", "black" or "alpha": what transparent pixels
 * become), `range` ("0-16": what an array's values mean), `label` ("first",
 * "last", "none" or a column name) and `shape` ("8x8": a CSV row's image);
 * see lib/data/import/options.ts. 201 with the dataset (its notes say what
 * the import assumed), or 400 naming the field, or the file (row, entry) at
 * fault.
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
  const options = parseImportOptions({ size: field(form, 'size'), channels: field(form, 'channels'), background: field(form, 'background'), range: field(form, 'range'), label: field(form, 'label'), shape: field(form, 'shape') });
  if (!options.ok) return jsonError(options.error);
  const inputs = await Promise.all(files.map(async (file, i) => memoryFile(names[i]!.replace(/^\.?\/+/, ''), new Uint8Array(await file.arrayBuffer()))));
  return jsonResult(await importDataset(owner, { name: form.get('name'), files: inputs, options: options.value }), 201);
});

/** A text field of the form (a file where text belongs counts as absent). */
const field = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === 'string' ? value : undefined;
};
