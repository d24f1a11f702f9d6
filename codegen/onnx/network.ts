import type { NetworkPlan, TrainingPlan, WeightPlan } from '../../lib/plan/plan';
import { err, ok, type Result } from '../../lib/result';
import { OnnxBuilder } from './builder';
import { OnnxBuildError } from './errors';
import * as ops from './ops';
import type { HostTensor } from './tensor';

/**
 * Writes one network of a plan as an ONNX model: its inputs (graph inputs,
 * then the sources it draws, named after the source) become the model's
 * inputs with a dynamic batch axis, each layer its kind's ONNX form, each
 * call of another network that network's layers inline (its weights one
 * initializer however many calls read them), and its outputs the model's
 * outputs, named as in the graph. It infers only: batch norm reads its
 * moving statistics, dropout passes its input through.
 */

/** Why a network cannot be exported as ONNX, by what happened (the route answers 404 for `network`, 400 for the rest). */
export type OnnxExportErrorKind =
  /** The graph has errors: it cannot be lowered. */
  | 'graph'
  /** No network of the graph has that name or id. */
  | 'network'
  /** A kind in the network has no ONNX form, or its form refused these params. */
  | 'kind'
  /** The weights given lack one of the network's, or hold it in another shape. */
  | 'weights';

export class OnnxExportError extends Error {
  constructor(
    readonly kind: OnnxExportErrorKind,
    message: string,
    /** The kind at fault (its title), for `kind`. */
    readonly nodeKind?: string,
  ) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

/** The network a request names, by name (as the editor shows it) or id. */
export function findNetwork(plan: TrainingPlan, ref: string | undefined): Result<NetworkPlan, OnnxExportError> {
  const names = plan.networks.map((n) => `"${n.name}"`).join(', ');
  if (!ref) return err(new OnnxExportError('network', `name the network to export (--network, ?network=): this graph has ${names || 'no networks'}`));
  const network = plan.networks.find((n) => n.name === ref) ?? plan.networks.find((n) => n.id === ref);
  return network ? ok(network) : err(new OnnxExportError('network', `this graph has no network "${ref}": it has ${names || 'none'}`));
}

/** Every network a call of this one runs: itself and those it calls, each once. */
function reached(network: NetworkPlan, seen = new Set<NetworkPlan>()): Set<NetworkPlan> {
  if (seen.has(network)) return seen;
  seen.add(network);
  for (const instr of network.body) if (instr.type === 'call') reached(instr.network, seen);
  return seen;
}

/** Every weight the network reads (its own and its callees'), in order. */
export const networkWeights = (network: NetworkPlan): WeightPlan[] => [...reached(network)].flatMap((n) => n.weights);

/** The kinds in the network (or the networks it calls) that have no ONNX form, by title, each once. */
export function formlessKinds(network: NetworkPlan): string[] {
  const missing = new Set<string>();
  for (const n of reached(network)) for (const instr of n.body) if (instr.type === 'apply' && !instr.kind.forms.onnx) missing.add(instr.kind.title);
  return [...missing];
}

/** A value name from a graph label: ONNX takes any string, tools read these better. */
const readable = (label: string): string => label.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'value';

/** The model's input and output names: the graph's labels, made unique in order (a second "x" becomes "x_2"). */
function boundaryNames(labels: readonly string[]): string[] {
  const used = new Set<string>();
  return labels.map((label) => {
    let name = label || 'value';
    for (let i = 2; used.has(name); i++) name = `${label}_${i}`;
    used.add(name);
    return name;
  });
}

export interface OnnxNetworkFile {
  bytes: Uint8Array;
  /** The model's inputs in order, with their shapes (null: the batch axis). */
  inputs: { name: string; shape: readonly (number | null)[] }[];
  outputs: { name: string; shape: readonly (number | null)[] }[];
}

/**
 * The network as ONNX bytes, with these weights (by plan name; the network's
 * own and its callees' must all be there, in their shapes). Refused, naming
 * the kind and the reason, where a layer has no ONNX form or its form
 * refuses its params.
 */
export function writeNetworkOnnx(plan: TrainingPlan, network: NetworkPlan, weights: ReadonlyMap<string, HostTensor>): Result<OnnxNetworkFile, OnnxExportError> {
  const missing = formlessKinds(network);
  if (missing.length) {
    return err(new OnnxExportError('kind', `network "${network.name}" cannot be written as ONNX: ${missing.join(', ')} ${missing.length === 1 ? 'has' : 'have'} no ONNX form (a loss, or a kind only training computes)`, missing[0]));
  }
  for (const w of networkWeights(network)) {
    const value = weights.get(w.name);
    if (!value) return err(new OnnxExportError('weights', `the weights lack "${w.name}" (${w.label}'s ${w.weight}): they are another graph's`));
    if (value.shape.length !== w.shape.length || value.shape.some((d, i) => d !== w.shape[i])) {
      return err(new OnnxExportError('weights', `weight "${w.name}" is [${value.shape.join(', ')}] in the weights given but [${w.shape.join(', ')}] in the graph`));
    }
  }
  const b = new OnnxBuilder({ name: network.name, docString: `Network "${network.name}" of Netloom graph "${plan.name}"` });
  const inputNames = boundaryNames(network.inputs.map((input) => (input.source && input.source.plan.ports.length > 1 ? `${input.label}_${input.source.port}` : input.label)));
  const outputNames = boundaryNames(network.outputs.map((output) => output.label)).map((name) => (inputNames.includes(name) ? `${name}_out` : name));
  outputNames.forEach((name) => b.reserve(name));
  const args = network.inputs.map((input, i) => b.input(inputNames[i]!, input.shape));
  let results: string[];
  try {
    results = emit(b, network, args, weights);
  } catch (e) {
    if (e instanceof LayerRefusal) return err(new OnnxExportError('kind', `network "${network.name}" cannot be written as ONNX: ${e.kindTitle} "${e.label}": ${e.message}`, e.kindTitle));
    throw e;
  }
  results.forEach((value, i) => b.output(outputNames[i]!, value));
  return ok({
    bytes: b.encode(),
    inputs: network.inputs.map((input, i) => ({ name: inputNames[i]!, shape: input.shape })),
    outputs: network.outputs.map((output, i) => ({ name: outputNames[i]!, shape: output.shape })),
  });
}

/** A layer's form refused (OnnxBuildError), with the layer it happened at. */
class LayerRefusal extends Error {
  constructor(
    readonly kindTitle: string,
    readonly label: string,
    message: string,
  ) {
    super(message);
  }
}

/** Writes the network's body on these argument values; returns its outputs' values. A call writes its network inline. */
function emit(b: OnnxBuilder, network: NetworkPlan, args: readonly string[], weights: ReadonlyMap<string, HostTensor>): string[] {
  const values: string[] = [];
  network.inputs.forEach((input, i) => (values[input.value] = args[i]!));
  for (const instr of network.body) {
    if (instr.type === 'call') {
      if (instr.inputGradient !== undefined) throw new LayerRefusal('Call', instr.label, 'a call that differentiates its network (a gradient penalty) is training, not inference');
      const outputs = emit(b, instr.network, instr.args.map((v) => values[v]!), weights);
      instr.outputs.forEach((v, i) => (values[v] = outputs[i]!));
      continue;
    }
    const form = instr.kind.forms.onnx!;
    let outputs: Record<string, string>;
    try {
      outputs = form.compute({
        b,
        ops,
        params: instr.params,
        inputs: Object.fromEntries(Object.entries(instr.inputs).map(([port, v]) => [port, values[v]!])),
        inputShapes: instr.inShapes,
        weights: Object.fromEntries(Object.entries(instr.weights).map(([name, w]) => [name, weights.get(w.name)!])),
        name: readable(instr.label),
      });
    } catch (e) {
      if (e instanceof OnnxBuildError && e.refusesLayer) throw new LayerRefusal(instr.kind.title, instr.label, e.message);
      throw e;
    }
    for (const [port, v] of Object.entries(instr.outputs)) {
      const value = outputs[port];
      if (value === undefined) throw new Error(`the ONNX form of ${instr.kind.title} gave no output "${port}"`);
      values[v] = value;
    }
  }
  return network.outputs.map((output) => values[output.value]!);
}
