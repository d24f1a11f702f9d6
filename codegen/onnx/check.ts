import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { err, ok, type Result } from '../../lib/result';
import type { HostTensor } from './tensor';

/**
 * The two judges of an exported file, for tests and the CLI:
 * onnxruntime-node runs it (its CPU binary ships inside the npm package), and
 * ONNX's own checker, from Debian's python3-onnx, validates it.
 */

/** onnxruntime failed to load or run a model. */
export class OnnxRunError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OnnxRunError';
  }
}

/** No Python here imports onnx, so the checker cannot be asked. */
export class OnnxCheckerMissingError extends Error {
  constructor(candidates: readonly string[]) {
    super(`no Python with the onnx package among ${candidates.join(', ')}: apt-get install python3-onnx (Debian's 1.12), or set NETLOOM_ONNX_PYTHON`);
    this.name = 'OnnxCheckerMissingError';
  }
}

export interface RunOptions {
  /** onnxruntime's threads for one op; 1 by default (tests share the CPUs and it keeps results reproducible). */
  threads?: number;
}

/** Runs the model on float32 feeds (named as its graph inputs) and returns every output by name. */
export async function runOnnx(model: Uint8Array, feeds: Readonly<Record<string, HostTensor>>, options: RunOptions = {}): Promise<Record<string, HostTensor>> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: options.threads ?? 1, interOpNumThreads: 1 });
  } catch (cause) {
    throw new OnnxRunError(`onnxruntime cannot load the model: ${messageOf(cause)}`, { cause });
  }
  try {
    const inputs = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, new ort.Tensor('float32', t.data, [...t.shape])]));
    const results = await session.run(inputs);
    return Object.fromEntries(
      Object.entries(results).map(([name, t]) => {
        if (t.type !== 'float32') throw new OnnxRunError(`output "${name}" is ${t.type}, not float32`);
        return [name, { data: t.data as Float32Array, shape: t.dims.map(Number) }];
      }),
    );
  } catch (cause) {
    if (cause instanceof OnnxRunError) throw cause;
    throw new OnnxRunError(`onnxruntime cannot run the model: ${messageOf(cause)}`, { cause });
  } finally {
    await session.release();
  }
}

/** Checks each file named on the command line; prints one JSON line per file: null, or the checker's message. */
const CHECK = `
import json, sys, onnx
for path in sys.argv[1:]:
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        print(json.dumps(None))
    except Exception as e:
        print(json.dumps(f"{type(e).__name__}: {e}".strip()))
`;

let python: string | undefined;

/**
 * A Python that imports onnx: $NETLOOM_ONNX_PYTHON, else Debian's
 * /usr/bin/python3 (where python3-onnx installs), else the first python3 on
 * PATH. An earlier python3 on PATH (a pyenv shim) often lacks it, so each is asked.
 */
export function onnxPython(): string {
  if (python) return python;
  const candidates = [process.env.NETLOOM_ONNX_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => Boolean(c));
  for (const candidate of candidates) {
    try {
      execFileSync(candidate, ['-c', 'import onnx'], { stdio: 'ignore' });
      return (python = candidate);
    } catch {
      // not this one
    }
  }
  throw new OnnxCheckerMissingError(candidates);
}

/**
 * ONNX's checker with full_check (strict shape inference too) on the model:
 * ok, or the checker's message. Throws OnnxCheckerMissingError where no
 * Python has onnx: an unchecked file is not a checked one.
 */
export async function checkOnnx(model: Uint8Array): Promise<Result<void, string>> {
  return (await checkOnnxAll(new Map([['model', model]]))).get('model')!;
}

/** checkOnnx for many models in one Python process (its start-up is most of a small model's check), by name. */
export async function checkOnnxAll(models: ReadonlyMap<string, Uint8Array>): Promise<Map<string, Result<void, string>>> {
  const interpreter = onnxPython();
  if (models.size === 0) return new Map();
  const folder = await mkdtemp(path.join(tmpdir(), 'netloom-onnx-'));
  try {
    const files = await Promise.all(
      [...models.values()].map(async (model, i) => {
        const file = path.join(folder, `${i}.onnx`);
        await writeFile(file, model);
        return file;
      }),
    );
    const { stdout } = await promisify(execFile)(interpreter, ['-c', CHECK, ...files], { maxBuffer: 64 << 20 });
    const verdicts = stdout.trim().split('\n').map((line) => JSON.parse(line) as string | null);
    if (verdicts.length !== models.size) throw new Error(`the checker answered ${verdicts.length} of ${models.size} models: ${stdout.slice(0, 500)}`);
    return new Map([...models.keys()].map((name, i) => [name, verdicts[i] === null ? ok(undefined) : err(verdicts[i]!)]));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
