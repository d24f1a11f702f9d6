import * as tf from '@tensorflow/tfjs';
import { opsFor } from '../../lib/runtime/ops';
import type { FormCase, FormHarness, FormOutcome, HostValues } from '../targets/harness';

/**
 * The TypeScript target's harness: each form's expressions evaluated in this
 * process, over the `tf` and `ops` an exported project has, on tfjs's
 * current backend.
 */
const names = (holder: string, keys: readonly string[]) => Object.fromEntries(keys.map((key) => [key, `${holder}[${JSON.stringify(key)}]`]));
const tensors = (values: Readonly<Record<string, HostValues>>) => Object.fromEntries(Object.entries(values).map(([key, v]) => [key, tf.tensor(v.data, [...v.shape], 'float32')]));

function run(c: FormCase): FormOutcome {
  const form = c.kind.forms.typescript;
  const args = {
    params: c.params,
    inputs: names('inputs', Object.keys(c.inputs)),
    inputShapes: c.inputShapes,
    weights: names('weights', Object.keys(c.weights)),
    training: c.pass === 'evaluation' ? 'false' : 'true',
    drawSite: c.drawSite && JSON.stringify(c.drawSite),
  };
  try {
    const code = c.pass === 'update' ? form.update?.(args) : form.compute(args);
    if (!code) return { error: 'no form of its update' };
    return tf.tidy(() => {
      const [inputs, weights] = [tensors(c.inputs), tensors(c.weights)];
      const outputs = Object.entries(code).map(([port, expression]) => {
        const value = new Function('tf', 'ops', 'inputs', 'weights', `return ${expression};`)(tf, opsFor(tf), inputs, weights) as tf.Tensor;
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
