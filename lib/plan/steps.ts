import { reach } from '../graph/walk';
import type { MainGraph } from './main';
import type { MainInstr, OptimizerPlan, StepPlan, ValueId } from './plan';

export interface StepSpec {
  optimizer: OptimizerPlan;
  loss: ValueId;
  lossName: string;
  repeat: number;
}

type Mode = 'fresh' | 'shared' | 'reuse';

/**
 * The optimizer steps of one iteration, and the values they share. A node's
 * value is the same from section k to step s when it draws no per-step data
 * and no step in k..s-1 trains a network it reads (nor step s itself when s
 * repeats, as its later rounds see new weights). Such a node is computed once,
 * in the earliest such section: steps that need no gradient through it read
 * it there, and a step that does (its network now trains) re-runs a call over
 * the layer outputs computed there (`reuse`), which skips the forward work.
 */
export function lowerSteps(graph: MainGraph, specs: readonly StepSpec[]): { steps: StepPlan[]; sections: MainInstr[][] } {
  const { nodes } = graph;
  const trains = specs.map((spec) => new Set(spec.optimizer.networks));
  const cones = specs.map((spec) => upstreamNodes(graph, [graph.producer(spec.loss)]));
  const grads = specs.map((_, s) => gradients(graph, cones[s]!, trains[s]!));

  const sectionOf = (i: number, s: number): number | undefined => {
    const node = nodes[i]!;
    if (node.perStep) return undefined;
    const touched = (k: number) => [...node.reads].some((network) => trains[k]!.has(network));
    if (specs[s]!.repeat > 1 && touched(s)) return undefined;
    let k = s;
    while (k > 0 && !touched(k - 1)) k--;
    return k;
  };
  const sections = specs.map(() => new Set<number>());
  const share = (i: number, k: number, s: number) => {
    if (sections[k]!.has(i)) return;
    sections[k]!.add(i);
    // Its inputs are unchanged over at least the same span: each goes to its own earliest section.
    for (const d of nodes[i]!.deps) share(d, sectionOf(d, s)!, s);
  };

  // A value is shared when a step needs no gradient through it, computed in the section that step reads.
  const modes = specs.map((_, s) => {
    const mode = new Map<number, Mode>();
    for (const i of cones[s]!) {
      const k = sectionOf(i, s);
      const needsGrad = nodes[i]!.outputs.some(grads[s]!);
      if (k !== undefined && !needsGrad) {
        mode.set(i, 'shared');
        share(i, k, s);
      } else mode.set(i, 'fresh');
    }
    return mode;
  });
  // A call that a section computed anyway, and that this step must record gradients through, reuses that section's layers.
  specs.forEach((spec, s) => {
    for (const i of cones[s]!) {
      const k = sectionOf(i, s);
      if (modes[s]!.get(i) === 'fresh' && k !== undefined && nodes[i]!.isCall && spec.repeat === 1 && sections[k]!.has(i)) modes[s]!.set(i, 'reuse');
    }
  });

  const steps = specs.map((spec, s): StepPlan => {
    const mode = modes[s]!;
    // Only what the loss reaches through values the step computes itself.
    const own = upstreamNodes(graph, [graph.producer(spec.loss)], (i) => mode.get(i) !== 'shared').filter((i) => mode.get(i) !== 'shared');
    return {
      optimizer: spec.optimizer,
      loss: spec.loss,
      lossName: spec.lossName,
      repeat: spec.repeat,
      trains: trains[s]!,
      body: own.map((i) => nodes[i]!.instruction(grads[s]!, mode.get(i) === 'reuse')),
    };
  });
  const none = () => false;
  return { steps, sections: sections.map((section) => [...section].sort((a, b) => a - b).map((i) => nodes[i]!.instruction(none, false))) };
}

/** Instructions computing the given values with no gradients (previews, monitors). */
export function evaluation(graph: MainGraph, values: readonly ValueId[]): MainInstr[] {
  const none = () => false;
  return upstreamNodes(graph, values.map(graph.producer)).map((i) => graph.nodes[i]!.instruction(none, false));
}

/** Nodes the targets depend on (themselves included), in order; the walk stops past a node for which `through` is false. */
function upstreamNodes(graph: MainGraph, targets: readonly number[], through?: (i: number) => boolean): number[] {
  return [...reach(targets, (i) => graph.nodes[i]!.deps, through)].sort((a, b) => a - b);
}

/** Which values carry a gradient in a step that trains `trains`. */
function gradients(graph: MainGraph, order: readonly number[], trains: ReadonlySet<string>): (value: ValueId) => boolean {
  const grad = new Map<ValueId, boolean>();
  const read = (value: ValueId) => grad.get(value) === true;
  for (const i of order) {
    const node = graph.nodes[i]!;
    const flags = node.outputGrads(read, trains);
    node.outputs.forEach((value, k) => grad.set(value, flags[k]!));
  }
  return read;
}
