import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyse } from '../lib/graph/analyse';
import { formatProblem } from '../lib/graph/problems';
import type { GraphDoc } from '../lib/graph/schema';
import { RUNTIME_MODULES } from '../lib/compile/runtime';
import { err, ok, type Result } from '../lib/result';
import { planExport } from './plan';
import { GITIGNORE, packageName, writePackageJson, writeReadme, writeTsconfig } from './project';
import { writeTrainFile } from './train';

/**
 * GraphDoc -> a standalone TypeScript training project, as files by path:
 * package.json, tsconfig.json, README.md, train.ts (generated), runtime/
 * (Netloom's numerics, verbatim) and support/ (backend, flags, data files,
 * checkpoints, PNGs; fixed modules). An invalid graph is an error naming
 * each problem's network, node and port, never an exception.
 */
export interface ExportedProject {
  /** A folder name for the project (npm package name). */
  name: string;
  files: ReadonlyMap<string, string>;
}

/** The fixed modules every project ships, beside this file in codegen/support/. */
export const SUPPORT_MODULES = ['backend.ts', 'checkpoint.ts', 'mnist-files.ts', 'png.ts', 'settings.ts'] as const;

export function exportProject(doc: GraphDoc): Result<ExportedProject> {
  const analysis = analyse(doc);
  if (!analysis.ok) {
    const names = { network: (id: string) => doc.networks.find((n) => n.id === id)?.name ?? id };
    return err(`The graph cannot be exported until its errors are fixed:\n${analysis.errors.map((p) => `  ${formatProblem(p, names)}`).join('\n')}`);
  }
  const plan = planExport(doc, analysis);
  if (!plan.ok) return err(`The graph cannot be exported: ${plan.error}`);

  const files = new Map<string, string>();
  const runtime = RUNTIME_MODULES.map((file) => ({ from: file, to: `runtime/${path.posix.basename(file)}` }));
  files.set('package.json', writePackageJson(plan.value));
  files.set('tsconfig.json', writeTsconfig());
  files.set('.gitignore', GITIGNORE);
  files.set('README.md', writeReadme(plan.value, { runtime: runtime.map((r) => r.to), support: SUPPORT_MODULES.map((f) => `support/${f}`) }));
  files.set('train.ts', writeTrainFile(plan.value));
  for (const { from, to } of runtime) files.set(to, sourceText(from));
  for (const file of SUPPORT_MODULES) files.set(`support/${file}`, sourceText(`codegen/support/${file}`));
  return ok({ name: packageName(doc.name), files });
}

const sources = new Map<string, string>();

/** A module of this repository, read once (the exporter runs from the repository root: the CLI, tests and the app). */
function sourceText(file: string): string {
  let text = sources.get(file);
  if (text === undefined) {
    text = readFileSync(path.join(/*turbopackIgnore: true*/ process.cwd(), file), 'utf8');
    sources.set(file, text);
  }
  return text;
}
