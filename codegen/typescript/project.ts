import netloomPackage from '../../package.json';
import type { TrainingPlan } from '../../lib/plan/plan';
import { packageName } from '../text';
import type { TsNames } from './names';

/** Writers for the project's small files: package.json, tsconfig.json, README.md, .gitignore. */

const deps = { ...netloomPackage.dependencies, ...netloomPackage.devDependencies } as Record<string, string>;
/** tfjs packages must be one version: tfjs-node-gpu pins @tensorflow/tfjs exactly, and a second copy would not see its backend. */
const TFJS_VERSION = deps['@tensorflow/tfjs']!.replace(/^[\^~]/, '');

export function writePackageJson(plan: TrainingPlan): string {
  const pkg = {
    name: packageName(plan.name),
    version: '1.0.0',
    private: true,
    description: `${plan.name}: a training program exported from Netloom`,
    scripts: { train: 'tsx train.ts', typecheck: 'tsc --noEmit -p .' },
    dependencies: {
      '@tensorflow/tfjs': TFJS_VERSION,
      '@tensorflow/tfjs-backend-wasm': TFJS_VERSION,
      // WebGPU in Node: Dawn, prebuilt inside the package (no CUDA toolkit, nothing downloaded at install).
      '@tensorflow/tfjs-backend-webgpu': TFJS_VERSION,
      webgpu: deps.webgpu,
      pngjs: deps.pngjs,
      // Quality scores: the Fréchet distance's eigendecompositions.
      'ml-matrix': deps['ml-matrix'],
      tsx: deps.tsx,
    },
    // Its install downloads libtensorflow (with CUDA); where that fails npm carries on and the script uses wasm.
    optionalDependencies: { '@tensorflow/tfjs-node-gpu': TFJS_VERSION },
    devDependencies: {
      '@types/node': deps['@types/node'],
      '@types/pngjs': deps['@types/pngjs'],
      typescript: deps.typescript,
    },
    engines: { node: '>=20' },
    // webgpu's install script only clears macOS's quarantine flag from its binary.
    allowScripts: { webgpu: true },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

export function writeTsconfig(): string {
  const config = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2022'],
      module: 'ESNext',
      moduleResolution: 'bundler',
      types: ['node'],
      strict: true,
      noUncheckedIndexedAccess: true,
      esModuleInterop: true,
      isolatedModules: true,
      skipLibCheck: true,
      noEmit: true,
    },
    include: ['**/*.ts'],
    exclude: ['node_modules', 'out'],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export const GITIGNORE = 'node_modules/\nout/\n';

/** What the quality scores compare, and their flags (nothing when the graph has no samples to score). */
function qualitySection(plan: TrainingPlan): string {
  const { quality, settings } = plan;
  if (!quality) return '';
  const features =
    quality.features === 'mnist-classifier'
      ? `the features of the MNIST classifier in \`quality/\` (Fréchet distance), its predicted digits (class entropy in bits, 3.32 when all 10 are drawn equally, and confidence)`
      : 'pooled pixels (Fréchet distance; this dataset has no bundled classifier)';
  return `
## Quality scores

Every ${settings.evaluation.every} iterations (\`--eval-every N\`, 0 for never) the program generates ${settings.evaluation.samples} samples from a
fixed draw of noise (\`--eval-samples N\`) and compares them with as many held-out real images (\`data/${quality.reference.id}/\`, its test
split) through ${features}, and their diversity, as Netloom does: \`Quality at iteration N: ...\` lines (JSON \`{ step, scores }\`
with \`--json\`), a mode-collapse diagnosis when it shows, and every score in \`summary.json\`.
`;
}

export function writeReadme(names: TsNames, files: { runtime: string[]; support: string[] }): string {
  const { plan } = names;
  const t = plan.settings;
  const networks = plan.networks.map((n) => `\`${names.network(n).fn}\``).join(', ');
  const datasets = [...new Set(plan.datasets.map((ref) => ref.id))].map((id) => {
    const splits = plan.datasets.filter((ref) => ref.id === id).map((ref) => ref.split);
    return `- \`data/${id}/\`: the ${splits.join(' and ')} split${splits.length > 1 ? 's' : ''}`;
  });
  // The graph's text goes in as plain paragraphs; Markdown in it is harmless (a README renders, it never runs).
  const description = plan.description ? `\n${plan.description.replace(/\r\n?/g, '\n')}\n` : '';
  return `# ${plan.name.replace(/[\r\n]+/g, ' ')}
${description}
A standalone TypeScript training program for TensorFlow.js, exported from Netloom. \`train.ts\` holds the
model: one function per network (${networks}), the losses, the optimizers and the training schedule as a
plain loop. \`runtime/\` holds Netloom's numerics, copied verbatim (fast dense and convolution gradients,
TensorFlow 1 optimizer rules, seeded initialisers, data order and noise), so with the same seed and backend
this program computes the same losses as training in the app.

## Run it

\`\`\`sh
npm install
npm run train                                  # ${t.iterations} iterations, batch ${t.batchSize}, seed ${t.seed}
npm run train -- --iterations 2000 --seed 1    # any setting can be changed with a flag
npm run train -- --help                        # every flag
\`\`\`

Node 20 or later.

## Backends

At start-up the script picks the fastest backend it finds, says which, and why it passed over the faster ones:

1. \`webgpu\` on a real GPU, through the \`webgpu\` package (Google's Dawn, prebuilt inside the package): Vulkan on Linux,
   Metal on macOS, D3D12 on Windows. No CUDA toolkit and nothing downloaded at install.
2. \`tensorflow\` through \`@tensorflow/tfjs-node-gpu\` (TensorFlow's native library with CUDA: needs an NVIDIA GPU with the
   CUDA and cuDNN versions TensorFlow.js ${TFJS_VERSION} expects). It is an *optional* dependency: its install downloads
   libtensorflow, and where that fails (no network, no GPU build for the platform) npm carries on without it.
   \`@tensorflow/tfjs-node\` (native, CPU only) is used too if you install it yourself.
3. \`wasm\` (\`@tensorflow/tfjs-backend-wasm\`, SIMD, single-threaded in Node).
4. \`cpu\` (plain JavaScript, slow).

\`--backend webgpu|tensorflow|wasm|cpu\` forces one and fails with the reason when it cannot start. \`--backend webgpu\`
also runs on a software adapter where there is no GPU (Mesa's llvmpipe through Dawn's OpenGL ES backend: install
\`libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri\`): correct, not fast.
Losses agree across backends to about 5 decimals; only the same backend reproduces a run exactly.

## Data
${
  datasets.length
    ? `
The project carries the data it was exported with, one folder per dataset (\`dataset.json\` beside IDX files of unsigned
bytes: images \`[n, h, w]\` or \`[n, h, w, c]\`, labels \`[n]\`), so it trains offline on the same images in the same order:

${datasets.join('\n')}

\`--data DIR\` reads them from another folder holding the same dataset folders (for instance a dataset exported by
Netloom's \`npm run data\`, or converted to this layout).
`
    : `
This graph reads no data set: it trains on noise only.
`
}
## Output

In \`--out DIR\` (default \`out/\`):

- \`000.png\`, \`001.png\`, ...: 4x4 grids every \`--sample-every\` iterations (${t.sampleEvery}), drawn before that
  iteration, like the seeds' \`out/\` folders${plan.previews.reconstructions ? '; reconstructions sit beside their inputs' : ''}.
- \`checkpoint/\`: \`checkpoint.json\` and \`weights.bin\`, every \`--checkpoint-every\` iterations and at the end.
- \`summary.json\`: backend, seed, iterations, speed and the final losses.

Progress lines look like the seeds' (\`Iter: 1000; D_loss: 1.234; ...\`); \`--json\` prints one JSON object per line.
${qualitySection(plan)}
## Resume

\`npm run train -- --resume out/checkpoint --iterations 20000\` continues a run: it restores every weight, each
optimizer's slots and update count, and the iteration number, then trains up to \`--iterations\`. Checkpoints use
Netloom's format (weights named \`network/node/weight\`, optimizer slots \`<optimizer>/slot<k>\`), so a checkpoint
downloaded from the app resumes here and one written here can be loaded in the app.
Every random draw (data order, noise, dropout masks) is a function of the seed, its stream and the iteration, so a
resumed run draws exactly what a run that was never interrupted draws.

## Files

- \`train.ts\`: the model and the training loop (generated from the graph; edit freely).
- \`runtime/\`: ${files.runtime.map((f) => `\`${f}\``).join(', ')}: Netloom's numerics, verbatim.
- \`support/\`: ${files.support.map((f) => `\`${f}\``).join(', ')}: backend choice, flags, dataset folders, checkpoints, PNG grids, the quality scores' evaluator.
`;
}
