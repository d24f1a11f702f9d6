import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../lib/graph/analyse';
import { formatProblem } from '../lib/graph/problems';
import type { GraphDoc } from '../lib/graph/schema';
import { lower } from '../lib/plan/lower';
import type { TrainingPlan } from '../lib/plan/plan';
import { REQUIREMENTS, TORCH_GITIGNORE, writeTorchReadme } from './pytorch/project';
import { missingTorchForms, writeTrainPy } from './pytorch/train';
import type { DatasetRef } from '../lib/runtime/dataset';
import { err, ok, type Result } from '../lib/result';
import { writeTrainFile } from './typescript';
import { TsNames } from './typescript/names';
import { GITIGNORE, packageName, writePackageJson, writeReadme, writeTsconfig } from './typescript/project';

/**
 * GraphDoc -> a standalone TypeScript training project, as files by path:
 * package.json, tsconfig.json, README.md, train.ts (printed from the graph's
 * TrainingPlan), runtime/ (lib/runtime verbatim: Netloom's numerics, the
 * checkpoint format and the training loop) and support/ (backend, flags, data
 * files, checkpoint folders, PNGs; fixed Node modules). An invalid graph is an
 * error naming each problem's network, node and port, never an exception.
 */
export interface ExportedProject {
  /** A folder name for the project (npm package name). */
  name: string;
  files: ReadonlyMap<string, string>;
  /** The datasets its training reads, and the held-out images its quality scores compare with: their files go beside it (see codegen/data.ts). */
  datasets: readonly DatasetRef[];
  /** Whether its scores use the MNIST classifier, which then goes beside it too. */
  classifier: boolean;
}

const RUNTIME_DIR = 'lib/runtime';
const SUPPORT_DIR = 'codegen/typescript/support';
const TORCH_DIR = 'codegen/pytorch/netloom';

/** What an export prints: a TypeScript (tfjs) project or a PyTorch one. */
export type ExportTarget = 'typescript' | 'pytorch';
export const EXPORT_TARGETS: readonly ExportTarget[] = ['typescript', 'pytorch'];

export function exportProject(doc: GraphDoc, target: ExportTarget = 'typescript'): Result<ExportedProject> {
  const analysis = analyse(doc);
  if (!analysis.ok) {
    const names = { network: (id: string) => doc.networks.find((n) => n.id === id)?.name ?? id };
    return err(`The graph cannot be exported until its errors are fixed:\n${analysis.errors.map((p) => `  ${formatProblem(p, names)}`).join('\n')}`);
  }
  const plan = lower(analysis);
  return target === 'pytorch' ? torchProject(doc, plan) : typescriptProject(doc, plan);
}

function typescriptProject(doc: GraphDoc, plan: TrainingPlan): Result<ExportedProject> {
  const runtime = modules(RUNTIME_DIR);
  const support = modules(SUPPORT_DIR);
  const files = new Map<string, string>();
  files.set('package.json', writePackageJson(plan));
  files.set('tsconfig.json', writeTsconfig());
  files.set('.gitignore', GITIGNORE);
  files.set('README.md', writeReadme(new TsNames(plan), { runtime: runtime.map((f) => `runtime/${f}`), support: support.map((f) => `support/${f}`) }));
  files.set('train.ts', writeTrainFile(plan));
  for (const file of runtime) files.set(`runtime/${file}`, sourceText(`${RUNTIME_DIR}/${file}`));
  for (const file of support) files.set(`support/${file}`, sourceText(`${SUPPORT_DIR}/${file}`));
  return ok({ name: packageName(doc.name), files, ...extras(plan) });
}

function torchProject(doc: GraphDoc, plan: TrainingPlan): Result<ExportedProject> {
  const missing = missingTorchForms(plan);
  if (missing.length) return err(`The PyTorch export cannot print ${missing.join(', ')} yet: export this graph as TypeScript, or leave ${missing.length === 1 ? 'that kind' : 'those kinds'} out`);
  const netloom = modules(TORCH_DIR, '.py');
  const files = new Map<string, string>();
  files.set('train.py', writeTrainPy(plan));
  files.set('requirements.txt', REQUIREMENTS);
  files.set('.gitignore', TORCH_GITIGNORE);
  files.set('README.md', writeTorchReadme(plan, { netloom: netloom.map((f) => `netloom/${f}`) }));
  for (const file of netloom) files.set(`netloom/${file}`, sourceText(`${TORCH_DIR}/${file}`));
  return ok({ name: packageName(doc.name), files, ...extras(plan) });
}

/** Beside the code: the data, the held-out split the scores compare with, and the classifier they use. */
function extras(plan: TrainingPlan): Pick<ExportedProject, 'datasets' | 'classifier'> {
  const { quality } = plan;
  return { datasets: quality ? [...plan.datasets, quality.reference] : plan.datasets, classifier: quality?.features === 'mnist-classifier' };
}

const texts = new Map<string, string>();
const listings = new Map<string, string[]>();

/** Paths are from the repository root: the exporter runs there (the CLI, tests and the app). */
const fromRoot = (file: string) => path.join(/*turbopackIgnore: true*/ process.cwd(), file);

/** The TypeScript modules of a folder of this repository, listed once. */
function modules(dir: string, extension = '.ts'): string[] {
  let listing = listings.get(dir);
  if (!listing) {
    listing = readdirSync(fromRoot(dir)).filter((f) => f.endsWith(extension)).sort();
    listings.set(dir, listing);
  }
  return listing;
}

/** A module of this repository, read once. */
function sourceText(file: string): string {
  let text = texts.get(file);
  if (text === undefined) {
    text = readFileSync(fromRoot(file), 'utf8');
    texts.set(file, text);
  }
  return text;
}
