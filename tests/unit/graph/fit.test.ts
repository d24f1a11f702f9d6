import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyse } from '../../../lib/graph/analyse';
import { withDataset, withFittedDataset } from '../../../lib/graph/datasets';
import { updateNode } from '../../../lib/graph/edit';
import { fitToData, formatFitChange } from '../../../lib/graph/fit';
import { loadGraphDoc } from '../../../lib/graph/migrations';
import { CURRENT_SCHEMA_VERSION, type GraphDoc } from '../../../lib/graph/schema';
import { MNIST_CHOICE } from '../../../lib/kinds/common';
import { featureSize } from '../../../lib/kinds/shape';
import { getTemplate, templates } from '../../../lib/templates';
import { getKind } from '../../../lib/kinds/registry';
import { ganObjective, network, portId, ScopeBuilder } from '../../../lib/templates/builder';
import { anyDoc, plausibleDoc, RGB_DATASET } from '../../fixtures/fuzz';
import { DATA_SHAPES, shapedChoice } from '../../fixtures/shaped-data';

/** Every template, fitted to data of each usual size, analyses without a problem (as on MNIST), and what it generates or reconstructs has the data's shape. */
describe.each(templates.map((t) => [t.id, t] as const))('template %s', (_id, template) => {
  it('is left as it is by fitting it to MNIST', () => {
    expect(fitToData(template.doc)).toEqual({ doc: template.doc, changes: [] });
    expect(fitToData(template.doc).doc).toBe(template.doc);
  });

  it.each(DATA_SHAPES)('fitted to %ix%ix%i data analyses without problems, its pictures of the data\'s size', (height, width, channels) => {
    const data = shapedChoice(height, width, channels);
    const { doc, changes } = withFittedDataset(template.doc, data);
    const analysis = analyse(doc);
    expect(analysis.problems).toEqual([]);
    // Only data of another size changes anything.
    expect(changes.length === 0).toBe(height === 28 && width === 28 && channels === 1);

    const { samples, reconstructions } = analysis.previews;
    expect(samples ?? reconstructions).toBeDefined();
    for (const preview of [samples, reconstructions]) {
      if (!preview) continue;
      expect(preview.image).toEqual({ height, width, channels });
      // The generator's (or decoder's) own output: the data's values, laid out as the data node gives them.
      const shape = analysis.main.nodes.get(preview.ref.node)!.outShapes[preview.ref.port]!;
      expect(featureSize(shape)).toBe(height * width * channels);
    }
    if (reconstructions) expect(analysis.main.nodes.get(reconstructions.ref.node)!.outShapes[reconstructions.ref.port]).toEqual(analysis.main.nodes.get(reconstructions.input.node)!.outShapes[reconstructions.input.port]);

    // Fitted once is fitted: again, nothing changes.
    expect(fitToData(doc).changes).toEqual([]);
  });
});

