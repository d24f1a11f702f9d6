import { MNIST_CHOICE } from '../kinds/common';
import { network, portId, ScopeBuilder, type Template } from './builder';
import { CURRENT_SCHEMA_VERSION } from '../graph/schema';

/** Seed 004: the convolutional autoencoder. */
export function convAeTemplate(): Template {
  const encoder = network('Encoder', 'Encoder', '#059669', (n) => {
    const x = n.input('x', [28, 28, 1]);
    const c1 = n.add('conv2d', 'conv1', { filters: 16, kernelSize: 3, strides: 3, padding: 'SAME', activation: 'relu' }, { x });
    const p1 = n.add('max-pool2d', 'pool1', { poolSize: 2, strides: 2, padding: 'SAME' }, { x: c1 });
    const c2 = n.add('conv2d', 'conv2', { filters: 8, kernelSize: 3, strides: 2, padding: 'SAME', activation: 'relu' }, { x: p1 });
    const p2 = n.add('max-pool2d', 'pool2', { poolSize: 2, strides: 2, padding: 'SAME' }, { x: c2 });
    n.output('code', p2);
  });
  const decoder = network('Decoder', 'Decoder', '#7c3aed', (n) => {
    const code = n.input('code', [2, 2, 8]);
    const t1 = n.add('conv2d-transpose', 'trans_conv1', { filters: 16, kernelSize: 3, strides: 2, padding: 'VALID', activation: 'relu' }, { x: code });
    const t2 = n.add('conv2d-transpose', 'trans_conv2', { filters: 8, kernelSize: 5, strides: 3, padding: 'SAME', activation: 'relu' }, { x: t1 });
    const t3 = n.add('conv2d-transpose', 'trans_conv3', { filters: 1, kernelSize: 3, strides: 2, padding: 'SAME' }, { x: t2 });
    const resized = n.add('resize-bilinear', 'resize', { height: 28, width: 28 }, { x: t3 });
    const out = n.add('activation', 'tanh', { fn: 'tanh' }, { x: resized });
    n.output('x_hat', out);
  });
  const m = new ScopeBuilder();
  const X = m.add('dataset', 'X', { dataset: MNIST_CHOICE, range: '-1..1', layout: 'image' }, {}, 'images');
  const code = m.add('call', 'encode', { network: 'Encoder' }, { x: X }, portId('code'));
  const recon = m.add('call', 'decode', { network: 'Decoder' }, { [portId('code')]: code }, portId('x_hat'));
  const loss = m.add('mse', 'loss', { reduction: 'mean' }, { prediction: recon, target: X }, 'loss');
  const solver = m.add('adam', 'solver', { networks: ['Encoder', 'Decoder'], learningRate: 1e-3 }, { loss });
  return {
    id: 'conv-ae',
    doc: {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      name: 'Convolutional autoencoder',
      description:
        'Seed 004. Encoder: conv 16 3x3 /3 SAME relu (10x10x16) -> max-pool 2 /2 (5x5x16) -> conv 8 3x3 /2 relu (3x3x8) -> max-pool (2x2x8). ' +
        'Decoder: transposed conv 16 3x3 /2 VALID relu (5x5x16) -> 8 5x5 /3 SAME relu (15x15x8) -> 1 3x3 /2 SAME (30x30x1) -> bilinear resize 28x28 -> tanh. ' +
        'Data in [-1, 1]; loss: mean squared reconstruction error. Open in the seed, chosen here: Adam lr 1e-3, batch 128.',
      nodes: m.nodes,
      edges: m.edges,
      networks: [encoder, decoder],
      training: {
        batchSize: 128,
        iterations: 10_000,
        seed: 0,
        sampleEvery: 1000,
        schedule: [{ optimizer: solver.id, repeat: 1 }],
        previews: { reconstructions: { node: recon.node, port: recon.port, range: '-1..1', input: { node: X.node, port: X.port } } },
      },
    },
  };
}
