import { describe, expect, it } from 'vitest';
import { analyse } from '../../../lib/graph/analyse';
import { setPreview } from '../../../lib/graph/edit';
import type { GraphDoc } from '../../../lib/graph/schema';
import { getTemplate } from '../../../lib/templates';
import * as tf from '@tensorflow/tfjs';
import { compile } from '../../../lib/compile/program';
import { loadGraphDoc } from '../../../lib/graph/migrations';
import { CURRENT_SCHEMA_VERSION } from '../../../lib/graph/schema';
import { imageGrid, pairs } from '../../../lib/runtime/grid';
import { network, ScopeBuilder } from '../../../lib/templates/builder';
import { RGB_DATASET, syntheticData } from '../../fixtures/fuzz';

/** A template as a user's own graph would be: no previews named. */
function unnamed(id: string): GraphDoc {
  const doc = getTemplate(id)!.doc;
  return setPreview(setPreview(doc, 'samples', undefined), 'reconstructions', undefined);
}

const proposed = (doc: GraphDoc) => {
  const { samples, reconstructions } = analyse(doc).previews;
  return {
    samples: samples && { ...samples.ref, range: samples.range, proposed: samples.proposed },
    reconstructions: reconstructions && { ...reconstructions.ref, input: reconstructions.input, range: reconstructions.range },
  };
};

describe('pictures for every graph', () => {
  it('proposes the output of a network fed only by noise as samples, and x -> encoder -> decoder as reconstructions', () => {
    expect(proposed(unnamed('gan'))).toEqual({ samples: { node: 'G_sample', port: 'G_z', range: '0..1', proposed: true }, reconstructions: undefined });
    expect(proposed(unnamed('ali'))).toEqual({
      samples: { node: 'X_hat', port: 'x_hat', range: '0..1', proposed: true },
      reconstructions: { node: 'P_Q_x', port: 'x_hat', input: { node: 'X', port: 'images' }, range: '0..1' },
    });
    // The VAE's data is in [-1, 1]: its grids are mapped from that range.
    expect(proposed(unnamed('vae'))).toEqual({
      samples: { node: 'generate', port: 'x_hat', range: '-1..1', proposed: true },
      reconstructions: { node: 'decode', port: 'x_hat', input: { node: 'X', port: 'images' }, range: '-1..1' },
    });
    expect(proposed(unnamed('conv-ae')).samples).toBeUndefined();
    expect(proposed(unnamed('conv-ae')).reconstructions).toMatchObject({ node: 'decode', input: { node: 'X', port: 'images' } });
  });

  it('lists every port that holds images for the picker, and keeps what the document names', () => {
    const ali = analyse(getTemplate('ali')!.doc).previews;
    expect(ali.candidates.map((c) => c.label)).toEqual(['X_hat', 'P(Q(x))']);
    expect(ali.samples).toMatchObject({ proposed: false });
    expect(analyse(setPreview(getTemplate('ali')!.doc, 'reconstructions', 'none')).previews.reconstructions).toBeUndefined();
  });

  it('refuses reconstructions drawn beside inputs of another size, naming both', () => {
    // Noise of 100 values is a 10x10 picture; MNIST's are 28x28: no pair can be drawn side by side.
    const doc = setPreview(getTemplate('gan')!.doc, 'reconstructions', { node: 'Z', port: 'z', range: '0..1', input: { node: 'X', port: 'images' } });
    const analysis = analyse(doc);
    expect(analysis.errors).toEqual([
      expect.objectContaining({ code: 'invalid-preview', node: 'Z', message: expect.stringMatching(/10x10x1 images beside 28x28x1 inputs/) }),
    ]);
    expect(analysis.previews.reconstructions).toBeUndefined();
  });

  it('says when a graph has no image output', () => {
    const doc = unnamed('gan');
    const withoutGenerator = { ...doc, nodes: doc.nodes.filter((n) => n.id !== 'G_sample'), edges: doc.edges.filter((e) => e.source.node !== 'G_sample' && e.target.node !== 'G_sample') };
    expect(analyse(withoutGenerator).previews).toEqual({ candidates: [] });
  });
});

describe('pictures of colour data', () => {
  /** An autoencoder over RGB_DATASET's 8x8 colour images, flat: nothing in its shapes says 8x8x3, only the data does. */
  function rgbAutoencoder(): GraphDoc {
    const size = RGB_DATASET.height * RGB_DATASET.width * RGB_DATASET.channels;
    const ae = network('AE', 'AE', '#7c3aed', (n) => {
      const x = n.input('x', [size]);
      const h = n.add('dense', 'h', { units: 16, activation: 'relu' }, { x });
      n.output('x_hat', n.add('dense', 'out', { units: size, activation: 'sigmoid' }, { x: h }));
    });
    const m = new ScopeBuilder();
    const X = m.add('dataset', 'X', { dataset: RGB_DATASET, layout: 'flat' }, {}, 'images');
    const recon = m.add('call', 'recon', { network: 'AE' }, { x: X }, 'x_hat');
    const loss = m.add('mse', 'loss', {}, { prediction: recon, target: X }, 'loss');
    const solver = m.add('adam', 'solver', { networks: ['AE'] }, { loss });
    const loaded = loadGraphDoc({ schemaVersion: CURRENT_SCHEMA_VERSION, name: 'RGB AE', nodes: m.nodes, edges: m.edges, networks: [ae], training: { schedule: [{ optimizer: solver.id, repeat: 1 }] } });
    if (!loaded.ok) throw new Error(loaded.error);
    return loaded.value;
  }

  it('draws values of the data\'s size as the data\'s images: 8x8 RGB, not 192 greyscale values', async () => {
    const doc = rgbAutoencoder();
    const analysis = analyse(doc);
    expect(analysis.errors).toEqual([]);
    expect(analysis.previews.reconstructions).toMatchObject({ ref: { node: 'recon' }, image: { height: 8, width: 8, channels: 3 } });
    await tf.setBackend('cpu');
    const program = await compile(doc, { tf, data: syntheticData(), seed: 1, batchSize: 4 });
    try {
      const { inputs, outputs } = (await program.reconstructions())!;
      expect([inputs.count, inputs.height, inputs.width, inputs.channels]).toEqual([16, 8, 8, 3]);
      // The inputs are the dataset's first images, channel by channel: (i * 37) % 256 / 255 in the synthetic data.
      expect(inputs.pixels[5]).toBeCloseTo((5 * 37) % 256 / 255, 6);
      const grid = imageGrid(pairs(inputs, outputs), 8);
      expect(grid).toMatchObject({ channels: 3, width: 8 * 8 + 7 * 2, height: 4 * 8 + 3 * 2 });
      expect(grid.pixels.length).toBe(grid.width * grid.height * 3);
      // Top-left pixel of the grid is the first input's first pixel, in colour.
      expect(Array.from(grid.pixels.subarray(0, 3))).toEqual([0, 37, 74].map((v) => Math.round((v / 255) * 255)));
    } finally {
      program.dispose();
    }
  });
});
