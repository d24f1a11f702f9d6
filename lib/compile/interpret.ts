import type * as tfjs from '@tensorflow/tfjs';
import { holds } from '../plan/conditions';
import type { BodyInstr, MainInstr, NetworkPlan, SourcePlan, ValueId, WeightPlan } from '../plan/plan';
import type { TF, Tensor } from '../runtime/ops';
import type { SamplerNoise } from '../runtime/diffusion';
import { nodeSite, type DrawSite } from '../runtime/random';

/**
 * Runs plan instructions with tfjs. The caller owns tensor lifetimes (an
 * iteration runs inside one tf.tidy, as an exported project's does).
 */
export interface Context {
  tf: TF;
  /** Networks the current optimizer step trains (none in sections and previews). */
  trains: ReadonlySet<string>;
  /** A forward pass of a training iteration (batch norm normalises by the batch), not an evaluation (previews, samples). */
  training: boolean;
  /** Where random layers (dropout) draw in a training iteration: the iteration and round, which calls extend down to each layer; absent in evaluations. */
  site?: DrawSite;
  variable(weight: WeightPlan): tfjs.Variable;
  /** A source's values for this context: its draw number `draw` of the iteration (plus the round), or the fixed preview draw. */
  draw(source: SourcePlan, draw: number): Readonly<Record<string, Tensor>>;
  /** Where a sampler node draws its own noise in this context (a preview, a chunk of samples). */
  samplerNoise(node: string): SamplerNoise;
  /** Told after each step of a sampler running in this context. */
  onSamplerStep?: (done: number, steps: number) => void;
}

/** Every layer's outputs of one network call, by instruction: what a later call with the same inputs and weights reuses. */
export type Layers = Map<BodyInstr, Readonly<Record<string, Tensor>> | Layers>;

/** The main graph's values so far in an iteration, and the layers of the calls that computed them. */
export class Frame {
  constructor(
    readonly values: (Tensor | undefined)[] = [],
    readonly layers = new Map<string, Layers>(),
  ) {}

  /** A frame for one optimizer step: it reads everything computed so far; what it computes stays its own. */
  child(): Frame {
    return new Frame([...this.values], new Map(this.layers));
  }

  get(value: ValueId): Tensor {
    const t = this.values[value];
    if (!t) throw new Error(`value ${value} was read before it was computed`);
    return t;
  }
}

export function runMain(instrs: readonly MainInstr[], frame: Frame, ctx: Context): void {
  for (const instr of instrs) {
    switch (instr.type) {
      case 'source': {
        const drawn = ctx.draw(instr.source, instr.draw);
        for (const [port, value] of Object.entries(instr.outputs)) frame.values[value] = drawn[port];
        break;
      }
      case 'apply': {
        const inputs = read(instr.inputs, (v) => frame.get(v));
        const outputs = instr.kind.compute({ tf: ctx.tf, params: instr.params, inputs, weights: weightsOf(instr.weights, ctx), needsGrad: instr.needs, training: ctx.training });
        for (const [port, value] of Object.entries(instr.outputs)) frame.values[value] = outputs[port];
        break;
      }
      case 'call': {
        const known = instr.reuse ? frame.layers.get(instr.node) : undefined;
        const args = instr.args.map((v) => frame.get(v));
        const at = ctx.site && nodeSite(ctx.site, instr.node);
        const result = callNetwork(instr.network, args, instr.grads, ctx, known, at);
        instr.outputs.forEach((value, i) => (frame.values[value] = result.outputs[i]));
        if (instr.inputGradient !== undefined) frame.values[instr.inputGradient] = inputGradient(instr.network, args, instr.grads, ctx, at);
        frame.layers.set(instr.node, result.layers);
        break;
      }
      case 'sample': {
        // An evaluation of the network at every step: no gradients, no training mode, no training draws.
        const evaluation: Context = { ...ctx, trains: new Set(), training: false, site: undefined };
        const network = (args: readonly Tensor[]) => callNetwork(instr.network, args, args.map(() => false), evaluation).outputs[0]!;
        const inputs = read(instr.inputs, (v) => frame.get(v));
        const outputs = instr.kind.sample({ tf: ctx.tf, params: instr.params, inputs, network, noise: ctx.samplerNoise(instr.node), onStep: ctx.onSamplerStep });
        for (const [port, value] of Object.entries(instr.outputs)) frame.values[value] = outputs[port];
        break;
      }
      case 'batched-call': {
        const { tf } = ctx;
        const rows = instr.calls.map((call) => frame.get(call.args[0]!).shape[0]!);
        const args = instr.network.inputs.map((_, i) => tf.concat(instr.calls.map((call) => frame.get(call.args[i]!)), 0));
        // Its network draws nothing (batching.ts): no draw site.
        const result = callNetwork(instr.network, args, instr.grads, ctx);
        result.outputs.forEach((joined, o) => tf.split(joined, rows, 0).forEach((part, c) => (frame.values[instr.calls[c]!.outputs[o]!] = part)));
        break;
      }
    }
  }
}

