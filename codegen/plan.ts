import { nodeLabel, type Analysis, type NodeInfo, type Scope } from '../lib/graph/analyse';
import type { GraphDoc, PortRef } from '../lib/graph/schema';
import type { Shape } from '../lib/graph/shape';
import type { NetworkSignature, SourceKind, WeightSpec } from '../lib/kinds/kind';
import { err, ok, type Result } from '../lib/result';
import { Namer } from './names';

/**
 * What the exporter decides before writing any code, from the one analysis:
 * the identifiers, which gradients each network call records, and which
 * values an iteration computes once and shares between its optimizer steps.
 * It mirrors the compiler (lib/compile/program.ts) so the exported program
 * computes the same numbers with the same work:
 *  - a node records the gradient of its inputs when any input carries one, and
 *    of its weights when its network trains in the current step (GradNeeds);
 *  - a value whose inputs and weights have not changed since an earlier point
 *    of the iteration is computed once there: steps that need no gradient
 *    through it read it, and a step that does (its network now trains) hands
 *    the earlier layer outputs to the network as `known`, which skips the
 *    forward matMuls (the compiler's ComputedValues).
 */

/** The generated train.ts's imports: module, and what it binds. */
export const IMPORTS: [string, string][] = [
  ['node:fs/promises', '{ mkdir, writeFile }'],
  ['node:path', 'path'],
  ['@tensorflow/tfjs', '* as tf'],
  ['./runtime/batches', '* as batches'],
  ['./runtime/grid', '{ imageBatch, imageGrid, pairs }'],
  ['./runtime/init', '{ initialValue, type Initializer }'],
  ['./runtime/mnist', '{ MNIST_FILES, mnistSplit, type MnistSplit }'],
  ['./runtime/ops', '{ opsFor, type Tensor }'],
  ['./runtime/optimizers', '* as optimizers'],
  ['./runtime/rng', '{ createRng, streamSeed, weightSeed }'],
  ['./support/backend', '{ useBackend }'],
  ['./support/checkpoint', '{ checkpointIteration, restoreCheckpoint, saveCheckpoint }'],
  ['./support/png', '{ writePng }'],
  ['./support/mnist-files', '{ readMnistFiles }'],
  ['./support/settings', '{ readSettings, usage, type Defaults }'],
];

/** The names an import clause binds: `{ a, type B }` -> a, B; `* as x` and `x` -> x. */
const bound = (clause: string) => clause.replace(/[{}]|\* as |\btype /g, '').split(',').map((name) => name.trim()).filter(Boolean);

/** Names the generated train.ts declares at module level or imports; graph names never take them. */
export const MODULE_NAMES = [
  ...IMPORTS.flatMap(([, clause]) => bound(clause)),
  'ops', 'Layers', 'Call', 'Step', 'Weights', 'Model', 'Losses', 'LossTensors', 'Mnist', 'createWeights', 'createModel', 'variablesOf',
  'minimize', 'readLosses', 'trainIteration', 'writeGrids', 'main', 'GRAPH_NAME', 'DEFAULTS', 'ITERATIONS', 'BATCH_SIZE', 'SEED',
  'SAMPLE_EVERY', 'LOG_EVERY', 'CHECKPOINT_EVERY', 'OUT_DIR', 'DATA_DIR', 'PREVIEW_COUNT', 'previewBatch',
];

/** Parameter names of every network function. */
export const NETWORK_PARAMS = { step: 'step', grad: 'grad', known: 'known', weights: 'w' } as const;

/** A gradient flag in a network body, symbolically: an input carries a gradient, or a network trains. */
type Flags = ReadonlySet<string>;
const inputAtom = (port: string) => `in:${port}`;
const trainAtom = (network: string) => `train:${network}`;

export interface NetworkInput {
  port: string;
  label: string;
  /** Parameter, local variable and `grad` key. */
  key: string;
  shape: Shape;
}

export interface NetworkOutput {
  port: string;
  label: string;
  key: string;
  source: PortRef;
  flags: Flags;
}

export interface WeightPlan {
  /** `network/node/weight` with the graph's ids: the variable's name in checkpoints and seeds. */
  name: string;
  key: string;
  spec: WeightSpec;
  fans: { fanIn: number; fanOut: number };
}

export interface BodyNode {
  info: NodeInfo;
  /** Variable per output port (ops) or the call's result (calls). */
  vars: Record<string, string>;
  /** Key in the `w` object (nodes with weights). */
  weightKey?: string;
  weights: WeightPlan[];
  /** For calls: the network called. */
  callee?: NetworkPlan;
  /** Flags of the node's inputs combined (what `needsGrad.inputs` is). */
  inputFlags: Flags;
  outFlags: Record<string, Flags>;
}

