import type { TrainingPlan } from '../../lib/plan/plan';

/** The PyTorch project's small files: requirements.txt, README.md, .gitignore. */
export const TORCH_GITIGNORE = '__pycache__/\nout/\n';

/** PyTorch 1.13 (Debian 12's) or later; torch.compile needs 2.0. */
export const REQUIREMENTS = 'torch>=1.13\nnumpy>=1.21\npillow>=9\n';

/** The quality scores, where the graph has them: what they compare, and their flags. */
function qualityParagraph(plan: TrainingPlan): string {
  const { quality } = plan;
  if (!quality) return '';
  const { every, samples } = plan.settings.evaluation;
  const features =
    quality.features === 'mnist-classifier'
      ? `the Fréchet distance between features of the bundled MNIST classifier (\`quality/\`; lower is better), the entropy of its predicted classes (3.32 bits when all 10 digits are drawn equally), its mean confidence`
      : 'the Fréchet distance between 8x8-pooled pixels (lower is better)';
  return `
Quality scores, as Netloom computes them: every \`--eval-every\` iterations (${every}; 0: never) and at the end, \`--eval-samples\`
images (${samples}) generated from the same noise each time are compared with as many held-out images of
\`${quality.reference.id.replace(/[`\r\n]+/g, ' ')}\` (its ${quality.reference.split} split): ${features}, and diversity (their mean distance over that of real
images; near 0 means near-identical samples). Each is printed (\`Quality at iteration N: ...\`, or \`{"step", "scores"}\`
with \`--json\`) and kept in \`summary.json\`, with a diagnosis when the samples collapse onto a few modes.
`;
}

export function writeTorchReadme(plan: TrainingPlan, files: { netloom: string[] }): string {
  const t = plan.settings;
  const datasets = [...new Set(plan.datasets.map((ref) => ref.id))];
  return `# ${plan.name.replace(/[\r\n]+/g, ' ')}

A standalone PyTorch training program, exported from Netloom. \`train.py\` holds the model (one \`torch.nn.Module\` per
network), the data streams, the optimizers and the training schedule as a plain loop; \`netloom/\` holds the numerics,
written to match the app: the same initial weights, data order, noise and dropout masks for a seed (Netloom's
counter-based generator, Philox4x32-10, vectorised in numpy: \`netloom/philox.py\`), TF1's optimizer rules as
\`torch.optim.Optimizer\` subclasses, and the layers' and losses' formulas. With the same seed, its losses match training
in the app and \`npm run train\` to about 1e-4.

## Run it

\`\`\`sh
pip install -r requirements.txt            # or Debian's python3-torch python3-pil
python train.py                            # ${t.iterations} iterations, batch ${t.batchSize}, seed ${t.seed}
python train.py --iterations 2000 --seed 1 --log-every 100 --json
python train.py --device cuda --compile    # on a GPU; torch.compile with PyTorch 2
python train.py --help
\`\`\`

\`--tf32\` lets NVIDIA GPUs multiply in TF32 (faster; float32 by default, as the app computes). The random draws cost
little: every draw is a function of its position, so the draws of many iterations are computed in one vectorised call.

On a CPU, speed depends on the BLAS PyTorch multiplies with; the first line printed names it (and \`summary.json\` keeps
it). pip's torch ships MKL or OpenBLAS. Debian's \`python3-torch\` uses the system's \`libblas.so.3\`, by default the
reference BLAS, 5-10x slower on these models: the program then warns, and \`apt-get install libopenblas0-pthread\` fixes
it (\`OPENBLAS_NUM_THREADS\` sets its threads).
\`--json\` prints one JSON object per log line (\`step\`, \`losses\`, \`itPerSec\`), as \`npm run train -- --json\` does.

## Many GPUs, many machines

\`\`\`sh
torchrun --standalone --nproc_per_node 4 train.py --batch-size 512        # 4 GPUs of one machine (NCCL), or CPU processes (gloo)
torchrun --nnodes 2 --node_rank 0 --master_addr HOST --nproc_per_node 8 train.py   # and node_rank 1 on the other machine
\`\`\`

Under torchrun each network is wrapped in \`DistributedDataParallel\`: every process draws the same global batch from the
same streams and keeps its share of the rows (\`--batch-size\` is the global batch, divisible by the number of
processes), gradients are all-reduced, and the losses printed are the whole batch's: the run matches one process with the
same batch. (Debian's PyTorch 1.13 on Python 3.11 needs \`--redirects 2 --tee 2\` added to \`torchrun\`: its default fails.)

## Resume

\`python train.py --resume out/checkpoint --iterations 20000\` continues a run. Checkpoints are Netloom's (\`checkpoint.json\` and
\`weights.bin\`, every \`--checkpoint-every\` iterations and at the end, in \`out/checkpoint/\`): one downloaded from the app or
written by the TypeScript export resumes here, and one written here resumes there. Every draw is a function of the seed,
its stream and the iteration, so a resumed run continues exactly as an uninterrupted one.

## Data

${datasets.length ? `The project carries the data it was exported with, one folder per dataset under \`data/\` (${datasets.map((id) => `\`data/${id}/\``).join(', ')}: \`dataset.json\` beside IDX files), so it trains offline on the same images in the same order. \`--data DIR\` reads them from elsewhere.` : 'This graph reads no data set: it trains on noise only.'}

## Output

In \`--out DIR\` (default \`out/\`): \`000.png\`, \`001.png\`, ...: grids every \`--sample-every\` iterations (${t.sampleEvery})${plan.previews.reconstructions ? ', reconstructions beside their inputs' : ''}, \`checkpoint/\` and \`summary.json\`.
${qualityParagraph(plan)}
## Files

- \`train.py\`: the model and the training loop (generated from the graph; edit freely).
- \`netloom/\`: ${files.netloom.map((f) => `\`${f}\``).join(', ')}: Netloom's numerics in Python.
`;
}
