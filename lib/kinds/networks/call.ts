import { z } from 'zod';
import { formatShape, sameShape, type Shape } from '../shape';
import { port, shapeError, type CallKind, type NetworkSignature, type PortSpec } from '../kind';

/**
 * Applies a network. Its ports are the network's inputs and outputs; every
 * call of the same network shares that network's weights.
 */
/** The port of a call's input gradient (not a valid name for a network's output: see inferShape). */
export const INPUT_GRADIENT = 'input-gradient';

const inputPortsOf = new WeakMap<NetworkSignature, PortSpec[]>();
/** A network's inputs as ports, once per signature: every call of it shows the same (a network may have thousands). */
function inputPorts(network: NetworkSignature): PortSpec[] {
  let ports = inputPortsOf.get(network);
  if (!ports) inputPortsOf.set(network, (ports = Object.freeze(network.inputs.map((i) => port(i.port, i.label))) as PortSpec[]));
  return ports;
}

export const call: CallKind<{ network: string; inputGradient: boolean; args: Record<string, number> }> = {
  role: 'call',
  kind: 'call',
  category: 'networks',
  title: 'Call network',
  doc: 'the network\'s inputs -> its outputs; all calls of one network share its weights',
  params: z.object({
    network: z.string().min(1).meta({ widget: 'network' }).describe('The network to apply'),
    inputGradient: z
      .boolean()
      .default(false)
      .describe("Also output the gradient of the sum of the network's first output with respect to its first input (for a WGAN-GP critic's gradient penalty)"),
    args: z
      .record(z.string().max(50), z.number().finite())
      .default({})
      .meta({ widget: 'block-args' })
      .describe("The values this call gives the block's parameters (a block's defaults where it gives none)"),
  }),
  placement: 'anywhere',
  example: {
    params: { network: 'Net' },
    inputs: { x: [null, 6] },
    networks: [{ id: 'Net', name: 'Net', inputs: [{ port: 'x', label: 'x', shape: [null, 6] }], outputs: [{ port: 'y', label: 'y', shape: [null, 3] }] }],
  },
  inputs: (p, ctx) => {
    const network = ctx.network(p.network);
    return network ? inputPorts(network) : [];
  },
  outputs: (p, ctx) => {
    const network = ctx.network(p.network);
    if (!network) return [];
    const outputs = network.outputs.map((o) => port(o.port, o.label));
    const [first, input] = [network.outputs[0], network.inputs[0]];
    return p.inputGradient && first && input ? [...outputs, port(INPUT_GRADIENT, `∂${first.label}/∂${input.label}`)] : outputs;
  },
  inferShape(p, inputs, ctx) {
    const network = ctx.network(p.network);
    if (!network) return shapeError(undefined, `calls network "${p.network}", which does not exist`, 'Pick an existing network.');
    for (const input of network.inputs) {
      const given = inputs[input.port]!;
      if (!sameShape(given, input.shape)) {
        shapeError(input.port, `${network.name} expects ${formatShape(input.shape)} on "${input.label}", got ${formatShape(given)}`);
      }
    }
    const outputs: [string, Shape][] = [];
    for (const output of network.outputs) {
      if (!output.shape) return shapeError(undefined, `network ${network.name} has errors, so its outputs have no shape`, `Open ${network.name} and fix its problems.`);
      outputs.push([output.port, output.shape]);
    }
    if (p.inputGradient) {
      const [first, input] = [network.outputs[0], network.inputs[0]];
      if (!first || !input) return shapeError(undefined, `${network.name} needs an input and an output for an input gradient`, 'Turn off "input gradient", or give the network an input and an output.');
      if (network.outputs.some((o) => o.port === INPUT_GRADIENT)) return shapeError(undefined, `${network.name} has an output with the id "${INPUT_GRADIENT}", the input gradient's port`, 'Rename that output.');
      outputs.push([INPUT_GRADIENT, inputs[input.port]!]);
    }
    // Ports are node ids: `__proto__` must become an entry, not the object's prototype.
    return Object.fromEntries(outputs);
  },
  network: (p) => p.network,
  inputGradient: (p) => (p.inputGradient ? INPUT_GRADIENT : undefined),
  args: (p) => p.args,
  withNetwork: (params, network) => ({ ...params, network }),
  create: (network) => ({ network }),
  // Ready to use: a call of the first network, which the inspector's picker shows.
  initialParams: (graph) => (graph.networks[0] ? { network: graph.networks[0].id } : {}),
};
