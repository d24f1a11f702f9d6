import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportProject } from '@/codegen/export';
import { checkOnnxAll, runOnnx } from '@/codegen/onnx/check';
import { findNetwork, writeNetworkOnnx } from '@/codegen/onnx/network';
import { onnx } from '@/codegen/onnx/target';
import { checkpointTensors } from '@/codegen/onnx/weights';
import type { HostTensor } from '@/codegen/onnx/tensor';
import { callNetwork } from '@/lib/compile/interpret';
import { compile, type TrainingProgram } from '@/lib/compile/program';
import { analyse } from '@/lib/graph/analyse';
import type { GraphDoc } from '@/lib/graph/schema';
import { kinds } from '@/lib/kinds/registry';
import { lower } from '@/lib/plan/lower';
import type { MainInstr, NetworkPlan, TrainingPlan } from '@/lib/plan/plan';
import { encodeCheckpoint, parseCheckpoint } from '@/lib/runtime/checkpoint';
import { templates } from '@/lib/templates';
import { syntheticData } from '../../fixtures/fuzz';
import { tensor } from '../../fixtures/onnx';
import { wasm } from '../../helpers';
import { budget } from '../../fixtures/budget';

/**
 * The ONNX target on every template: each template's generator or decoder
 * (the network its samples preview calls; its reconstructions' last network
 * where it has no samples), and every other network of it, exported after 50
 * training iterations of the compiled program (batch 8, wasm backend) with
 * that state as a checkpoint, and with the initial weights, give in
 * onnxruntime-node what the app's interpreter (callNetwork, evaluation)
 * gives on the same inputs, to 1e-5 absolute, at 16 rows (a preview grid)
 * and at 1 (the batch axis is dynamic); ONNX's checker accepts every file.
 */
const ITERATIONS = 50;
const BATCH = 8;
const TOLERANCE = 1e-5;

const plans = new Map(templates.map((t) => [t.id, lower(analyse(t.doc) as never)] as const));

/** The networks a preview calls, in order (batched calls and a sampler's denoiser included). */
const called = (body: readonly MainInstr[] | undefined): NetworkPlan[] =>
  (body ?? []).flatMap((i) => (i.type === 'call' || i.type === 'batched-call' || i.type === 'sample' ? [i.network] : []));

/** A template's generator or decoder: what its samples preview calls, else the last network its reconstructions call. */
function generator(plan: TrainingPlan): NetworkPlan {
  const network = called(plan.previews.samples?.body).at(-1) ?? called(plan.previews.reconstructions?.outputs.body).at(-1);
  if (!network) throw new Error(`${plan.name}: no preview calls a network`);
  return network;
}

/** Feeds for the network's inputs at `rows` rows (a fixed-size input keeps its own). */
function feeds(network: NetworkPlan, rows: number, seed: number): HostTensor[] {
  return network.inputs.map((input, i) => tensor(input.shape.map((d) => d ?? rows), seed + 31 * i));
}

/** What the app computes: the network's outputs through the compiled program's weights, as previews evaluate it. */
function appOutputs(program: TrainingProgram, network: NetworkPlan, inputs: readonly HostTensor[]): HostTensor[] {
  const weights = program.weights();
  return tf.tidy(() => {
    const ctx = {
      tf,
      trains: new Set<string>(),
      training: false,
      variable: (w: { name: string }) => weights.get(w.name)!,
      draw: () => {
        throw new Error('an exported network draws nothing itself');
      },
      samplerNoise: () => {
        throw new Error('an exported network samples nothing itself');
      },
    };
    const { outputs } = callNetwork(network, inputs.map((t) => tf.tensor(t.data, [...t.shape])), inputs.map(() => false), ctx);
    return outputs.map((t) => ({ data: t.dataSync() as Float32Array, shape: t.shape }));
  });
}

/**
 * The largest difference, relative to the expected output's scale where that
 * passes 1: float32 rounding grows with the values (an unbounded logit summed
 * over hundreds of products), and bounded outputs (a generator's pixels) are
 * held to the absolute tolerance.
 */
function maxDifference(a: HostTensor, want: HostTensor): number {
  const scale = Math.max(1, want.data.reduce((max, v) => Math.max(max, Math.abs(v)), 0));
  return a.data.reduce((max, v, i) => Math.max(max, Math.abs(v - want.data[i]!)), 0) / scale;
}

interface Exported {
  name: string;
  bytes: Uint8Array;
}

