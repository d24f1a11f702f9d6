import { nodeLabel, type NodeInfo, type Scope } from '../graph/analyse';
import type { PortRef } from '../graph/schema';
import { portKey } from '../graph/walk';
import { holds } from './conditions';
import { sourcePlan } from './networks';
import type { MainInstr, NetworkPlan, SourcePlan, ValueId, ValueInfo } from './plan';

/**
 * The main graph as a list of nodes ready to become instructions: sources
 * (those inside networks too, drawn here once), layers and calls, in
 * topological order. A node turns into an instruction once it is known which
 * of its values carry gradients (that depends on the step it runs in).
 */
export interface MainNode {
  node: string;
  label: string;
  /** Nodes whose values it reads. */
  deps: readonly number[];
  outputs: readonly ValueId[];
  /** Draws new values for every optimizer step (itself, or something it reads). */
  perStep: boolean;
  /** Networks whose weights its value depends on. */
  reads: ReadonlySet<string>;
  isCall: boolean;
  /** Whether each output carries a gradient, given whether each value it reads does and which networks train. */
  outputGrads(grad: (value: ValueId) => boolean, trains: ReadonlySet<string>): boolean[];
  instruction(grad: (value: ValueId) => boolean, reuse: boolean): MainInstr;
}

export interface MainGraph {
  nodes: MainNode[];
  values: ValueInfo[];
  sources: SourcePlan[];
  /** The value of a main-graph output port. */
  valueOf(ref: PortRef): ValueId;
  /** The node computing a value. */
  producer(value: ValueId): number;
}

