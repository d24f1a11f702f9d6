import { onnxAbout } from '../onnx/about';
import { pytorchAbout } from '../pytorch/about';
import { typescriptAbout } from '../typescript/about';
import { packageName } from '../text';
import type { TargetAbout } from './target';

/**
 * Every export target as the Export menu, the route and the CLI list them,
 * in the menu's order, the first the default. No writer is imported here,
 * so the browser may import it; index.ts has the writers. Adding a target:
 * its folder codegen/<id>/ (see target.ts), one line here, one in index.ts
 * and one in harnesses.ts (each is checked to list them all), and its form
 * on each kind.
 */
export const TARGET_CATALOG = [typescriptAbout, pytorchAbout, onnxAbout] as const;

export type TargetId = (typeof TARGET_CATALOG)[number]['id'];

export const DEFAULT_TARGET: TargetId = TARGET_CATALOG[0].id;

/** The target of that id (from a flag or a query: any string). */
export const findTarget = (id: string): TargetAbout<TargetId> | undefined => TARGET_CATALOG.find((target) => target.id === id);

/** The ids, for a refusal that lists them. */
export const TARGET_IDS = TARGET_CATALOG.map((target) => target.id).join(', ');

/** What a target writes for a graph of this name is called: a project's folder (and its zip), or a file (one network's: gan-g.onnx). */
export const exportName = (target: TargetAbout, graphName: string, network?: string): string => `${packageName(graphName)}${network ? `-${packageName(network)}` : ''}${target.suffix}`;

/** A download of what it writes: a project as a zip (of its folder), or the file itself. */
export const download = (target: TargetAbout, graphName: string, network?: string): { file: string; type: string } =>
  target.writes === 'project' ? { file: `${exportName(target, graphName)}.zip`, type: 'application/zip' } : { file: exportName(target, graphName, network), type: 'application/octet-stream' };