describe('fitting a graph to its data', () => {
  const describeChanges = (doc: GraphDoc, data = shapedChoice(32, 32, 3)) => {
    const fitted = withFittedDataset(doc, data);
    return fitted.changes.map((c) => formatFitChange(fitted.doc, c));
  };

  it('sizes the dense GAN\'s output layer and D\'s input by the data\'s flat size', () => {
    expect(describeChanges(getTemplate('gan')!.doc)).toEqual(['G / G_prob: units 784 -> 3072', 'D / x: shape [784] -> [3072]']);
    expect(describeChanges(getTemplate('gan')!.doc, shapedChoice(64, 64, 3))).toEqual(['G / G_prob: units 784 -> 12288', 'D / x: shape [784] -> [12288]']);
  });

  it("derives DCGAN's generator from the data's height, width and channels, back from its last transposed convolution", () => {
    expect(describeChanges(getTemplate('dcgan')!.doc)).toEqual([
      'G / deconv2: filters 1 -> 3',
      'G / to 7x7x32: shape [7, 7, 32] -> [8, 8, 32]',
      'G / project: units 1568 -> 2048',
      'D / x: shape [28, 28, 1] -> [32, 32, 3]',
    ]);
    expect(describeChanges(getTemplate('dcgan')!.doc, shapedChoice(64, 64, 3))).toEqual([
      'G / deconv2: filters 1 -> 3',
      'G / to 7x7x32: shape [7, 7, 32] -> [16, 16, 32]',
      'G / project: units 1568 -> 8192',
      'D / x: shape [28, 28, 1] -> [64, 64, 3]',
    ]);
  });

  it("passes the encoder's new code size on to the decoder, and resizes the decoder's output to the data", () => {
    expect(describeChanges(getTemplate('conv-ae')!.doc, shapedChoice(64, 64, 3))).toEqual([
      'Encoder / x: shape [28, 28, 1] -> [64, 64, 3]',
      'Decoder / code: shape [2, 2, 8] -> [3, 3, 8]',
      'Decoder / resize: height 28 -> 64',
      'Decoder / resize: width 28 -> 64',
      'Decoder / trans_conv3: filters 1 -> 3',
    ]);
  });

  it('takes the data\'s classes into the class labels and the networks that read them', () => {
    expect(describeChanges(getTemplate('cgan')!.doc, shapedChoice(32, 32, 3, 5))).toEqual([
      'G / G_prob: units 784 -> 3072',
      'D / x: shape [784] -> [3072]',
      'Y: classes 10 -> 5',
      'D / y: shape [10] -> [5]',
      'G / y: shape [10] -> [5]',
    ]);
    expect(analyse(withFittedDataset(getTemplate('cvae')!.doc, shapedChoice(32, 32, 3, 5)).doc).errors).toEqual([]);
  });

  it("keeps the user's own sizes: only those tied to the data change", () => {
    let doc = getTemplate('gan')!.doc;
    const G = doc.networks.find((n) => n.id === 'G')!;
    doc = updateNode(doc, 'G', 'G_h1', { params: { ...G.nodes.find((n) => n.id === 'G_h1')!.params, units: 300 } });
    const fitted = withFittedDataset(doc, shapedChoice(32, 32, 3));
    expect(fitted.changes.map((c) => `${c.node}.${c.field}`)).toEqual(['G_prob.units', 'x.shape']);
    expect(fitted.doc.networks.find((n) => n.id === 'G')!.nodes.find((n) => n.id === 'G_h1')!.params.units).toBe(300);
    expect(analyse(fitted.doc).errors).toEqual([]);
  });

  it('changes nothing where no layer sizes give the data\'s shape, and the mismatch stays a problem', () => {
    // A stride-2 transposed convolution never makes 15x15, the half of 30x30.
    const swapped = withDataset(getTemplate('dcgan')!.doc, shapedChoice(30, 30, 3)).doc;
    const fitted = fitToData(swapped);
    expect(fitted.changes).toEqual([]);
    expect(fitted.doc).toBe(swapped);
    expect(analyse(fitted.doc).errors).toEqual([expect.objectContaining({ code: 'shape-mismatch', node: 'D_real', message: expect.stringMatching(/D expects \[b, 28, 28, 1\] on "x", got \[b, 30, 30, 3\]/) })]);
  });

  /** A GAN of these networks on MNIST as a user would draw it, loaded as any saved graph. */
  function userGan(networks: ReturnType<typeof network>[], noise: number[]): GraphDoc {
    const m = new ScopeBuilder();
    const X = m.add('dataset', 'X', { dataset: MNIST_CHOICE }, {}, 'images');
    const Z = m.add('noise', 'Z', { shape: noise }, {}, 'z');
    const sample = m.add('call', 'sample', { network: 'G' }, { z: Z }, portId('G(z)'));
    const real = m.add('call', 'real', { network: 'D' }, { x: X }, 'logit');
    const fake = m.add('call', 'fake', { network: 'D' }, { x: sample }, 'logit');
    const { dSolver, gSolver } = ganObjective(m, { real, fake }, { d: { kind: 'adam', params: {} }, g: { kind: 'adam', params: {} } });
    const loaded = loadGraphDoc({
      schemaVersion: CURRENT_SCHEMA_VERSION,
      name: 'mine',
      nodes: m.nodes,
      edges: m.edges,
      networks,
      training: { schedule: [{ optimizer: dSolver.id }, { optimizer: gSolver.id }] },
    });
    if (!loaded.ok) throw new Error(loaded.error);
    expect(analyse(loaded.value).errors).toEqual([]);
    return loaded.value;
  }

  it("reshapes flat data into the new data's images where the graph reshaped it into the old data's", () => {
    const G = network('G', 'G', '#000', (n) => n.output('G(z)', n.add('dense', 'pixels', { units: 784, activation: 'sigmoid' }, { x: n.input('z', [16]) })));
    const D = network('D', 'D', '#000', (n) => {
      const image = n.add('reshape', 'as image', { shape: [28, 28, 1] }, { x: n.input('x', [784]) });
      const features = n.add('flatten', 'flatten', {}, { x: n.add('conv2d', 'conv', { filters: 8, strides: 2 }, { x: image }) });
      n.output('logit', n.add('dense', 'D_logit', { units: 1 }, { x: features }));
    });
    const doc = userGan([G, D], [16]);
    expect(describeChanges(doc)).toEqual(['G / pixels: units 784 -> 3072', 'D / x: shape [784] -> [3072]', 'D / as image: shape [28, 28, 1] -> [32, 32, 3]']);
    expect(analyse(withFittedDataset(doc, shapedChoice(32, 32, 3)).doc).errors).toEqual([]);
    // Without the graph as it was, nothing says which images 3,072 values were meant to be: the reshape stays a problem.
    const swapped = withDataset(doc, shapedChoice(32, 32, 3)).doc;
    expect(analyse(fitToData(swapped).doc).errors).toContainEqual(expect.objectContaining({ code: 'shape-mismatch', network: 'D', node: 'as_image' }));
  });

  it("gives noise of the data's shape (a denoiser's corruption) the new shape", () => {
    const encoder = network('Encoder', 'Encoder', '#000', (n) => n.output('code', n.add('dense', 'to_code', { units: 32 }, { x: n.input('x', [784]) })));
    const decoder = network('Decoder', 'Decoder', '#000', (n) => n.output('x_hat', n.add('dense', 'to_pixels', { units: 784 }, { x: n.input('code', [32]) })));
    const m = new ScopeBuilder();
    const X = m.add('dataset', 'X', { dataset: MNIST_CHOICE }, {}, 'images');
    const corruption = m.add('noise', 'corruption', { distribution: 'normal', stddev: 0.3, shape: [784] }, {}, 'z');
    const noisy = m.add('add', 'noisy', {}, { a: X, b: corruption });
    const code = m.add('call', 'encode', { network: 'Encoder' }, { x: noisy }, 'code');
    const recon = m.add('call', 'decode', { network: 'Decoder' }, { code }, 'x_hat');
    const loss = m.add('mse', 'loss', {}, { prediction: recon, target: X }, 'loss');
    const solver = m.add('adam', 'solver', { networks: ['Encoder', 'Decoder'] }, { loss });
    const loaded = loadGraphDoc({ schemaVersion: CURRENT_SCHEMA_VERSION, name: 'denoiser', nodes: m.nodes, edges: m.edges, networks: [encoder, decoder], training: { schedule: [{ optimizer: solver.id }] } });
    if (!loaded.ok) throw new Error(loaded.error);
    expect(describeChanges(loaded.value)).toEqual(['corruption: shape [784] -> [3072]', 'Encoder / x: shape [784] -> [3072]', 'Decoder / to_pixels: units 784 -> 3072']);
    expect(analyse(withFittedDataset(loaded.value, shapedChoice(32, 32, 3)).doc).errors).toEqual([]);
  });

  it('walks into networks that networks call', () => {
    // G calls Head, which makes the image: the fit changes Head's last layer.
    const Head = network('Head', 'Head', '#000', (n) => {
      const h = n.input('h', [64]);
      n.output('image', n.add('dense', 'to_pixels', { units: 784, activation: 'sigmoid' }, { x: h }));
    });
    const G = network('G', 'G', '#000', (n) => {
      const z = n.input('z', [16]);
      const h = n.add('dense', 'hidden', { units: 64, activation: 'relu' }, { x: z });
      n.output('G(z)', n.add('call', 'head', { network: 'Head' }, { h }, 'image'));
    });
    const D = network('D', 'D', '#000', (n) => n.output('logit', n.add('dense', 'D_logit', { units: 1 }, { x: n.input('x', [784]) })));
    const doc = userGan([Head, G, D], [16]);
    expect(describeChanges(doc, shapedChoice(32, 32, 1))).toEqual(['Head / to_pixels: units 784 -> 1024', 'D / x: shape [784] -> [1024]']);
  });
});

