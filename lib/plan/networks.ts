import { nodeLabel, type Analysis, type NetworkScope, type NodeInfo, type Scope } from '../graph/analyse';
import type { PortRef } from '../graph/schema';
import { cone, portKey } from '../graph/walk';
import { NEVER, onInput, substitute, union, whenTraining } from './conditions';
import type { BodyInstr, GradCondition, NetworkInput, NetworkOutput, NetworkPlan, SourcePlan, ValueId, ValueInfo, WeightPlan } from './plan';

/**
 * Lowers every network body to a function: its inputs (graph inputs, then the
 * sources it draws, hoisted so that every call shares one draw), the layers
 * and calls its outputs depend on, each with the condition under which it
 * records gradients, and its weights.
 */
export function lowerNetworks(analysis: Analysis): NetworkPlan[] {
  const plans = new Map<string, NetworkPlan>();
  for (const id of analysis.networkOrder) {
    // A block seen on its own holds no weights: its calls are networks of their own.
    if (analysis.blocks.views.has(id)) continue;
    const scope = analysis.networks.get(id)!;
    plans.set(id, new NetworkLowering(id, analysis.doc.networks.find((n) => n.id === id)!.name, scope, plans).lower());
  }
  return [...plans.values()];
}

/**
 * One part of a name joined with `/` (weights' `network/node/weight`, sources'
 * `network/node`): its `%` and `/` escaped as in URLs, so that two different
 * ids never make one name (network `N` with layer `a/b`, network `N/a` with
 * layer `b`). Ids without them, all the editor makes, stay as they are.
 */
