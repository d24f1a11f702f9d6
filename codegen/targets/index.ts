import { onnx } from '../onnx/target';
import { pytorch } from '../pytorch/target';
import { typescript } from '../typescript/target';
import { TARGET_CATALOG, type TargetId } from './catalog';
import type { ExportTarget } from './target';

/** Every export target with its writer, by id: one for each of the catalog's (the type says so). */
export const TARGETS: { readonly [Id in TargetId]: ExportTarget<Id> } = { typescript, pytorch, onnx };

/** In the catalog's order. */
export const ALL_TARGETS: readonly ExportTarget<TargetId>[] = TARGET_CATALOG.map((about) => TARGETS[about.id]);

/** The target of that id with its writer; undefined for an id no target has. */
export const exportTarget = (id: string): ExportTarget<TargetId> | undefined => ALL_TARGETS.find((target) => target.id === id);