/** Exports the network through the registry (exportProject, as the CLI and the route do) and compares it in onnxruntime with the app; returns the largest difference. */
async function compare(doc: GraphDoc, program: TrainingProgram, network: NetworkPlan, weights: ReadonlyMap<string, HostTensor> | undefined, files: Exported[], label: string): Promise<number> {
  const project = exportProject(doc, onnx.id, { network: network.name, weights });
  if (!project.ok) throw new Error(`${label}: ${project.error}`);
  const [file, bytes] = [...project.value.files][0]!;
  expect(file).toBe(`${network.name}.onnx`);
  const model = bytes as Uint8Array;
  files.push({ name: label, bytes: model });
  let worst = 0;
  for (const rows of [16, 1]) {
    const inputs = feeds(network, rows, rows);
    const names = network.inputs.map((input) => input.label);
    const got = await runOnnx(model, Object.fromEntries(names.map((name, i) => [name, inputs[i]!])));
    const want = appOutputs(program, network, inputs);
    network.outputs.forEach((output, i) => {
      const actual = got[output.label]!;
      expect(actual, `${label}: output ${output.label}`).toBeDefined();
      expect(actual.shape, `${label}: output ${output.label}`).toEqual(want[i]!.shape);
      const difference = maxDifference(actual, want[i]!);
      expect(difference, `${label}: output ${output.label} at ${rows} rows`).toBeLessThanOrEqual(TOLERANCE);
      worst = Math.max(worst, difference);
    });
  }
  return worst;
}

describe('ONNX export of every template', () => {
  beforeAll(wasm);

  it(`gives the app's outputs to ${TOLERANCE} after ${ITERATIONS} iterations, and from the initial weights; the checker accepts every file`, async () => {
    const files: Exported[] = [];
    const report: string[] = [];
    for (const template of templates) {
      const plan = plans.get(template.id)!;
      const slice = budget(template.doc, { iterations: ITERATIONS, batch: BATCH });
      const doc = { ...slice.doc, training: { ...slice.doc.training, batchSize: slice.batch } };
      const program = await compile(doc, { tf, data: syntheticData(64), batchSize: slice.batch });
      try {
        const main = generator(plan);
        const initial = await compare(doc, program, main, undefined, files, `${template.id} ${main.name} initial`);
        for (let i = 0; i < slice.iterations; i++) program.step(false);
        // The program's state as a checkpoint, encoded and checked as the app stores it, read back as the export reads it.
        const encoded = await encodeCheckpoint(tf, doc.name, program.state());
        const checked = parseCheckpoint(JSON.stringify(encoded.manifest), encoded.weights);
        if (!checked.ok) throw new Error(checked.error);
        const weights = checkpointTensors(checked.value);
        const differences = [];
        for (const network of [main, ...plan.networks.filter((n) => n !== main)]) {
          differences.push(`${network.name} ${(await compare(doc, program, network, weights, files, `${template.id} ${network.name} trained`)).toExponential(1)}`);
        }
        report.push(`${template.id}: initial ${main.name} ${initial.toExponential(1)}; after ${slice.iterations}: ${differences.join(', ')}`);
      } finally {
        program.dispose();
      }
    }
    console.log(`largest |onnxruntime - app|:\n  ${report.join('\n  ')}`);
    const verdicts = await checkOnnxAll(new Map(files.map((f) => [f.name, f.bytes])));
    expect([...verdicts].filter(([, v]) => !v.ok).map(([name, v]) => `${name}: ${v.ok || v.error}`)).toEqual([]);
    expect(verdicts.size).toBe(files.length);
  }, 600_000);
});

describe('ONNX export refusals', () => {
  const plan = plans.get('gan')!;

  it('names the networks when the request names none or another', () => {
    for (const ref of [undefined, 'Generator']) {
      const found = findNetwork(plan, ref);
      expect(found.ok).toBe(false);
      if (!found.ok) {
        expect(found.error.kind).toBe('network');
        expect(found.error.message).toContain('"G", "D"');
      }
    }
    const refused = exportProject(templates.find((t) => t.id === 'gan')!.doc, onnx.id, { network: 'Generator' });
    expect(refused.ok || refused.error).toMatch(/no network "Generator"/);
  });

  it('refuses a network with a kind that has no ONNX form, naming the kind and why', () => {
    const G = findNetwork(plan, 'G');
    if (!G.ok) throw G.error;
    const mse = kinds.find((k) => k.kind === 'mse')!;
    const apply = G.value.body.find((i) => i.type === 'apply')!;
    const broken: NetworkPlan = { ...G.value, body: G.value.body.map((i) => (i === apply ? { ...apply, kind: mse as never } : i)) };
    const written = writeNetworkOnnx(plan, broken, new Map());
    expect(written.ok).toBe(false);
    if (!written.ok) {
      expect(written.error.kind).toBe('kind');
      expect(written.error.nodeKind).toBe(mse.title);
      expect(written.error.message).toMatch(new RegExp(`network "G" cannot be written as ONNX: ${mse.title} has no ONNX form`));
    }
  });

  it("refuses weights that are not the network's", () => {
    const G = findNetwork(plan, 'G');
    if (!G.ok) throw G.error;
    const written = writeNetworkOnnx(plan, G.value, new Map());
    expect(written.ok || written.error.kind).toBe('weights');
  });
});
