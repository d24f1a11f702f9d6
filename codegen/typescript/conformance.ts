import * as tf from '@tensorflow/tfjs';
import * as diffusion from '../../lib/runtime/diffusion';
import { opsFor } from '../../lib/runtime/ops';
import { printCase } from '../targets/expressions';
import type { FormCase, FormHarness, FormOutcome, HostValues } from '../targets/harness';

/**
 * The TypeScript target's harness: each form's expressions evaluated in this
 * process, over the `tf`, `ops` and `diffusion` an exported project has, on tfjs's
 * current backend.
 */
const tensors = (values: Readonly<Record<string, HostValues>>) => Object.fromEntries(Object.entries(values).map(([key, v]) => [key, tf.tensor(v.data, [...v.shape], 'float32')]));

function run(c: FormCase): FormOutcome {
  const code = printCase(c, c.kind.forms.typescript, {
    entry: (holder, key) => `${holder}[${JSON.stringify(key)}]`,
    boolean: (value) => String(value),
    site: (site) => JSON.stringify(site),
  });
  if (typeof code === 'string') return { error: code };
  try {
    return tf.tidy(() => {
      const [inputs, weights] = [tensors(c.inputs), tensors(c.weights)];
      const outputs = Object.entries(code).map(([port, expression]) => {
        const value = new Function('tf', 'ops', 'diffusion', 'inputs', 'weights', `return ${expression};`)(tf, opsFor(tf), diffusion, inputs, weights) as tf.Tensor;
        return [port, { shape: value.shape, data: Float32Array.from(value.dataSync()) }] as const;
      });
      return { outputs: Object.fromEntries(outputs) };
    });
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

export const typescriptHarness: FormHarness = {
  passes: ['evaluation', 'training', 'update'],
  tolerance: 1e-6,
  run: async (cases) => cases.map(run),
};