describe('fitting random graphs (tests/fixtures/fuzz.ts)', () => {
  const SEED = 20_250_124;

  it('never throws, and leaves a graph that passes analysis as it is', () => {
    fc.assert(
      fc.property(anyDoc, (doc) => {
        const fitted = fitToData(doc);
        if (analyse(doc).ok) expect(fitted).toEqual({ doc, changes: [] });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('changes only params that the kinds accept, on nodes that exist, once each', () => {
    let changed = 0;
    fc.assert(
      fc.property(plausibleDoc, (doc) => {
        const { doc: fitted, changes } = withFittedDataset(doc, { ...RGB_DATASET, id: 'other', height: 16, width: 16 });
        expect(loadGraphDoc(fitted).ok).toBe(true);
        const keys = changes.map((c) => `${c.network ?? ''}/${c.node}/${c.field}`);
        expect(new Set(keys).size).toBe(keys.length);
        for (const change of changes) {
          const nodes = change.network === undefined ? fitted.nodes : fitted.networks.find((n) => n.id === change.network)!.nodes;
          const node = nodes.find((n) => n.id === change.node)!;
          expect(node.params[change.field]).toEqual(change.to);
          expect(getKind(node.kind)!.params.safeParse(node.params).success).toBe(true);
        }
        changed += changes.length > 0 ? 1 : 0;
      }),
      { seed: SEED, numRuns: 150 },
    );
    // Enough random graphs read data that something was fitted.
    expect(changed).toBeGreaterThan(5);
  });
});
