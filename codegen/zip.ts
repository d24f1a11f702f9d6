import { strToU8, zipSync } from 'fflate';
import type { ExportedProject } from './export';
import { exportName } from './targets/catalog';
import type { TargetAbout } from './targets/target';

/** The project as one zip, its files (and its data) inside one folder (what unzipping should give). */
export function zipProject(project: ExportedProject, folder: string = project.name, data: readonly { path: string; bytes: Uint8Array }[] = []): Uint8Array {
  const entries: Record<string, Uint8Array> = Object.fromEntries([...project.files].map(([file, text]) => [`${folder}/${file}`, typeof text === 'string' ? strToU8(text) : text]));
  // Data compresses well (IDX bytes) but is large: a faster level keeps a 50 MB dataset to about a second.
  for (const file of data) entries[`${folder}/${file.path}`] = file.bytes;
  return zipSync(entries, { level: 1 });
}

/** What a download of an export holds: a project zipped in its folder (named after the graph and the target), with its data; or the target's one file. */
export function downloadBytes(target: TargetAbout, project: ExportedProject, graphName: string, data: readonly { path: string; bytes: Uint8Array }[] = []): Uint8Array {
  if (target.writes === 'file') {
    const file = [...project.files.values()][0] ?? '';
    return typeof file === 'string' ? strToU8(file) : file;
  }
  return zipProject(project, exportName(target, graphName), data);
}
