import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DrawSite } from '../../lib/kinds/kind';
import { fromRoot } from '../shipped';
import type { FormCase, FormHarness, HostValues } from '../targets/harness';
import { torchPython } from './python';
import { NETLOOM_DIR } from './target';
import { pyString, pyValue } from './text';

/**
 * The PyTorch target's harness: each form's Python expressions evaluated by
 * conformance.py beside the exported netloom/ package, all cases in one
 * Python process.
 */
const names = (holder: string, keys: readonly string[]) => Object.fromEntries(keys.map((key) => [key, `${holder}[${pyString(key)}]`]));
const site = (s: DrawSite) => `philox.DrawSite(${[pyValue(s.seed), pyString(s.path), pyValue(s.iteration), pyValue(s.round)].join(', ')})`;
const values = (v: HostValues) => ({ shape: v.shape, values: Array.from(v.data) });
const valuesOf = (record: Readonly<Record<string, HostValues>>) => Object.fromEntries(Object.entries(record).map(([key, v]) => [key, values(v)]));

/** The case's expressions, or why there are none. */
function code(c: FormCase): Record<string, string> | string {
  const form = c.kind.forms.pytorch;
  if (!form) return 'no PyTorch form';
  const args = {
    params: c.params,
    inputs: names('inputs', Object.keys(c.inputs)),
    inputShapes: c.inputShapes,
    weights: names('weights', Object.keys(c.weights)),
    training: c.pass === 'evaluation' ? 'False' : 'True',
    drawSite: c.drawSite && site(c.drawSite),
  };
  try {
    return (c.pass === 'update' ? form.update?.(args) : form.compute(args)) ?? 'no form of its update';
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export const pytorchHarness: FormHarness = {
  passes: ['evaluation', 'training', 'update'],
  tolerance: 1e-5,
  async run(cases) {
    const printed = cases.map(code);
    const dir = await mkdtemp(path.join(tmpdir(), 'netloom-torch-forms-'));
    try {
      await cp(fromRoot(NETLOOM_DIR), path.join(dir, 'netloom'), { recursive: true });
      await cp(fromRoot('codegen/pytorch/conformance.py'), path.join(dir, 'conformance.py'));
      const runnable = cases.flatMap((c, i) => {
        const expressions = printed[i]!;
        return typeof expressions === 'string' ? [] : [{ code: expressions, inputs: valuesOf(c.inputs), weights: valuesOf(c.weights) }];
      });
      await writeFile(path.join(dir, 'cases.json'), JSON.stringify(runnable));
      const { stdout } = await promisify(execFile)(torchPython(), ['conformance.py', 'cases.json'], { cwd: dir, maxBuffer: 256 << 20 });
      const results = (JSON.parse(stdout) as ({ outputs: Record<string, { shape: number[]; values: number[] }> } | { error: string })[]).values();
      return printed.map((expressions) => {
        if (typeof expressions === 'string') return { error: expressions };
        const result = results.next().value!;
        if ('error' in result) return result;
        return { outputs: Object.fromEntries(Object.entries(result.outputs).map(([port, v]) => [port, { shape: v.shape, data: Float32Array.from(v.values) }])) };
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