/** `read(node)`: the ports of a main-graph node that something reads (a source draws only those). */
export function lowerMain(main: Scope, networks: ReadonlyMap<string, NetworkPlan>, read: (node: string) => ReadonlySet<string>): MainGraph {
  const values: ValueInfo[] = [];
  const byPort = new Map<string, ValueId>();
  const producers: number[] = [];
  const nodes: MainNode[] = [];
  const sources: SourcePlan[] = [];
  /** Values of the sources inside networks, drawn here: by source key and port (apart from the graph's own ports, whose ids they may share). */
  const hoisted = new Map<string, ValueId>();
  const hoistedKey = (plan: SourcePlan, port: string) => JSON.stringify([plan.key, port]);

  const value = (node: string, port: string, label: string, shape: ValueInfo['shape']) => {
    const id = values.length;
    values.push({ node, port, label, shape });
    producers[id] = nodes.length;
    return id;
  };
  const graphValue = (node: string, port: string, label: string, shape: ValueInfo['shape']) => {
    const id = value(node, port, label, shape);
    byPort.set(portKey({ node, port }), id);
    return id;
  };
  const add = (node: Omit<MainNode, 'perStep' | 'reads'> & { reads?: ReadonlySet<string>; draws?: boolean }) => {
    const reads = new Set([...(node.reads ?? []), ...node.deps.flatMap((d) => [...nodes[d]!.reads])]);
    const perStep = node.draws === true || node.deps.some((d) => nodes[d]!.perStep);
    nodes.push({ ...node, reads, perStep });
  };
  const source = (plan: SourcePlan, ports: readonly string[], register: (port: string, value: ValueId) => void) => {
    const outputs: Record<string, ValueId> = {};
    for (const port of ports) {
      outputs[port] = value(plan.node, port, plan.label, plan.ports.find((p) => p.port === port)!.shape);
      register(port, outputs[port]);
    }
    sources.push(plan);
    add({
      node: plan.node,
      label: plan.label,
      deps: [],
      outputs: Object.values(outputs),
      isCall: false,
      draws: plan.draw === 'per-step',
      outputGrads: () => ports.map(() => false),
      instruction: () => ({ type: 'source', node: plan.node, label: plan.label, source: plan, outputs, draw: 0 }),
    });
  };
  const deps = (ids: readonly ValueId[]) => [...new Set(ids.map((v) => producers[v]!))];

  for (const id of main.order) {
    const info = main.nodes.get(id)!;
    const kind = info.kind!;
    const incoming = main.incoming.get(id) ?? new Map<string, PortRef>();
    const inputs = Object.fromEntries([...incoming].map(([port, ref]) => [port, byPort.get(portKey(ref))!]));
    if (kind.role === 'source') {
      const plan = sourcePlan(info, undefined);
      const ports = plan.ports.map((p) => p.port).filter((port) => read(id).has(port));
      if (ports.length) source(plan, ports, (port, v) => byPort.set(portKey({ node: id, port }), v));
    } else if (kind.role === 'op') {
      const label = nodeLabel(info);
      const outputs = produce(info, graphValue);
      const read = Object.values(inputs);
      add({
        node: id,
        label,
        deps: deps(read),
        outputs: Object.values(outputs),
        isCall: false,
        outputGrads: (grad) => Object.values(outputs).map(() => read.some(grad)),
        instruction: (grad) => ({
          type: 'apply',
          node: id,
          label,
          kind,
          params: info.params,
          inputs,
          inShapes: info.inShapes,
          outputs,
          // Weights live only in networks: nothing in the main graph trains.
          weights: {},
          needs: { inputs: read.some(grad), weights: false },
        }),
      });
    } else if (kind.role === 'sampler') {
      const network = networks.get(kind.network(info.params))!;
      const label = nodeLabel(info);
      const outputs = produce(info, graphValue);
      add({
        node: id,
        label,
        deps: deps(Object.values(inputs)),
        outputs: Object.values(outputs),
        reads: network.reads,
        isCall: false,
        // It generates in evaluations: no gradient flows through its steps.
        outputGrads: () => Object.values(outputs).map(() => false),
        instruction: () => ({ type: 'sample', node: id, label, kind, params: info.params, network, inputs, outputs }),
      });
    } else if (kind.role === 'call') {
      const network = networks.get(kind.network(info.params))!;
      for (const input of network.inputs) {
        // Sources inside the network draw here, once for every call.
        const plan = input.source?.plan;
        if (plan && !hoisted.has(hoistedKey(plan, input.source!.port))) {
          source(plan, usedPorts(plan, [...networks.values()]), (port, v) => hoisted.set(hoistedKey(plan, port), v));
        }
      }
      const args = network.inputs.map((input) => (input.source ? hoisted.get(hoistedKey(input.source.plan, input.source.port))! : inputs[input.port!]!));
      const label = nodeLabel(info);
      const outputs = network.outputs.map((output) => graphValue(id, output.port, label, output.shape));
      const gradientPort = kind.inputGradient(info.params);
      const inputGradient = gradientPort === undefined ? undefined : graphValue(id, gradientPort, label, info.outShapes[gradientPort]!);
      add({
        node: id,
        label,
        deps: deps(args),
        outputs: inputGradient === undefined ? outputs : [...outputs, inputGradient],
        reads: network.reads,
        isCall: true,
        outputGrads: (grad, trains) => {
          const argGrads = args.map(grad);
          const grads = network.outputs.map((output) => holds(output.grad, argGrads, trains));
          // The input gradient carries one back where the first output does.
          return inputGradient === undefined ? grads : [...grads, grads[0]!];
        },
        // A call that takes an input gradient computes afresh: what an earlier call computed holds no gradient of a gradient.
        instruction: (grad, reuse) => ({ type: 'call', node: id, label, network, args, grads: args.map(grad), outputs, inputGradient, reuse: reuse && inputGradient === undefined }),
      });
    }
  }
  return {
    nodes,
    values,
    sources,
    valueOf: (ref) => byPort.get(portKey(ref))!,
    producer: (v) => producers[v]!,
  };
}

/** The ports of a source that any network reads. */
function usedPorts(plan: SourcePlan, networks: readonly NetworkPlan[]): string[] {
  const used = new Set<string>();
  for (const network of networks) for (const input of network.inputs) if (input.source?.plan.key === plan.key) used.add(input.source.port);
  return plan.ports.map((p) => p.port).filter((port) => used.has(port));
}

function produce(info: NodeInfo, value: (node: string, port: string, label: string, shape: ValueInfo['shape']) => ValueId): Record<string, ValueId> {
  return Object.fromEntries(Object.entries(info.outShapes).map(([port, shape]) => [port, value(info.node.id, port, nodeLabel(info), shape)]));
}
