/**
 * What each template is, in a sentence for someone choosing one (the home
 * page's picker); its description keeps the architecture and the numbers.
 */
export const SUMMARIES: Readonly<Record<string, string>> = {
  ali: 'Generates digits and encodes them back: an encoder Q, a generator P and one discriminator D judging image and code pairs (the seeds\' ALI).',
  'ali-tuned': 'ALI trained as its paper does: varied digits, and reconstructions that keep the digit, within a few thousand iterations.',
  gan: 'The classic GAN: a generator G against a discriminator D, one small dense layer each, on MNIST (seed 002).',
  'gan-tuned': 'The vanilla GAN with Adam for both networks: varied digits within a few thousand iterations on a laptop.',
  'gan-leaky': 'A deeper dense GAN with leaky ReLUs in D and data in [-1, 1] (seed 004).',
  'gan-leaky-tuned': 'The leaky-ReLU GAN with batch norm in G and dropout in D: clearer digits sooner.',
  dcgan: 'A convolutional GAN: transposed convolutions draw the images, convolutions judge them. Fits to 32x32 and 64x64 colour data.',
  'wgan-gp': 'A Wasserstein GAN: a critic scores images instead of classifying them, kept smooth by a gradient penalty; steadier training.',
  'conv-ae': 'A convolutional autoencoder: squeezes each image into a small code and draws it back (seed 004).',
  'conv-ae-tuned': 'The convolutional autoencoder rebuilt with stride-2 convolutions around a 32-number code: sharper reconstructions.',
  vae: 'A variational autoencoder: encodes images as Gaussian codes and decodes them; new digits come from random codes (seed 004).',
  'vae-tuned': 'The VAE with two hidden layers each way: sharper samples.',
  'beta-vae': 'A VAE with a heavier KL term (beta = 4): fewer, more separate latent factors.',
  cgan: 'A conditional GAN: choose which digit to draw; G and D both see the class.',
  'cgan-tuned': 'The conditional GAN with a projection discriminator: each sample is the digit asked for.',
  cvae: 'A conditional VAE: reconstructs digits and draws new ones of a chosen class.',
  ddpm: 'A diffusion model: a U-Net learns to remove noise, and a sampler turns pure noise into digits step by step.',
  'flow-matching': 'Rectified flow: a U-Net learns the straight path from noise to digits, which a sampler follows in Euler steps.',
  'ddpm-cond': 'A class-conditional diffusion model with classifier-free guidance: choose the digit, and how strongly to insist on it.',
};