/**
 * Runs a network body on its arguments; its weights are the network's own,
 * shared by every call. `at`: where this call's random layers draw (the
 * iteration's site, extended by the calls down to here).
 */
export function callNetwork(network: NetworkPlan, args: readonly Tensor[], argGrads: readonly boolean[], ctx: Context, known?: Layers, at?: DrawSite): { outputs: Tensor[]; layers: Layers } {
  const values: Tensor[] = new Array(network.values.length);
  network.inputs.forEach((input, i) => (values[input.value] = args[i]!));
  const layers: Layers = new Map();
  for (const instr of network.body) {
    if (instr.type === 'apply') {
      const needsGrad = { inputs: holds(instr.needs.inputs, argGrads, ctx.trains), weights: holds(instr.needs.weights, argGrads, ctx.trains) };
      const earlier = known?.get(instr) as Readonly<Record<string, Tensor>> | undefined;
      // Computed earlier with the same inputs and weights, and no gradient to record: take it as it is.
      const drawSite = instr.kind.random && at ? nodeSite(at, instr.node) : undefined;
      const args = { tf: ctx.tf, params: instr.params, inputs: read(instr.inputs, (v) => values[v]!), weights: weightsOf(instr.weights, ctx), needsGrad, training: ctx.training, drawSite };
      const outputs = earlier && !needsGrad.inputs && !needsGrad.weights ? earlier : instr.kind.compute({ ...args, known: earlier });
      // State (moving statistics) follows the batches of the step that trains its network.
      if (instr.kind.update && ctx.training && needsGrad.weights) {
        for (const [name, value] of Object.entries(instr.kind.update(args))) ctx.variable(instr.weights[name]!).assign(value);
      }
      for (const [port, value] of Object.entries(instr.outputs)) values[value] = outputs[port]!;
      layers.set(instr, outputs);
    } else {
      const grads = instr.grads.map((condition) => holds(condition, argGrads, ctx.trains));
      const args = instr.args.map((v) => values[v]!);
      const inner = at && nodeSite(at, instr.node);
      const result = callNetwork(instr.network, args, grads, ctx, known?.get(instr) as Layers | undefined, inner);
      instr.outputs.forEach((value, i) => (values[value] = result.outputs[i]!));
      if (instr.inputGradient !== undefined) values[instr.inputGradient] = inputGradient(instr.network, args, grads, ctx, inner);
      layers.set(instr, result.layers);
    }
  }
  return { outputs: network.outputs.map((output) => values[output.value]!), layers };
}

/**
 * The gradient of the sum of a network's first output with respect to its
 * first argument, taken inside the step's own tape, so that training can
 * differentiate it again (WGAN-GP's penalty).
 */
function inputGradient(network: NetworkPlan, args: readonly Tensor[], argGrads: readonly boolean[], ctx: Context, at: DrawSite | undefined): Tensor {
  const [first, ...rest] = args;
  const tf = ctx.tf;
  // The same draws as the call's own forward pass: the gradient is of the function that call computed.
  return tf.grad((x: Tensor) => tf.sum(callNetwork(network, [x, ...rest], [true, ...argGrads.slice(1)], ctx, undefined, at).outputs[0]!))(first!);
}

function read(ports: Readonly<Record<string, ValueId>>, get: (value: ValueId) => Tensor): Record<string, Tensor> {
  const tensors: Record<string, Tensor> = {};
  for (const port in ports) tensors[port] = get(ports[port]!);
  return tensors;
}

function weightsOf(weights: Readonly<Record<string, WeightPlan>>, ctx: Context): Record<string, Tensor> {
  const tensors: Record<string, Tensor> = {};
  for (const name in weights) tensors[name] = ctx.variable(weights[name]!);
  return tensors;
}
