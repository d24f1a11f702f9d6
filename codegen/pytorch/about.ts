import type { TargetAbout } from '../targets/target';

/** The PyTorch export as the Export menu, the route and the CLI list it. */
export const pytorchAbout: TargetAbout<'pytorch'> = {
  id: 'pytorch',
  title: 'PyTorch',
  description: 'Download a PyTorch project that trains this model (the last saved version), with its data',
  writes: 'project',
  suffix: '-pytorch',
  next: (out) => `cd ${out} && pip install -r requirements.txt && python train.py --help`,
};
