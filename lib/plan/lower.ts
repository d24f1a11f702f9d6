import { nodeLabel, type Analysis } from '../graph/analyse';
import type { PortRef } from '../graph/schema';
import { datasetKey, type DatasetRef } from '../runtime/dataset';
import { lowerMain, type MainGraph } from './main';
import { lowerNetworks } from './networks';
import type { TrainingIdentity } from '../runtime/checkpoint';
import { previewLayout, qualityPlan, type MonitorPlan, type OptimizerPlan, type PreviewPlan, type TrainingPlan, type WeightPlan } from './plan';
import { evaluation, lowerSteps } from './steps';
import { numberDraws } from './draws';
import { batchCalls } from './batching';

const memo = new WeakMap<Analysis, TrainingPlan>();

/**
 * Analysis -> TrainingPlan, once per analysis. The graph must have no errors
 * (callers check `analysis.ok` first and report the problems).
 */
export function lower(analysis: Analysis): TrainingPlan {
  let plan = memo.get(analysis);
  if (!plan) {
    plan = lowerOnce(analysis);
    memo.set(analysis, plan);
  }
  return plan;
}

function lowerOnce(analysis: Analysis): TrainingPlan {
  if (!analysis.ok) throw new Error(`cannot plan training for a graph with ${analysis.errors.length} error(s)`);
  const { doc, main } = analysis;
  const networks = lowerNetworks(analysis);
  const byId = new Map(networks.map((n) => [n.id, n]));
  const { samples, reconstructions } = analysis.previews;
  const previewed = [samples?.ref, reconstructions?.ref, reconstructions?.input].filter((ref): ref is PortRef => ref !== undefined);
  const graph = lowerMain(main, byId, (node) => {
    const read = new Set(previewed.filter((ref) => ref.node === node).map((ref) => ref.port));
    for (const ports of main.incoming.values()) for (const ref of ports.values()) if (ref.node === node) read.add(ref.port);
    return read;
  });

  const optimizers = new Map<string, OptimizerPlan>(
    analysis.optimizers.map((o) => [
      o.node,
      {
        node: o.node,
        label: nodeLabel(main.nodes.get(o.node)!),
        kind: o.kind,
        params: o.params,
        networks: o.networks,
        variables: o.networks.flatMap((id) => byId.get(id)!.weights.filter((w) => w.trainable)),
      },
    ]),
  );
  const lowered = lowerSteps(
    graph,
    analysis.schedule.map(({ optimizer, repeat }) => {
      const plan = optimizers.get(optimizer)!;
      const { loss } = analysis.optimizers.find((o) => o.node === optimizer)!;
      return { optimizer: plan, loss: graph.valueOf(loss), lossName: nodeLabel(main.nodes.get(loss.node)!), repeat };
    }),
  );
  const numbered = numberDraws(lowered.sections, lowered.steps);
  const { sections, drawsPerIteration } = numbered;
  const steps = numbered.steps.map((step) => ({ ...step, body: batchCalls(step.body) }));

  const preview = (ref: PortRef, { range, image }: Pick<PreviewPlan, 'range' | 'image'>): PreviewPlan => {
    const value = graph.valueOf(ref);
    return { value, range, image, body: evaluation(graph, [value]) };
  };
  const monitors = monitorPlans(analysis, graph);
  const datasets = new Map<string, DatasetRef>();
  for (const source of graph.sources) for (const ref of source.datasets) datasets.set(datasetKey(ref), ref);

  const samplesPlan = samples && preview(samples.ref, samples);
  return {
    name: doc.name,
    description: doc.description,
    settings: { batchSize: doc.training.batchSize, iterations: doc.training.iterations, seed: doc.training.seed, sampleEvery: doc.training.sampleEvery, backend: doc.training.backend, guard: doc.training.guard, evaluation: doc.training.evaluation },
    networks,
    weights: networks.flatMap((n) => n.weights),
    sources: graph.sources,
    datasets: [...datasets.values()],
    optimizers: [...optimizers.values()],
    values: graph.values,
    sections,
    steps,
    previews: {
      samples: samplesPlan,
      reconstructions: reconstructions && { inputs: preview(reconstructions.input, reconstructions), outputs: preview(reconstructions.ref, reconstructions) },
      layout: previewLayout(graph.sources),
    },
    quality: qualityPlan(graph.sources, samplesPlan),
    monitors: { values: monitors, body: evaluation(graph, monitors.map((m) => m.value)) },
    lossNames: [...new Set(steps.map((s) => s.lossName))],
    drawsPerIteration,
    identity: identity(networks.flatMap((n) => n.weights), [...optimizers.values()]),
  };
}

/** The weights (names, shapes) and optimizers (kinds, the weights they update, in order) a checkpoint must match, hashed. */
function identity(weights: readonly WeightPlan[], optimizers: readonly OptimizerPlan[]): TrainingIdentity {
  const text = JSON.stringify([weights.map((w) => [w.name, w.shape]), optimizers.map((o) => [o.node, o.kind.kind, o.variables.map((v) => v.name)])]);
  // FNV-1a, 32 bits twice (two offsets): a fingerprint, not a security check.
  const fnv = (offset: number) => {
    let h = offset;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
    return h.toString(16).padStart(8, '0');
  };
  return { structure: fnv(2166136261) + fnv(0x811c9dc5 ^ 0x5bd1e995), optimizerKinds: Object.fromEntries(optimizers.map((o) => [o.node, o.kind.kind])) };
}

/** The inputs the main graph's loss nodes monitor, once each (G's loss and D's fake loss read the same D(G(z))). */
function monitorPlans(analysis: Analysis, graph: MainGraph): MonitorPlan[] {
  const { main } = analysis;
  const found = new Map<number, MonitorPlan>();
  for (const id of main.order) {
    const kind = main.nodes.get(id)!.kind;
    const monitor = kind?.role === 'op' ? kind.monitor : undefined;
    const ref = monitor && main.incoming.get(id)?.get(monitor.input);
    if (!monitor || !ref) continue;
    const value = graph.valueOf(ref);
    if (!found.has(value)) found.set(value, { name: monitor.describe(nodeLabel(main.nodes.get(ref.node)!)), value, monitor });
  }
  return [...found.values()];
}