export interface NetworkPlan {
  id: string;
  name: string;
  /** Function name, and key in `weights` and `trains`. */
  fn: string;
  scope: Scope & { signature: NetworkSignature };
  inputs: NetworkInput[];
  outputs: NetworkOutput[];
  /** Live op and call nodes in topological order (what the outputs depend on). */
  body: BodyNode[];
  /** Every network whose weights this one reads (itself and those it calls). */
  reads: ReadonlySet<string>;
  /** Network ids, for ordering atoms. */
  atomOrder: string[];
}

export interface SourcePlan {
  info: NodeInfo;
  kind: SourceKind;
  key: string;
  /** The compiler's stream key, `<network>/<node>` with the graph's ids. */
  stream: string;
  perStep: boolean;
}

/** How one step obtains a main-graph node: computed in the step, read from a shared value, or recomputed with gradients over known forward values. */
export type Mode = { kind: 'fresh' } | { kind: 'shared'; section: number } | { kind: 'known'; section: number };

export interface StepPlan {
  optimizer: NodeInfo;
  /** The optimizer's variable and the key in the model's `variables`. */
  key: string;
  lossName: string;
  loss: PortRef;
  repeat: number;
  trains: ReadonlySet<string>;
  /** Main-graph nodes the step reaches from its loss, in topological order, with how it obtains each. */
  nodes: { id: string; mode: Mode }[];
  /** Gradient flag of each main-graph output port in this step, by `node:port`. */
  grads: ReadonlyMap<string, boolean>;
}

export interface Plan {
  doc: GraphDoc;
  analysis: Analysis;
  networks: NetworkPlan[];
  networkById: ReadonlyMap<string, NetworkPlan>;
  sources: SourcePlan[];
  sourceById: ReadonlyMap<string, SourcePlan>;
  /** A base identifier for every main-graph node. */
  mainNames: ReadonlyMap<string, string>;
  steps: StepPlan[];
  /** Section k is computed just before step k (section 0: at the start of the iteration): node ids in topological order. */
  sections: string[][];
  /** Loss names in schedule order, once each (what every log line shows). */
  lossNames: string[];
}

const portKey = (ref: PortRef) => `${ref.node}:${ref.port}`;

export function planExport(doc: GraphDoc, analysis: Analysis): Result<Plan> {
  if (!analysis.ok) return err('the graph has errors');
  const module = new Namer(undefined, MODULE_NAMES);
  const networks: NetworkPlan[] = [];
  const networkById = new Map<string, NetworkPlan>();
  for (const id of analysis.networkOrder) {
    const scope = analysis.networks.get(id)!;
    const name = doc.networks.find((n) => n.id === id)!.name;
    const sourceInside = [...scope.nodes.values()].find((info) => info.kind?.role === 'source');
    if (sourceInside) {
      return err(
        `network ${name}, node ${nodeLabel(sourceInside)}: a data source inside a network cannot be exported yet; ` +
          'move it to the main graph and pass it in through a network input',
      );
    }
    const plan = planNetwork(id, name, module.name(name, 'network'), scope, networkById, analysis);
    networks.push(plan);
    networkById.set(id, plan);
  }

  const main = analysis.main;
  const mainNamer = module.child();
  const mainNames = new Map(main.order.map((id) => [id, mainNamer.name(nodeLabel(main.nodes.get(id)!))]));
  const sources: SourcePlan[] = [];
  for (const id of main.order) {
    const info = main.nodes.get(id)!;
    if (info.kind?.role !== 'source') continue;
    sources.push({ info, kind: info.kind, key: mainNames.get(id)!, stream: `/${id}`, perStep: info.kind.draw(info.params) === 'per-step' });
  }
  const sourceById = new Map(sources.map((s) => [s.info.node.id, s]));

  const stepNamer = module.child();
  const steps: StepPlan[] = analysis.schedule.map(({ optimizer, repeat }) => {
    const info = analysis.optimizers.find((o) => o.node === optimizer)!;
    const node = main.nodes.get(optimizer)!;
    const trains = new Set(info.networks);
    const nodes = cone(main, info.loss.node);
    return {
      optimizer: node,
      key: stepNamer.name(nodeLabel(node), 'optimizer'),
      lossName: nodeLabel(main.nodes.get(info.loss.node)!),
      loss: info.loss,
      repeat,
      trains,
      nodes: nodes.map((id) => ({ id, mode: { kind: 'fresh' } })),
      grads: mainGrads(main, nodes, trains, networkById),
    };
  });
  const sections = shareValues(main, steps, sourceById, networkById);
  return ok({
    doc,
    analysis,
    networks,
    networkById,
    sources,
    sourceById,
    mainNames,
    steps,
    sections,
    lossNames: [...new Set(steps.map((s) => s.lossName))],
  });
}

