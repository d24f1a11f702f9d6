import { isNever } from '../../lib/plan/conditions';
import { hasRandomLayers, type BatchedCallInstr, type GradCondition, type MainInstr, type NetworkPlan, type SampleInstr, type SourceInstr, type ValueId } from '../../lib/plan/plan';
import type { Namer } from '../names';
import { stringLiteral } from '../text';
import { NETWORK_PARAMS, type TsNames } from './names';

/**
 * Writers for the main graph's instructions, one per kind of instruction:
 * each becomes one `const` named after its node. The iteration's shared
 * values, each optimizer step and the preview grids all go through here.
 */
export interface MainContext {
  names: TsNames;
  namer: Namer;
  /** Expressions of the values available so far. */
  values: Map<ValueId, string>;
  /** The layers of calls computed earlier (what a reusing call passes as `known`), by node. */
  layers: Map<string, string>;
  /** The Step expression network calls receive. */
  step: string;
  /** An expression of a source instruction's drawn values (Record<port, Float32Array>), and the batch size expression. */
  draw(instr: SourceInstr): { values: string; batch: string };
  /** An expression of where sampler `node` draws its own noise (a SamplerNoise), where the instructions may sample (previews). */
  samplerNoise?(node: string): string;
}

export function writeInstructions(ctx: MainContext, instrs: readonly MainInstr[]): string[] {
  return instrs.flatMap((instr) => {
    if (instr.type === 'batched-call') return writeBatchedCall(ctx, instr);
    const name = ctx.namer.name(ctx.names.mainName(instr));
    switch (instr.type) {
      case 'source':
        return writeSource(ctx, instr, name);
      case 'apply': {
        const inputs = Object.fromEntries(Object.entries(instr.inputs).map(([port, value]) => [port, ctx.values.get(value)!]));
        const code = instr.kind.forms.typescript.compute({ params: instr.params, inputs, inputShapes: instr.inShapes, weights: {} });
        const ports = Object.keys(instr.outputs);
        return ports.map((port) => {
          const variable = ports.length === 1 ? name : ctx.namer.name(`${name}_${port}`);
          ctx.values.set(instr.outputs[port]!, variable);
          return `const ${variable} = ${code[port]};`;
        });
      }
      case 'sample':
        return writeSample(ctx, instr, name);
      case 'call': {
        const { network } = instr;
        const names = ctx.names.network(network);
        const args = instr.args.map((value) => ctx.values.get(value)!);
        const step = callStep(ctx.names, ctx.step, instr.node);
        const call = writeCall(ctx.names, network, step, args, instr.grads.map(String), instr.reuse ? ctx.layers.get(instr.node) : undefined);
        instr.outputs.forEach((value, i) => ctx.values.set(value, `${name}.outputs.${names.outputs[i]}`));
        ctx.layers.set(instr.node, `${name}.layers`);
        const gradient = instr.inputGradient === undefined ? [] : [writeInputGradient(ctx.names, network, step, args, instr.grads.map(String), ctx.namer, instr.label, (variable) => ctx.values.set(instr.inputGradient!, variable))];
        return [`const ${name} = ${call};`, ...gradient];
      }
    }
  });
}

/**
 * `const a_b = D(step, { x: tf.concat([x1, x2], 0) }, ...);` then each
 * output split back into each call's rows, named as that call's.
 */
function writeBatchedCall(ctx: MainContext, instr: BatchedCallInstr): string[] {
  const { network } = instr;
  const own = ctx.names.network(network);
  const names = instr.calls.map((call) => ctx.namer.name(ctx.names.callName(call.node)));
  const joined = ctx.namer.name(names.join('_'));
  const args = network.inputs.map((_, i) => `tf.concat([${instr.calls.map((call) => ctx.values.get(call.args[i]!)!).join(', ')}], 0)`);
  const rows = `[${instr.calls.map((call) => `${ctx.values.get(call.args[0]!)}.shape[0]!`).join(', ')}]`;
  const call = writeCall(ctx.names, network, callStep(ctx.names, ctx.step, instr.node), args, instr.grads.map(String));
  const splits = network.outputs.map((_, o) => {
    const parts = instr.calls.map((call, c) => {
      const variable = network.outputs.length === 1 ? names[c]! : ctx.namer.name(`${names[c]}_${own.outputs[o]}`);
      ctx.values.set(call.outputs[o]!, variable);
      return variable;
    });
    return `const [${parts.join(', ')}] = tf.split(${joined}.outputs.${own.outputs[o]}, ${rows}, 0) as [${parts.map(() => 'Tensor').join(', ')}];`;
  });
  return [`// ${instr.calls.map((call) => ctx.names.callName(call.node)).join(' and ')}: one pass over their batches joined.`, `const ${joined} = ${call};`, ...splits];
}

/**
 * `const x = diffusion.sample(tf, (args: Tensor[]) => Net(step, { x: args[0], t: args[1] }, { x: false, t: false }).outputs.y, ...)`:
 * the network as a function of its inputs, evaluated at every step (the
 * preview's no-training `step`).
 */
