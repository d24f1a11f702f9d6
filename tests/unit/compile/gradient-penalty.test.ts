import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, type TrainingProgram } from '../../../lib/compile/program';
import { CURRENT_SCHEMA_VERSION, type GraphDoc } from '../../../lib/graph/schema';
import { loadGraphDoc } from '../../../lib/graph/migrations';
import { INPUT_GRADIENT } from '../../../lib/kinds/networks/call';
import { network, ScopeBuilder, type NetworkBuilder, type NodeHandle } from '../../../lib/templates/builder';
import { analyse } from '../../../lib/graph/analyse';
import { decodeCheckpoint, encodeCheckpoint } from '../../../lib/train/checkpoint';
import { cpu, mnistData } from '../../helpers';

/** Critic N: x [4] -> dense 3 relu (or what `hidden` makes of x) -> dense 1; the loss is the gradient penalty of N at X, trained by SGD with rate 1. */
function penaltyGraph(hidden?: (n: NetworkBuilder, x: NodeHandle) => NodeHandle): GraphDoc {
  const N = network('N', 'N', '#0891b2', (n) => {
    const x = n.input('x', [4]);
    const h = hidden ? hidden(n, x) : n.add('dense', 'h', { units: 3, activation: 'relu', kernelInit: 'normal', stddev: 1 }, { x });
    n.output('score', n.add('dense', 'score', { units: 1, kernelInit: 'normal', stddev: 1 }, { x: h }));
  });
  const m = new ScopeBuilder();
  const x = m.add('noise', 'X', { shape: [4] }, {}, 'z');
  const slope = m.add('call', 'N(X)', { network: 'N', inputGradient: true }, { x }, INPUT_GRADIENT);
  const loss = m.add('gradient-penalty', 'penalty', {}, { gradient: slope }, 'loss');
  const solver = m.add('sgd', 'solver', { networks: ['N'], learningRate: 1 }, { loss });
  const doc = loadGraphDoc({ schemaVersion: CURRENT_SCHEMA_VERSION, name: 'gp', nodes: m.nodes, edges: m.edges, networks: [N], training: { batchSize: 3, schedule: [{ optimizer: solver.id, repeat: 1 }], previews: { samples: 'none' } } });
  if (!doc.ok) throw new Error(doc.error);
  return doc.value;
}

const X = [0.3, -1.2, 0.8, 0.5, -0.4, 1.1, 0.9, -0.7, 1.5, 0.2, -0.3, -0.9];
const feed = () => Float32Array.from(X);
const read = (program: TrainingProgram) => new Map([...program.weights()].map(([name, v]) => [name, Float64Array.from(v.dataSync())]));

/** The critic by hand in float64: relu(x W1 + b1) W2 + b2, summed over the batch. */
function critic(w: Map<string, Float64Array>, x: number[]): number {
  const [W1, b1, W2, b2] = ['N/h/W', 'N/h/b', 'N/score/W', 'N/score/b'].map((k) => w.get(k)!);
  let total = 0;
  for (let row = 0; row < 3; row++) {
    let out = b2![0]!;
    for (let j = 0; j < 3; j++) {
      let h = b1![j]!;
      for (let i = 0; i < 4; i++) h += x[row * 4 + i]! * W1![i * 3 + j]!;
      out += Math.max(h, 0) * W2![j]!;
    }
    total += out;
  }
  return total;
}

/** The penalty by hand: each row's input gradient by central finite differences of the critic, then mean((||g|| - 1)^2). */
function penaltyByHand(w: Map<string, Float64Array>): number {
  const h = 1e-5;
  let total = 0;
  for (let row = 0; row < 3; row++) {
    let norm2 = 0;
    for (let i = 0; i < 4; i++) {
      const up = [...X];
      const down = [...X];
      up[row * 4 + i]! += h;
      down[row * 4 + i]! -= h;
      norm2 += ((critic(w, up) - critic(w, down)) / (2 * h)) ** 2;
    }
    total += (Math.sqrt(norm2) - 1) ** 2;
  }
  return total / 3;
}

describe("WGAN-GP's gradient penalty", () => {
  beforeAll(cpu);

  it('equals the penalty of finite-difference input gradients, and its gradient (a gradient of a gradient) equals finite differences of it', async () => {
    const program = await compile(penaltyGraph(), { tf, data: mnistData, feed });
    const weights = read(program);
    const penalty = program.step()!.penalty!;
    expect(penalty).toBeCloseTo(penaltyByHand(weights), 4);
    // SGD with rate 1: the step moved each weight by minus its gradient.
    const after = read(program);
    const eps = 1e-3;
    let moved = 0;
    for (const name of ['N/h/W', 'N/h/b', 'N/score/W']) {
      for (let k = 0; k < weights.get(name)!.length; k += 2) {
        const analytic = weights.get(name)![k]! - after.get(name)![k]!;
        const shifted = (d: number) => new Map([...weights].map(([n, v]) => [n, n === name ? v.map((x, i) => (i === k ? x + d : x)) : v]));
        const numeric = (penaltyByHand(shifted(eps)) - penaltyByHand(shifted(-eps))) / (2 * eps);
        expect(analytic, `${name}[${k}]`).toBeCloseTo(numeric, 5);
        if (Math.abs(numeric) > 1e-3) moved += 1;
      }
    }
    // Enough of them non-zero that the comparison says something.
    expect(moved).toBeGreaterThanOrEqual(4);
    program.dispose();
  });

  it('is refused, naming the layer and the field, through a layer tfjs cannot differentiate twice, or when the output does not depend on the input', () => {
    const errors = (doc: GraphDoc) => { const a = analyse(doc); return a.ok ? [] : a.errors; };
    const leaky = errors(penaltyGraph((n, x) => n.add('activation', 'leak', { fn: 'leaky-relu' }, { x: n.add('dense', 'h', { units: 3 }, { x }) })));
    expect(leaky).toEqual(expect.arrayContaining([expect.objectContaining({ node: 'N_X', field: 'inputGradient', message: expect.stringContaining('layer leak (Activation) has no second derivative') })]));
    const unconnected = errors(penaltyGraph((n) => n.add('noise', 'u', { shape: [4] }, {}, 'z')));
    expect(unconnected).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'inputGradient', message: expect.stringContaining('does not depend on its input') })]));
  });

  it('trains the same after a checkpoint round trip', async () => {
    const doc = penaltyGraph();
    const program = await compile(doc, { tf, data: mnistData, feed });
    program.step();
    const checkpoint = await encodeCheckpoint(tf, 'gp', program.state());
    const restored = await compile(doc, { tf, data: mnistData, feed });
    const state = decodeCheckpoint(tf, checkpoint);
    restored.restore(state);
    state.tensors.forEach((t) => t.dispose());
    expect(restored.step()).toEqual(program.step());
    program.dispose();
    restored.dispose();
  });
});
