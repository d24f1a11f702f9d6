/**
 * The runtime: the modules that hold Netloom's numerics (ops and gradients,
 * optimizers, initialisers, data batches, seeded random numbers, MNIST files,
 * image grids). They import nothing from the rest of Netloom, so the exporter
 * can ship them verbatim and an exported project computes exactly what the
 * app computes. A test keeps them self-contained.
 */
export const RUNTIME_MODULES = [
  'lib/compile/ops.ts',
  'lib/compile/optimizers.ts',
  'lib/compile/init.ts',
  'lib/data/batches.ts',
  'lib/data/rng.ts',
  'lib/data/idx.ts',
  'lib/data/mnist.ts',
  'lib/train/grid.ts',
] as const;

/** Packages a runtime module may import. */
export const RUNTIME_PACKAGES = ['@tensorflow/tfjs', 'seedrandom'] as const;
