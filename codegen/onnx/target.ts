import { err, ok } from '../../lib/result';
import type { ExportTarget } from '../targets/target';
import { onnxAbout } from './about';
import { findNetwork, formlessKinds, networkWeights, writeNetworkOnnx } from './network';
import { initialWeights } from './weights';

/**
 * One network of the graph as an ONNX model (opset 17) with its weights: a
 * checkpoint's when the request gives them, else the initial weights the
 * graph's seed makes. Only the named network's kinds need their ONNX form.
 */
export const onnx: ExportTarget<'onnx'> = {
  ...onnxAbout,
  hasForm: (kind) => kind.role === 'op' && kind.forms.onnx !== undefined,
  missingForms(plan, request) {
    const network = findNetwork(plan, request?.network);
    return network.ok ? formlessKinds(network.value) : [];
  },
  write(plan, request) {
    const network = findNetwork(plan, request?.network);
    if (!network.ok) return err(network.error.message);
    const weights = request?.weights ?? initialWeights(networkWeights(network.value), plan.settings.seed);
    const file = writeNetworkOnnx(plan, network.value, weights);
    return file.ok ? ok(new Map([[`${network.value.name}.onnx`, file.value.bytes]])) : err(file.error.message);
  },
};