export const nameSegment = (id: string): string => id.replace(/%/g, '%25').replace(/\//g, '%2F');

/** A source's plan, wherever it sits. */
export function sourcePlan(info: NodeInfo, network: string | undefined): SourcePlan {
  if (info.kind?.role !== 'source') throw new Error(`node ${info.node.id} is not a source`);
  return {
    key: `${nameSegment(network ?? '')}/${nameSegment(info.node.id)}`,
    node: info.node.id,
    network,
    label: nodeLabel(info),
    kind: info.kind,
    params: info.params,
    draw: info.kind.draw(info.params),
    datasets: info.kind.datasets(info.params),
    ports: Object.entries(info.outShapes).map(([port, shape]) => ({ port, shape })),
  };
}

/** Every weight of the scope's nodes, in the scope's order (dead branches included: checkpoints hold every weight). */
export function weightPlans(network: string, scope: Scope): WeightPlan[] {
  const weights: WeightPlan[] = [];
  for (const id of scope.order) {
    const info = scope.nodes.get(id)!;
    if (info.kind?.role !== 'op' || !info.kind.weights) continue;
    for (const spec of info.kind.weights(info.params, info.inShapes)) {
      weights.push({
        name: `${nameSegment(network)}/${nameSegment(id)}/${spec.name}`,
        network,
        node: id,
        weight: spec.name,
        label: nodeLabel(info),
        shape: spec.shape,
        init: spec.init,
        fans: spec.fans ?? { fanIn: spec.shape[0] ?? 1, fanOut: spec.shape[1] ?? 1 },
        trainable: spec.trainable ?? true,
      });
    }
  }
  return weights;
}

class NetworkLowering {
  private values: ValueInfo[] = [];
  private byPort = new Map<string, ValueId>();
  private conditions: GradCondition[] = [];
  private inputs: NetworkInput[] = [];
  /** Hoisted inputs by `sourceKey:port`. */
  private drawn = new Map<string, number>();
  /** Sources of this body, hoisted port by port as they are read. */
  private sources = new Map<string, SourcePlan>();

  constructor(
    private id: string,
    private name: string,
    private scope: NetworkScope,
    private known: ReadonlyMap<string, NetworkPlan>,
  ) {}

  lower(): NetworkPlan {
    const { scope } = this;
    for (const input of scope.signature.inputs) {
      const info = scope.nodes.get(input.port)!;
      const kind = info.kind!;
      if (kind.role !== 'network-input') throw new Error(`input ${input.port} is not a network input`);
      const value = this.value({ node: input.port, port: kind.port }, info, input.shape);
      this.conditions[value] = onInput(this.inputs.length);
      this.inputs.push({ label: input.label, shape: input.shape, value, port: input.port });
    }
    const outputNodes = scope.signature.outputs.map((o) => o.port);
    const weights = weightPlans(this.id, scope);
    const body: BodyInstr[] = [];
    for (const id of cone(scope, outputNodes)) {
      const info = scope.nodes.get(id)!;
      const kind = info.kind!;
      const incoming = scope.incoming.get(id) ?? new Map<string, PortRef>();
      if (kind.role === 'source') {
        this.sources.set(id, sourcePlan(info, this.id));
      } else if (kind.role === 'op') {
        const inputs = this.read(incoming);
        const own = weights.filter((w) => w.node === id);
        const inputGrad = union(...Object.values(inputs).map((v) => this.conditions[v]!));
        const outGrad = own.length ? union(inputGrad, whenTraining(this.id)) : inputGrad;
        const outputs = this.produce(info, outGrad);
        body.push({
          type: 'apply',
          node: id,
          label: nodeLabel(info),
          kind,
          params: info.params,
          inputs,
          inShapes: info.inShapes,
          outputs,
          weights: Object.fromEntries(own.map((w) => [w.weight, w])),
          needs: { inputs: inputGrad, weights: whenTraining(this.id) },
        });
      } else if (kind.role === 'call') {
        const callee = this.known.get(kind.network(info.params))!;
        const args = callee.inputs.map((input) => {
          if (input.source) return this.hoist(input.source.plan, input.source.port, input.shape);
          return this.lookup(incoming.get(input.port!)!);
        });
        const grads = args.map((v) => this.conditions[v]!);
        const outputs = callee.outputs.map((output) => {
          const value = this.value({ node: id, port: output.port }, info, output.shape);
          this.conditions[value] = substitute(output.grad, grads);
          return value;
        });
        const gradientPort = kind.inputGradient(info.params);
        let inputGradient: ValueId | undefined;
        if (gradientPort !== undefined) {
          inputGradient = this.value({ node: id, port: gradientPort }, info, info.outShapes[gradientPort]!);
          // It carries a gradient back where the first output does.
          this.conditions[inputGradient] = this.conditions[outputs[0]!]!;
        }
        body.push({ type: 'call', node: id, label: nodeLabel(info), network: callee, args, grads, outputs, inputGradient, reuse: false });
      }
    }
    const outputs: NetworkOutput[] = scope.signature.outputs.map((output) => {
      const info = scope.nodes.get(output.port)!;
      const kind = info.kind!;
      if (kind.role !== 'network-output') throw new Error(`output ${output.port} is not a network output`);
      const value = this.lookup(scope.incoming.get(output.port)!.get(kind.port)!);
      return { port: output.port, label: output.label, shape: output.shape!, value, grad: this.conditions[value]! };
    });
    const reads = new Set([this.id]);
    for (const instr of body) if (instr.type === 'call') instr.network.reads.forEach((n) => reads.add(n));
    return { id: this.id, name: this.name, inputs: this.inputs, outputs, body, values: this.values, weights, reads };
  }

  private value(ref: PortRef, info: NodeInfo, shape: ValueInfo['shape']): ValueId {
    const id = this.values.length;
    this.values.push({ node: ref.node, port: ref.port, label: nodeLabel(info), shape });
    this.byPort.set(portKey(ref), id);
    return id;
  }

  private read(incoming: ReadonlyMap<string, PortRef>): Record<string, ValueId> {
    return Object.fromEntries([...incoming].map(([port, ref]) => [port, this.lookup(ref)]));
  }

  /** The value of an output port: computed earlier in the body, or a source's port brought in as an input. */
  private lookup(ref: PortRef): ValueId {
    const source = this.sources.get(ref.node);
    if (source) return this.hoist(source, ref.port, source.ports.find((p) => p.port === ref.port)!.shape);
    return this.byPort.get(portKey(ref))!;
  }

  private produce(info: NodeInfo, grad: GradCondition): Record<string, ValueId> {
    return Object.fromEntries(
      Object.entries(info.outShapes).map(([port, shape]) => {
        const value = this.value({ node: info.node.id, port }, info, shape);
        this.conditions[value] = grad;
        return [port, value];
      }),
    );
  }

  /** The input that brings one port of a source's draw into this network (created once). */
  private hoist(plan: SourcePlan, port: string, shape: ValueInfo['shape']): ValueId {
    const key = `${plan.key}:${port}`;
    const index = this.drawn.get(key);
    if (index !== undefined) return this.inputs[index]!.value;
    const id = this.values.length;
    this.values.push({ node: plan.node, port, label: plan.label, shape });
    this.conditions[id] = NEVER;
    this.drawn.set(key, this.inputs.length);
    this.inputs.push({ label: plan.label, shape, value: id, source: { plan, port } });
    return id;
  }
}
