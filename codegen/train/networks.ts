import type { FunctionDeclarationStructure, OptionalKind } from 'ts-morph';
import type { PortRef } from '../../lib/graph/schema';
import { formatShape } from '../../lib/graph/shape';
import { objectLiteral } from '../../lib/kinds/common';
import { flagExpression, NETWORK_PARAMS, type NetworkPlan, type Plan } from '../plan';
import { commentText, stringLiteral } from '../text';
import { braces, field, refKey } from './values';

const { step, grad, known, weights: w } = NETWORK_PARAMS;

/** `createWeights`: every trainable weight by network and layer, created as the compiler creates them. */
export function writeWeights(plan: Plan): OptionalKind<FunctionDeclarationStructure> {
  const networks = plan.networks.map((network) => {
    const layers = network.body
      .filter((node) => node.weights.length)
      .map((node) => {
        const fields = node.weights.map(
          (weight) => `${weight.key}: weight(${stringLiteral(weight.name)}, [${weight.spec.shape.join(', ')}], ${objectLiteral(weight.spec.init)}, ${objectLiteral(weight.fans)}),`,
        );
        return [`${node.weightKey}: {`, ...fields, '},'];
      });
    return [`${network.fn}: {`, ...layers.flat(), '},'];
  });
  return {
    name: 'createWeights',
    parameters: [{ name: 'seed', type: 'number' }],
    docs: ['Every trainable weight, by network and layer. Each is named `network/node/weight` with the graph\'s ids and seeded by that name, as in Netloom, so both start from the same values and share checkpoints.'],
    statements: [
      'const weight = (name: string, shape: number[], init: Initializer, fans: { fanIn: number; fanOut: number }) =>',
      '  tf.tidy(() => tf.variable(initialValue(tf, init, shape, fans, weightSeed(seed, name)), true, name));',
      'return {',
      ...networks.flat(),
      '};',
    ],
  };
}

/** One function per network: its layers in order, recording the gradients the step needs. */
export function writeNetwork(plan: Plan, network: NetworkPlan): OptionalKind<FunctionDeclarationStructure> {
  const values = new Map<string, string>();
  for (const input of network.inputs) values.set(refKey({ node: input.port, port: 'out' }), input.key);
  const statements: string[] = [];
  if (network.body.some((node) => node.weights.length)) statements.push(`const ${w} = ${step}.weights.${network.fn};`);
  const layers: string[] = [];
  for (const node of network.body) {
    const kind = node.info.kind!;
    const incoming = network.scope.incoming.get(node.info.node.id) ?? new Map<string, PortRef>();
    const inputs = Object.fromEntries([...incoming].map(([port, ref]) => [port, values.get(refKey(ref))!]));
    if (kind.role === 'op') {
      const inputGrad = flagExpression(node.inputFlags, network, plan.networkById);
      const code = kind.emit({
        params: node.info.params,
        inputs,
        inputShapes: node.info.inShapes,
        weights: Object.fromEntries(node.weights.map((weight) => [weight.spec.name, `${w}.${node.weightKey}.${weight.key}`])),
        needsGrad: `{ inputs: ${inputGrad}, weights: ${step}.trains.${network.fn} }`,
        known: Object.fromEntries(Object.entries(node.vars).map(([port, variable]) => [port, `${known}.${variable}`])),
      });
      for (const [port, variable] of Object.entries(node.vars)) {
        statements.push(`const ${variable} = ${code[port]};`);
        values.set(refKey({ node: node.info.node.id, port }), variable);
        layers.push(variable);
      }
    } else {
      const callee = node.callee!;
      const variable = node.vars.call!;
      const args = callee.inputs.map((input) => field(input.key, inputs[input.port]!));
      const grads = callee.inputs.map((input) => {
        const ref = incoming.get(input.port)!;
        const flags = network.body.find((n) => n.info.node.id === ref.node)?.outFlags[ref.port] ?? new Set([`in:${ref.node}`]);
        return `${input.key}: ${flagExpression(flags, network, plan.networkById)}`;
      });
      statements.push(`const ${variable} = ${callee.fn}(${step}, ${braces(args)}, ${braces(grads)});`);
      for (const output of callee.outputs) values.set(refKey({ node: node.info.node.id, port: output.port }), `${variable}.outputs.${output.key}`);
    }
  }
  const outputs = network.outputs.map((output) => field(output.key, values.get(refKey(output.source))!));
  statements.push(`return { outputs: ${braces(outputs)}, layers: ${braces(layers)} };`);

  const inputType = braces(network.inputs.map((input) => `${input.key}: Tensor`)).replace(/, /g, '; ');
  const gradType = braces(network.inputs.map((input) => `${input.key}: boolean`)).replace(/, /g, '; ');
  const describe = (items: readonly { label: string; shape: readonly (number | null)[] | undefined }[]) =>
    items.map((item) => `${commentText(item.label)} ${item.shape ? formatShape(item.shape) : ''}`.trim()).join(', ') || 'nothing';
  return {
    name: network.fn,
    parameters: [
      { name: step, type: 'Step' },
      { name: braces(network.inputs.map((input) => input.key)), type: inputType },
      { name: grad, type: gradType },
      { name: known, type: 'Layers', initializer: '{}' },
    ],
    returnType: `Call<${network.outputs.map((o) => stringLiteral(o.key)).join(' | ')}>`,
    docs: [
      [
        `Network ${commentText(network.name)}: ${describe(network.inputs)} -> ${describe(network.scope.signature.outputs)}.`,
        `\`${grad}\` says which inputs carry a gradient back to a network this step trains.`,
      ].join('\n'),
    ],
    statements,
  };
}
