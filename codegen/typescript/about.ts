import type { TargetAbout } from '../targets/target';

/** The TypeScript (tfjs) export as the Export menu, the route and the CLI list it. */
export const typescriptAbout: TargetAbout<'typescript'> = {
  id: 'typescript',
  title: 'TypeScript',
  description: 'Download a TypeScript project that trains this model with tfjs in Node: WebGPU, CUDA, WASM (the last saved version), with its data',
  writes: 'project',
  suffix: '',
  next: (out) => `cd ${out} && npm install && npm run train -- --help`,
};