function writeSample(ctx: MainContext, instr: SampleInstr, name: string): string[] {
  if (!ctx.samplerNoise) throw new Error(`sampler ${instr.label} outside an evaluation`);
  const args = ctx.namer.name(`${name}_args`);
  const own = ctx.names.network(instr.network);
  const call = writeCall(ctx.names, instr.network, 'step', instr.network.inputs.map((_, i) => `${args}[${i}]!`), instr.network.inputs.map(() => 'false'));
  const inputs = Object.fromEntries(Object.entries(instr.inputs).map(([port, value]) => [port, ctx.values.get(value)!]));
  const code = instr.kind.forms.typescript.sample({ params: instr.params, inputs, network: `(${args}: readonly Tensor[]) => ${call}.outputs.${own.outputs[0]}`, noise: ctx.samplerNoise(instr.node) });
  const ports = Object.keys(instr.outputs);
  return ports.map((port) => {
    const variable = ports.length === 1 ? name : ctx.namer.name(`${name}_${port}`);
    ctx.values.set(instr.outputs[port]!, variable);
    return `const ${variable} = ${code[port]};`;
  });
}

function writeSource(ctx: MainContext, instr: Extract<MainInstr, { type: 'source' }>, name: string): string[] {
  const { values, batch } = ctx.draw(instr);
  const ports = Object.keys(instr.outputs);
  const shape = (port: string) => instr.source.ports.find((p) => p.port === port)!.shape.map((d) => (d === null ? batch : String(d))).join(', ');
  const tensor = (from: string, port: string) => `tf.tensor(${member(from, port)}!, [${shape(port)}])`;
  if (ports.length === 1) {
    ctx.values.set(instr.outputs[ports[0]!]!, name);
    return [`const ${name} = ${tensor(values, ports[0]!)};`];
  }
  const drawn = ctx.namer.name(`${name}_batch`);
  return [
    `const ${drawn} = ${values};`,
    ...ports.map((port) => {
      const variable = ctx.namer.name(`${name}_${port}`);
      ctx.values.set(instr.outputs[port]!, variable);
      return `const ${variable} = ${tensor(drawn, port)};`;
    }),
  ];
}

/**
 * The Step a call of node `node` runs in: the caller's, with the key of
 * site where random layers draw extended by the node, where the graph has such layers.
 */
export function callStep(names: TsNames, step: string, node: string): string {
  return hasRandomLayers(names.plan) ? `{ ...${step}, site: nodeSite(${step}.site, ${stringLiteral(node)}) }` : step;
}

/** `Fn(step, { x: ..., eps: ... }, { x: <grad> }[, known])`: graph inputs carry gradient flags; drawn sources never do. */
export function writeCall(names: TsNames, network: NetworkPlan, step: string, args: readonly string[], grads: readonly string[], known?: string): string {
  const own = names.network(network);
  const inputs = network.inputs.map((_, i) => field(own.inputs[i]!, args[i]!));
  const flags = network.inputs.flatMap((input, i) => (input.source ? [] : [`${own.inputs[i]}: ${grads[i]}`]));
  return `${own.fn}(${[step, braces(inputs), braces(flags), ...(known ? [known] : [])].join(', ')})`;
}

/**
 * `const <label>_gradient = tf.grad((x) => tf.sum(Net(step, { x, ... }, { x: true, ... }).outputs.<first>))(<first argument>);`:
 * a call's input gradient, inside the step's tape so that training differentiates it again.
 */
export function writeInputGradient(names: TsNames, network: NetworkPlan, step: string, args: readonly string[], grads: readonly string[], namer: Namer, label: string, bind: (variable: string) => void): string {
  const variable = namer.name(`${label}_gradient`);
  const x = namer.name(`${label}_input`);
  const call = writeCall(names, network, step, [x, ...args.slice(1)], ['true', ...grads.slice(1)]);
  bind(variable);
  return `const ${variable} = tf.grad((${x}: Tensor) => tf.sum(${call}.outputs.${names.network(network).outputs[0]}))(${args[0]});`;
}

/** A gradient condition inside a network body: `grad.<input> || step.trains.<network> || ...`, or false. */
export function conditionExpression(condition: GradCondition, network: NetworkPlan, names: TsNames): string {
  if (isNever(condition)) return 'false';
  const own = names.network(network);
  const order = names.plan.networks.map((n) => n.id);
  const networks = [...condition.networks].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const byId = new Map(names.plan.networks.map((n) => [n.id, n]));
  return [
    ...condition.inputs.map((i) => `${NETWORK_PARAMS.grad}.${own.inputs[i]}`),
    ...networks.map((id) => `${NETWORK_PARAMS.step}.trains.${names.network(byId.get(id)!).fn}`),
  ].join(' || ');
}

export const braces = (fields: readonly string[]) => (fields.length ? `{ ${fields.join(', ')} }` : '{}');

/** `key: value`, or the shorthand `key` when the value is the variable of that name. */
export const field = (key: string, value: string) => (key === value ? key : `${key}: ${value}`);

/** `object.key`, or `object["key"]` when the key (a port id a kind defines) is not an identifier. */
export const member = (object: string, key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${object}.${key}` : `${object}[${stringLiteral(key)}]`);