function planNetwork(id: string, name: string, fn: string, scope: Scope & { signature: NetworkSignature }, known: Map<string, NetworkPlan>, analysis: Analysis): NetworkPlan {
  const locals = new Namer(undefined, [...MODULE_NAMES, ...Object.values(NETWORK_PARAMS), ...[...known.values()].map((n) => n.fn), fn]);
  const outputKeys = new Namer();
  const inputs = scope.signature.inputs.map((input) => ({ ...input, key: locals.name(input.label, 'input') }));
  const flags = new Map<string, Flags>();
  for (const input of inputs) flags.set(portKey({ node: input.port, port: 'out' }), new Set([inputAtom(input.port)]));

  const outputNodes = [...scope.nodes.values()].filter((info) => info.kind?.role === 'network-output');
  const live = new Set(cone(scope, ...outputNodes.map((info) => info.node.id)));
  const body: BodyNode[] = [];
  const weightKeys = new Namer();
  const reads = new Set([id]);
  for (const nodeId of scope.order) {
    const info = scope.nodes.get(nodeId)!;
    const kind = info.kind!;
    if (!live.has(nodeId) || (kind.role !== 'op' && kind.role !== 'call')) continue;
    const incoming = scope.incoming.get(nodeId) ?? new Map<string, PortRef>();
    const inputFlags = union([...incoming.values()].map((ref) => flags.get(portKey(ref))!));
    const outFlags: Record<string, Flags> = {};
    const vars: Record<string, string> = {};
    let weights: WeightPlan[] = [];
    let weightKey: string | undefined;
    let callee: NetworkPlan | undefined;
    if (kind.role === 'op') {
      const specs = kind.weights?.(info.params, info.inShapes) ?? [];
      const ports = Object.keys(info.outShapes);
      for (const port of ports) vars[port] = locals.name(ports.length === 1 ? nodeLabel(info) : `${nodeLabel(info)}_${port}`);
      if (specs.length) {
        weightKey = weightKeys.name(vars[ports[0]!] ?? nodeLabel(info));
        const specKeys = new Namer();
        weights = specs.map((spec) => ({
          name: `${id}/${nodeId}/${spec.name}`,
          key: specKeys.name(spec.name, 'weight'),
          spec,
          fans: spec.fans ?? { fanIn: spec.shape[0] ?? 1, fanOut: spec.shape[1] ?? 1 },
        }));
      }
      const own = specs.length ? union([inputFlags, new Set([trainAtom(id)])]) : inputFlags;
      for (const port of ports) outFlags[port] = own;
    } else {
      callee = known.get(kind.network(info.params))!;
      callee.reads.forEach((n) => reads.add(n));
      vars.call = locals.name(nodeLabel(info));
      for (const output of callee.outputs) {
        outFlags[output.port] = substitute(output.flags, (port) => {
          const ref = incoming.get(port);
          return ref ? flags.get(portKey(ref))! : new Set();
        });
      }
    }
    for (const [port, f] of Object.entries(outFlags)) flags.set(portKey({ node: nodeId, port }), f);
    body.push({ info, vars, weightKey, weights, callee, inputFlags, outFlags });
  }
  const outputs = scope.signature.outputs.map((output) => {
    const source = scope.incoming.get(output.port)!.get('in')!;
    return { port: output.port, label: output.label, key: outputKeys.name(output.label, 'output'), source, flags: flags.get(portKey(source))! };
  });
  return { id, name, fn, scope, inputs, outputs, body, reads, atomOrder: analysis.networkOrder };
}

/** Renders a flag set as a boolean expression over `grad.<input>` and `step.trains.<network>`. */
export function flagExpression(flags: Flags, network: NetworkPlan, networks: ReadonlyMap<string, NetworkPlan>): string {
  const terms = [
    ...network.inputs.filter((input) => flags.has(inputAtom(input.port))).map((input) => `${NETWORK_PARAMS.grad}.${input.key}`),
    ...network.atomOrder.filter((id) => flags.has(trainAtom(id))).map((id) => `${NETWORK_PARAMS.step}.trains.${networks.get(id)!.fn}`),
  ];
  return terms.length ? terms.join(' || ') : 'false';
}

function substitute(flags: Flags, input: (port: string) => Flags): Flags {
  const out = new Set<string>();
  for (const atom of flags) {
    if (atom.startsWith('in:')) input(atom.slice(3)).forEach((a) => out.add(a));
    else out.add(atom);
  }
  return out;
}

const union = (sets: Flags[]): Flags => new Set(sets.flatMap((s) => [...s]));

/** The nodes the given nodes depend on (themselves included), in the scope's topological order. */
export function cone(scope: Scope, ...targets: string[]): string[] {
  const needed = new Set<string>();
  const stack = [...targets];
  while (stack.length) {
    const id = stack.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    for (const ref of scope.incoming.get(id)?.values() ?? []) stack.push(ref.node);
  }
  return scope.order.filter((id) => needed.has(id));
}

