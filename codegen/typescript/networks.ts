import type { FunctionDeclarationStructure, OptionalKind } from 'ts-morph';
import { formatShape } from '../../lib/kinds/shape';
import { objectLiteral } from '../../lib/kinds/common';
import type { NetworkPlan, ValueId } from '../../lib/plan/plan';
import { commentText, stringLiteral } from '../text';
import { braces, callStep, conditionExpression, field, writeCall, writeInputGradient } from './instructions';
import { NETWORK_PARAMS, type TsNames } from './names';

const { step, grad, known, weights: w } = NETWORK_PARAMS;

/** `createWeights`: every trainable weight by network and layer, created and seeded as the app creates them. */
export function writeWeights(names: TsNames): OptionalKind<FunctionDeclarationStructure> {
  const networks = names.plan.networks.map((network) => {
    const own = names.network(network);
    const groups = [...own.groups].map(([node, group]) => {
      const fields = network.weights
        .filter((weight) => weight.node === node)
        .map((weight) => `${own.weights.get(weight)}: weight(${stringLiteral(weight.name)}, [${weight.shape.join(', ')}], ${objectLiteral(weight.init)}, ${objectLiteral(weight.fans)}${weight.trainable ? '' : ', false'}),`);
      return [`${group}: {`, ...fields, '},'];
    });
    return [`${own.fn}: {`, ...groups.flat(), '},'];
  });
  const state = names.plan.weights.some((weight) => !weight.trainable);
  return {
    name: 'createWeights',
    parameters: [{ name: 'seed', type: 'number' }],
    docs: ['Every trainable weight, by network and layer. Each is named `network/node/weight` with the graph\'s ids and draws from the stream of that name, as in Netloom, so both start from the same values and share checkpoints.'],
    statements: [
      ...(state
        ? [
            '// Moving statistics are not trainable: their layers update them, optimizers do not.',
            'const weight = (name: string, shape: number[], init: Initializer, fans: { fanIn: number; fanOut: number }, trainable = true) =>',
            '  tf.tidy(() => tf.variable(initialValue(tf, init, shape, fans, weightStream(seed, name)), trainable, name));',
          ]
        : [
            'const weight = (name: string, shape: number[], init: Initializer, fans: { fanIn: number; fanOut: number }) =>',
            '  tf.tidy(() => tf.variable(initialValue(tf, init, shape, fans, weightStream(seed, name)), true, name));',
          ]),
      'return {',
      ...networks.flat(),
      '};',
    ],
  };
}

/** One function per network: its layers and the networks it calls, in order, recording the gradients the step needs. */
export function writeNetwork(names: TsNames, network: NetworkPlan): OptionalKind<FunctionDeclarationStructure> {
  const own = names.network(network);
  const locals = own.locals;
  const values = new Map<ValueId, string>(network.inputs.map((input, i) => [input.value, own.inputs[i]!]));
  const statements: string[] = [];
  if (network.weights.length) statements.push(`const ${w} = ${step}.weights.${own.fn};`);
  const tensors: string[] = [];
  const calls: string[] = [];
  for (const instr of network.body) {
    if (instr.type === 'apply') {
      const ports = Object.keys(instr.outputs);
      const variables = Object.fromEntries(ports.map((port) => [port, locals.name(ports.length === 1 ? instr.label : `${instr.label}_${port}`)]));
      const group = own.groups.get(instr.node);
      const args = {
        params: instr.params,
        inputs: Object.fromEntries(Object.entries(instr.inputs).map(([port, value]) => [port, values.get(value)!])),
        inputShapes: instr.inShapes,
        weights: Object.fromEntries(Object.entries(instr.weights).map(([name, weight]) => [name, `${w}.${group}.${own.weights.get(weight)}`])),
        needsGrad: `{ inputs: ${conditionExpression(instr.needs.inputs, network, names)}, weights: ${conditionExpression(instr.needs.weights, network, names)} }`,
        training: `${step}.training`,
        drawSite: instr.kind.random ? `nodeSite(${step}.site, ${stringLiteral(instr.node)})` : undefined,
      };
      const code = instr.kind.forms.typescript.compute({ ...args, known: Object.fromEntries(ports.map((port) => [port, `${known}?.tensors.${variables[port]}`])) });
      for (const port of ports) {
        statements.push(`const ${variables[port]} = ${code[port]};`);
        values.set(instr.outputs[port]!, variables[port]!);
        tensors.push(variables[port]!);
      }
      const updates = instr.kind.forms.typescript.update?.(args);
      if (updates) {
        // Moving statistics follow the batches of the step that trains this network.
        statements.push(`if (${step}.training && ${conditionExpression(instr.needs.weights, network, names)}) {`);
        for (const [name, expression] of Object.entries(updates)) statements.push(`${args.weights[name]}.assign(${expression});`);
        statements.push('}');
      }
    } else {
      const variable = locals.name(instr.label);
      const callee = names.network(instr.network);
      const args = instr.args.map((value) => values.get(value)!);
      const grads = instr.grads.map((condition) => conditionExpression(condition, network, names));
      const inner = callStep(names, step, instr.node);
      statements.push(`const ${variable} = ${writeCall(names, instr.network, inner, args, grads, `${known}?.calls.${variable}`)};`);
      instr.outputs.forEach((value, i) => values.set(value, `${variable}.outputs.${callee.outputs[i]}`));
      if (instr.inputGradient !== undefined) statements.push(writeInputGradient(names, instr.network, inner, args, grads, locals, instr.label, (v) => values.set(instr.inputGradient!, v)));
      calls.push(field(variable, `${variable}.layers`));
    }
  }
  const outputs = network.outputs.map((output, i) => field(own.outputs[i]!, values.get(output.value)!));
  statements.push(`return { outputs: ${braces(outputs)}, layers: { tensors: ${braces(tensors)}, calls: ${braces(calls)} } };`);

  const inputType = braces(network.inputs.map((_, i) => `${own.inputs[i]}: Tensor`)).replace(/, /g, '; ');
  const graphInputs = network.inputs.flatMap((input, i) => (input.source ? [] : [own.inputs[i]!]));
  const gradType = braces(graphInputs.map((key) => `${key}: boolean`)).replace(/, /g, '; ');
  const describe = (items: readonly { label: string; shape: readonly (number | null)[] }[]) =>
    items.map((item) => `${commentText(item.label)} ${formatShape(item.shape)}`).join(', ') || 'nothing';
  const drawn = network.inputs.filter((input) => input.source);
  return {
    name: own.fn,
    parameters: [
      { name: step, type: 'Step' },
      { name: braces(own.inputs), type: inputType },
      { name: grad, type: gradType },
      { name: known, type: 'Layers', hasQuestionToken: true },
    ],
    returnType: `Call<${network.outputs.map((_, i) => stringLiteral(own.outputs[i]!)).join(' | ')}>`,
    docs: [
      [
        `Network ${commentText(network.name)}: ${describe(network.inputs.filter((input) => !input.source))} -> ${describe(network.outputs)}.`,
        ...(drawn.length ? [`It draws ${describe(drawn)}: passed in, so every call in an iteration shares one draw.`] : []),
        `\`${grad}\` says which inputs carry a gradient back to a network this step trains.`,
      ].join('\n'),
    ],
    statements,
  };
}
