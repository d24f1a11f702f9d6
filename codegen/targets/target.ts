import type { FormedKind } from '../../lib/kinds/kind';
import type { TrainingPlan } from '../../lib/plan/plan';
import type { Result } from '../../lib/result';
import type { HostValues } from './harness';

/**
 * An export target: what a graph can be exported as (a TypeScript project, a
 * PyTorch project...). Each lives in its own folder, codegen/<id>/: `about.ts`
 * (this first part, which the browser may import), `forms.ts` (the type of
 * its forms on the kinds, `forms.<id>`), `target.ts` (the writer) and
 * `conformance.ts` (its harness); codegen/targets lists them.
 */
export interface TargetAbout<Id extends string = string> {
  /** Its name in `--target` and `?target=`, and the key of its forms on every kind. */
  id: Id;
  /** The Export menu's label. */
  title: string;
  /** The Export menu's tooltip: what the download holds. */
  description: string;
  /**
   * A project (files in a folder, with the data it trains on: a zip when
   * downloaded, a folder from the CLI), or one file (a model to deploy).
   */
  writes: 'project' | 'file';
  /** Follows the graph's name in the name of what it writes: '-pytorch' (gan-pytorch/, gan-pytorch.zip), or a file's extension ('.onnx'). */
  suffix: string;
  /** It writes one network of the graph, which the request names (`--network`, `?network=`): an ONNX file. */
  network?: true;
  /** What to do with it once written to `out`: the CLI's last line. */
  next(out: string): string;
}

/**
 * What an export writes besides the plan, for a target that writes one
 * network (`network: true`): which network, and with which weights.
 */
export interface ExportRequest {
  /** The network, by name or id. */
  network?: string;
  /** Weights by their plan name (`network/node/weight`): a checkpoint's. Absent: the initial weights the graph's seed makes. */
  weights?: ReadonlyMap<string, HostValues>;
}

/** A written file: text (code), or bytes (a model). */
export type ExportFile = string | Uint8Array;

export interface ExportTarget<Id extends string = string> extends TargetAbout<Id> {
  /** Whether the kind has its form for this target: its harness checks every kind that has one. */
  hasForm(kind: FormedKind): boolean;
  /** The kinds the plan's export would print that have no form here, by title: the export is refused, naming them. */
  missingForms(plan: TrainingPlan, request?: ExportRequest): string[];
  /** The plan printed: files by their path in the project's folder (one file, for a target that writes a file). */
  write(plan: TrainingPlan, request?: ExportRequest): Result<ReadonlyMap<string, ExportFile>>;
}
