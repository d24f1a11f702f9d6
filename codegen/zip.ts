import { strToU8, zipSync } from 'fflate';
import type { ExportedProject } from './export';

/** The project as one zip, its files inside one folder (what unzipping should give). */
export function zipProject(project: ExportedProject, folder: string = project.name): Uint8Array {
  const entries = Object.fromEntries([...project.files].map(([file, text]) => [`${folder}/${file}`, strToU8(text)]));
  return zipSync(entries, { level: 6 });
}
