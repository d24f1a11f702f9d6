import { MNIST_CHOICE } from '../kinds/common';
import { network, portId, ScopeBuilder, type Template } from './builder';
import { CURRENT_SCHEMA_VERSION } from '../graph/schema';

type Network = ReturnType<typeof network>;

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
  return autoencoder(
    'conv-ae',
    'Convolutional autoencoder',
    'Seed 004. Encoder: conv 16 3x3 /3 SAME relu (10x10x16) -> max-pool 2 /2 (5x5x16) -> conv 8 3x3 /2 relu (3x3x8) -> max-pool (2x2x8). ' +
      'Decoder: transposed conv 16 3x3 /2 VALID relu (5x5x16) -> 8 5x5 /3 SAME relu (15x15x8) -> 1 3x3 /2 SAME (30x30x1) -> bilinear resize 28x28 -> tanh. ' +
      'Data in [-1, 1]; loss: mean squared reconstruction error. Open in the seed, chosen here: Adam lr 1e-3, batch 128.',
    encoder,
    decoder,
  );
}

/** The seed's autoencoder rebuilt around the same 32-number code, with sizes that fit 28x28. */
export function convAeTunedTemplate(): Template {
  const encoder = network('Encoder', 'Encoder', '#059669', (n) => {
    const x = n.input('x', [28, 28, 1]);
    const c1 = n.add('conv2d', 'conv1', { filters: 16, kernelSize: 3, strides: 2, padding: 'SAME', activation: 'relu' }, { x });
    const c2 = n.add('conv2d', 'conv2', { filters: 32, kernelSize: 3, strides: 2, padding: 'SAME', activation: 'relu' }, { x: c1 });
    const flat = n.add('flatten', 'flatten', {}, { x: c2 });
    n.output('code', n.add('dense', 'to_code', { units: 32 }, { x: flat }));
  });
  const decoder = network('Decoder', 'Decoder', '#7c3aed', (n) => {
    const code = n.input('code', [32]);
    const h = n.add('dense', 'project', { units: 7 * 7 * 32, activation: 'relu' }, { x: code });
    const maps = n.add('reshape', 'to 7x7x32', { shape: [7, 7, 32] }, { x: h });
    const t1 = n.add('conv2d-transpose', 'trans_conv1', { filters: 16, kernelSize: 3, strides: 2, padding: 'SAME', activation: 'relu' }, { x: maps });
    const t2 = n.add('conv2d-transpose', 'trans_conv2', { filters: 1, kernelSize: 3, strides: 2, padding: 'SAME', activation: 'tanh' }, { x: t1 });
    n.output('x_hat', t2);
  });
  return autoencoder(
    'conv-ae-tuned',
    'Tuned convolutional autoencoder',
    'The convolutional autoencoder (seed 004) rebuilt around a code of the same size, 32 numbers, so that its reconstructions compare fairly. What changed, and why: ' +
      '(1) Stride-2 convolutions (28 -> 14 -> 7) instead of stride-3 convolutions and max pooling: the network learns how to downsample (Springenberg et al. 2015), ' +
      'and a 3x3 window at stride 3 never overlaps its neighbours, so the seed\'s first layer sees each pixel once. ' +
      '(2) A dense code of 32 numbers (the seed\'s is 2x2x8): each number sees the whole digit, not one corner of it. ' +
      '(3) The decoder mirrors the encoder: dense 32 -> 7x7x32 -> transposed conv 16 3x3 /2 (14x14) -> transposed conv 1 3x3 /2 (28x28) -> tanh; ' +
      'its sizes fit 28x28, where the seed\'s make 30x30 and resize it bilinearly. ' +
      'Unchanged: data in [-1, 1], the mean squared reconstruction error, Adam lr 1e-3, batch 128.',
    encoder,
    decoder,
  );
}

/** X -> Encoder -> Decoder, trained on the mean squared reconstruction error with Adam; the grid shows x beside its reconstruction. */
function autoencoder(id: string, name: string, description: string, encoder: Network, decoder: Network): Template {
  const m = new ScopeBuilder();
  const X = m.add('dataset', 'X', { dataset: MNIST_CHOICE, range: '-1..1', layout: 'image' }, {}, 'images');
  const code = m.add('call', 'encode', { network: 'Encoder' }, { x: X }, portId('code'));
  const recon = m.add('call', 'decode', { network: 'Decoder' }, { [portId('code')]: code }, portId('x_hat'));
  const loss = m.add('mse', 'loss', { reduction: 'mean' }, { prediction: recon, target: X }, 'loss');
  const solver = m.add('adam', 'solver', { networks: ['Encoder', 'Decoder'], learningRate: 1e-3 }, { loss });
  return {
    id,
    doc: {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      name,
      description,
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
