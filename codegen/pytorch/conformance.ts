import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fromRoot } from '../shipped';
import { printCase } from '../targets/expressions';
import type { FormCase, FormHarness, HostValues } from '../targets/harness';
import { torchPython } from './python';
import { NETLOOM_DIR } from './target';
import { pyString, pyValue } from './text';

/**
 * The PyTorch target's harness: each form's Python expressions evaluated by
 * conformance.py beside the exported netloom/ package, all cases in one
 * Python process.
 */
const values = (v: HostValues) => ({ shape: v.shape, values: Array.from(v.data) });
const valuesOf = (record: Readonly<Record<string, HostValues>>) => Object.fromEntries(Object.entries(record).map(([key, v]) => [key, values(v)]));

/** The case's Python expressions, or why there are none. */
const code = (c: FormCase) =>
  printCase(c, c.kind.forms.pytorch, {
    entry: (holder, key) => `${holder}[${pyString(key)}]`,
    boolean: (value) => (value ? 'True' : 'False'),
    site: (s) => `philox.DrawSite(${[pyValue(s.seed), pyString(s.path), pyValue(s.iteration), pyValue(s.round)].join(', ')})`,
  });

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
