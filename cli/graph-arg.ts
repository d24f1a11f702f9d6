import { readFile } from 'node:fs/promises';
import { loadGraphDoc } from '../lib/graph/migrations';
import type { GraphDoc } from '../lib/graph/schema';
import { err, ok, type Result } from '../lib/result';
import { getTemplate, templates } from '../lib/templates';

/** `--graph` takes a template id or a path to a GraphDoc JSON file. */
export async function resolveGraph(arg: string | undefined): Promise<Result<{ id: string; doc: GraphDoc }>> {
  if (!arg) return err(`--graph is required: a template id (${templates.map((t) => t.id).join(', ')}) or a GraphDoc .json file`);
  const template = getTemplate(arg);
  if (template) return ok({ id: template.id, doc: template.doc });
  let text: string;
  try {
    text = await readFile(arg, 'utf8');
  } catch {
    return err(`"${arg}" is neither a template (${templates.map((t) => t.id).join(', ')}) nor a readable file`);
  }
  const loaded = loadGraphDoc(text);
  if (!loaded.ok) return err(`${arg}: ${loaded.error}`);
  const id = arg.replace(/^.*[\\/]/, '').replace(/\.json$/i, '') || 'graph';
  return ok({ id, doc: loaded.value });
}

export function templateList(): string {
  return templates.map((t) => `${t.id.padEnd(10)} ${t.name}`).join('\n');
}