/** Which main-graph ports carry a gradient in a step that trains `trains` (the compiler's Value.grad). */
function mainGrads(main: Scope, nodes: string[], trains: ReadonlySet<string>, networks: ReadonlyMap<string, NetworkPlan>): Map<string, boolean> {
  const grads = new Map<string, boolean>();
  for (const id of nodes) {
    const info = main.nodes.get(id)!;
    const incoming = main.incoming.get(id) ?? new Map<string, PortRef>();
    const inputGrad = [...incoming.values()].some((ref) => grads.get(portKey(ref)));
    const kind = info.kind!;
    if (kind.role === 'call') {
      const callee = networks.get(kind.network(info.params))!;
      for (const output of callee.outputs) {
        const value = [...output.flags].some((atom) =>
          atom.startsWith('in:') ? grads.get(portKey(incoming.get(atom.slice(3))!)) === true : trains.has(atom.slice(6)),
        );
        grads.set(portKey({ node: id, port: output.port }), value);
      }
    } else {
      for (const port of Object.keys(info.outShapes)) grads.set(portKey({ node: id, port }), kind.role === 'op' && inputGrad);
    }
  }
  return grads;
}

/**
 * Decides, for every step, which of its nodes it reads from a value computed
 * earlier in the iteration. A node's value is the same from section k to step
 * s when it draws no per-step data and no step in k..s-1 trains a network it
 * reads (nor step s itself when s repeats, as its later rounds see new
 * weights). Such a node is computed once in the earliest such section; steps
 * read it when they need no gradient through it, and re-run it over its known
 * layer outputs when they do (calls only, in a step that runs once).
 */
function shareValues(main: Scope, steps: StepPlan[], sources: ReadonlyMap<string, SourcePlan>, networks: ReadonlyMap<string, NetworkPlan>): string[][] {
  const reads = new Map<string, Set<string>>();
  const perStep = new Map<string, boolean>();
  for (const id of main.order) {
    const info = main.nodes.get(id)!;
    const incoming = [...(main.incoming.get(id)?.values() ?? [])];
    const own = info.kind?.role === 'call' ? networks.get(info.kind.network(info.params))!.reads : new Set<string>();
    reads.set(id, new Set([...own, ...incoming.flatMap((ref) => [...reads.get(ref.node)!])]));
    perStep.set(id, sources.get(id)?.perStep === true || incoming.some((ref) => perStep.get(ref.node)));
  }
  const sections: Set<string>[] = steps.map(() => new Set());
  const sectionOf = (id: string, s: number): number | undefined => {
    if (perStep.get(id)) return undefined;
    const touched = (k: number) => [...reads.get(id)!].some((n) => steps[k]!.trains.has(n));
    if (steps[s]!.repeat > 1 && touched(s)) return undefined;
    let k = s;
    while (k > 0 && !touched(k - 1)) k--;
    return k;
  };
  const share = (id: string, k: number, s: number) => {
    if (sections[k]!.has(id)) return;
    sections[k]!.add(id);
    // Its inputs are unchanged over at least the same span: each goes to its own earliest section.
    for (const ref of main.incoming.get(id)?.values() ?? []) share(ref.node, sectionOf(ref.node, s)!, s);
  };
  // A value computed in a section must be read there at least once without gradients to be worth sharing.
  for (const [s, step] of steps.entries()) {
    for (const node of step.nodes) {
      const k = sectionOf(node.id, s);
      const needsGrad = Object.keys(main.nodes.get(node.id)!.outShapes).some((port) => step.grads.get(`${node.id}:${port}`));
      if (k !== undefined && !needsGrad) {
        node.mode = { kind: 'shared', section: k };
        share(node.id, k, s);
      }
    }
  }
  for (const [s, step] of steps.entries()) {
    for (const node of step.nodes) {
      const k = sectionOf(node.id, s);
      const isCall = main.nodes.get(node.id)!.kind?.role === 'call';
      if (node.mode.kind === 'fresh' && k !== undefined && isCall && step.repeat === 1 && sections[k]!.has(node.id)) node.mode = { kind: 'known', section: k };
    }
  }
  // A step computes only what its loss reaches through nodes it does not read from a section.
  for (const step of steps) {
    const modes = new Map(step.nodes.map((n) => [n.id, n.mode]));
    const reached = new Set<string>();
    const stack = [step.loss.node];
    while (stack.length) {
      const id = stack.pop()!;
      if (reached.has(id)) continue;
      reached.add(id);
      if (modes.get(id)!.kind !== 'shared') for (const ref of main.incoming.get(id)?.values() ?? []) stack.push(ref.node);
    }
    step.nodes = step.nodes.filter((n) => reached.has(n.id));
  }
  return sections.map((section) => main.order.filter((id) => section.has(id)));
}

