import type { FormCase, FormHarness, FormOutcome } from '../targets/harness';
import { OnnxBuilder } from './builder';
import { checkOnnxAll, runOnnx } from './check';
import * as ops from './ops';

/**
 * The ONNX target's harness: each case's kind form builds a one-layer model
 * (the case's inputs as graph inputs with a dynamic batch, its weights as
 * initializers, each output port a graph output), onnxruntime-node runs it
 * on the case's values, and ONNX's checker (Debian's python3-onnx, one
 * process for every case) must accept the file: its message is the case's
 * error otherwise. Exported networks only infer: evaluation only.
 */
function build(c: FormCase): Uint8Array | string {
  const form = c.kind.forms.onnx;
  if (!form) return 'no form for this target';
  try {
    const b = new OnnxBuilder({ name: c.name });
    const inputs = Object.fromEntries(Object.entries(c.inputShapes).map(([port, shape]) => [port, b.input(port, shape)]));
    const outputs = form.compute({ b, ops, params: c.params, inputs, inputShapes: c.inputShapes, weights: c.weights, name: c.kind.kind });
    // A port whose form returns a graph input as it is still gets an output of its own (Identity).
    for (const [port, value] of Object.entries(outputs)) b.output(`${port}_out`, value);
    return b.encode();
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export const onnxHarness: FormHarness = {
  passes: ['evaluation'],
  tolerance: 1e-5,
  async run(cases) {
    const models = cases.map(build);
    const files = new Map(models.flatMap((m, i) => (typeof m === 'string' ? [] : [[String(i), m] as const])));
    const verdicts = await checkOnnxAll(files);
    return Promise.all(
      cases.map(async (c, i): Promise<FormOutcome> => {
        const model = models[i]!;
        if (typeof model === 'string') return { error: model };
        const verdict = verdicts.get(String(i))!;
        if (!verdict.ok) return { error: `ONNX's checker: ${verdict.error}` };
        try {
          const outputs = await runOnnx(model, c.inputs);
          return { outputs: Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name.replace(/_out$/, ''), { shape: t.shape, data: t.data }])) };
        } catch (e) {
          return { error: e instanceof Error ? e.message : String(e) };
        }
      }),
    );
  },
};
