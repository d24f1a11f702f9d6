import { analyse } from '../../lib/graph/analyse';
import { formatProblem } from '../../lib/graph/problems';
import type { GraphDoc } from '../../lib/graph/schema';
import { lower } from '../../lib/plan/lower';
import { err, ok, type Result } from '../../lib/result';
import type { EncodedCheckpoint } from '../../lib/runtime/checkpoint';
import { findNetwork, OnnxExportError, networkWeights, writeNetworkOnnx, type OnnxNetworkFile } from './network';
import { checkpointTensors, initialWeights } from './weights';

/**
 * One network of a saved graph as ONNX bytes, with a checkpoint's weights
 * (else the initial ones), the refusal typed: what the run history's
 * download route calls (the registry's `write` gives the same bytes).
 */
export function exportNetworkOnnx(doc: GraphDoc, network: string | undefined, checkpoint?: EncodedCheckpoint): Result<OnnxNetworkFile & { network: string }, OnnxExportError> {
  const analysis = analyse(doc);
  if (!analysis.ok) {
    const names = { network: (id: string) => doc.networks.find((n) => n.id === id)?.name ?? id };
    return err(new OnnxExportError('graph', `The graph cannot be exported until its errors are fixed:\n${analysis.errors.map((p) => `  ${formatProblem(p, names)}`).join('\n')}`));
  }
  const plan = lower(analysis);
  const found = findNetwork(plan, network);
  if (!found.ok) return found;
  const weights = checkpoint ? checkpointTensors(checkpoint) : initialWeights(networkWeights(found.value), plan.settings.seed);
  const file = writeNetworkOnnx(plan, found.value, weights);
  return file.ok ? ok({ ...file.value, network: found.value.name }) : file;
}
