import { analyse } from '../lib/graph/analyse';
import { formatProblem } from '../lib/graph/problems';
import type { GraphDoc } from '../lib/graph/schema';
import { lower } from '../lib/plan/lower';
import type { TrainingPlan } from '../lib/plan/plan';
import type { DatasetRef } from '../lib/runtime/dataset';
import { err, ok, type Result } from '../lib/result';
import { DEFAULT_TARGET, TARGET_IDS, type TargetId } from './targets/catalog';
import { ALL_TARGETS, exportTarget } from './targets';
import type { ExportFile, ExportRequest, ExportTarget } from './targets/target';
import { packageName } from './text';

/**
 * GraphDoc -> what an export target writes for it (codegen/targets), as
 * files by path: the graph is analysed and lowered to its TrainingPlan once,
 * and the target prints the plan. An invalid graph is an error naming each
 * problem's network, node and port, never an exception; so is a kind the
 * target has no form for.
 */
export interface ExportedProject {
  /** A folder name for the project (npm package name). */
  name: string;
  /** Text (code), or bytes (a model). */
  files: ReadonlyMap<string, ExportFile>;
  /** The datasets its training reads, and the held-out images its quality scores compare with: their files go beside it (see codegen/data.ts). */
  datasets: readonly DatasetRef[];
  /** Whether its scores use the MNIST classifier, which then goes beside it too. */
  classifier: boolean;
}

/** `request`: for a target that writes one network (ONNX), which network and with which weights (absent: the initial ones). */
export function exportProject(doc: GraphDoc, target: TargetId = DEFAULT_TARGET, request?: ExportRequest): Result<ExportedProject> {
  // The id may come from a request: a name no target has is refused, not looked up on an object.
  const writer = exportTarget(target);
  if (!writer) return err(`There is no export target "${target}": the targets are ${TARGET_IDS}`);
  const analysis = analyse(doc);
  if (!analysis.ok) {
    const names = { network: (id: string) => doc.networks.find((n) => n.id === id)?.name ?? id };
    return err(`The graph cannot be exported until its errors are fixed:\n${analysis.errors.map((p) => `  ${formatProblem(p, names)}`).join('\n')}`);
  }
  const plan = lower(analysis);
  // A target writing one network refuses its own way, naming the kind and the reason.
  const missing = writer.network ? [] : writer.missingForms(plan, request);
  if (missing.length) return err(unprintable(writer, missing, plan));
  const files = writer.write(plan, request);
  if (!files.ok) return files;
  return ok({ name: packageName(doc.name), files: files.value, ...(writer.writes === 'project' ? extras(plan) : { datasets: [], classifier: false }) });
}

/** A code file of the export by its path (undefined for a path it lacks, or bytes). */
export function textFile(project: ExportedProject, file: string): string | undefined {
  const contents = project.files.get(file);
  return typeof contents === 'string' ? contents : undefined;
}

/** Why a target cannot print the plan, and which targets can. */
function unprintable(writer: ExportTarget, missing: readonly string[], plan: TrainingPlan): string {
  const others = ALL_TARGETS.filter((t) => t !== writer && t.writes === writer.writes && t.missingForms(plan).length === 0).map((t) => t.title);
  return `The ${writer.title} export cannot print ${missing.join(', ')} yet: ${others.length ? `export this graph as ${others.join(' or ')}, or ` : ''}leave ${missing.length === 1 ? 'that kind' : 'those kinds'} out`;
}

/** Beside the code: the data, the held-out split the scores compare with, and the classifier they use. */
function extras(plan: TrainingPlan): Pick<ExportedProject, 'datasets' | 'classifier'> {
  const { quality } = plan;
  return { datasets: quality ? [...plan.datasets, quality.reference] : plan.datasets, classifier: quality?.features === 'mnist-classifier' };
}
